// Viewers coming and going: 500 join and leave cycles after a warm-up
// (VMRTC_SOAK_CYCLES counts both) against one server in loopback mode, a
// few at a time, some abandoned in the middle of negotiation. Afterwards
// the server must hold no more memory, descriptors or GStreamer elements
// than after warm-up, still stream, log no error and leave no element
// behind at exit. Runs inside netns-run.
#include "catch.hpp"

#include "JsonLine.hpp"
#include "LeaksTracer.hpp"
#include "LoopbackServer.hpp"
#include "ProcessStats.hpp"
#include "ViewerCycle.hpp"
#include "WebRtcReceiver.hpp"
#include "XvfbServer.hpp"

#include <gst/gst.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <map>

using namespace vmrtc::test;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

#if defined(__SANITIZE_ADDRESS__)
// Sanitized, each cycle is several times slower; the sanitizers' checks at
// the server's exit are what this run is for, not the resident size.
constexpr int warmUpCycles = 50;
constexpr int defaultCycles = 150;
#else
// The allocator's footprint settles within about 150 cycles: in one run of
// 2800, RssAnon rose 3 MB from cycle 50 to 150, then about 3 KB a cycle.
constexpr int warmUpCycles = 150;
constexpr int defaultCycles = warmUpCycles + 500;
#endif
constexpr int roundCycles = 50;
// Below MAX_VIEWERS (8 by default): a session the viewer left may live on
// a moment in the server, until the signalling server has told it.
constexpr size_t parallel = 4;
constexpr long rssGrowthLimitKiB = 5 * 1024;
constexpr int tolerance = 40; // VP8 is lossy; flat colours stay close

const std::string session = "soak";

// VMRTC_SOAK_CYCLES runs a longer (or, to debug, shorter) soak.
int cycleCount()
{
    const char *text = g_getenv("VMRTC_SOAK_CYCLES");
    int count = text ? std::atoi(text) : 0;
    return count > warmUpCycles ? count : defaultCycles;
}

struct Outcomes {
    std::map<std::string, int> reached;
    std::vector<std::string> failures;

    void record(const ViewerCycle &cycle, int index)
    {
        std::string kind = ViewerCycle::name(cycle.kind());
        if (cycle.failure().empty())
            reached[kind]++;
        else
            failures.push_back("cycle " + std::to_string(index) + " (" + kind +
                               "): " + cycle.failure());
    }
};

// What the server holds at a quiet moment: no viewer, capture stopped.
struct Snapshot {
    long rssKiB = 0;
    std::vector<std::string> files;
    LeaksTracer::Census elements;
};

// Runs cycles [from, to), `parallel` of them at a time.
void runCycles(const std::string &url, int from, int to, Outcomes &outcomes)
{
    struct Running {
        int index;
        std::unique_ptr<ViewerCycle> cycle;
    };
    std::vector<Running> running;
    int next = from;
    while (next < to || !running.empty()) {
        while (next < to && running.size() < parallel) {
            auto cycle = std::make_unique<ViewerCycle>(
                ViewerCycle::kindFor(next), url, session);
            running.push_back({next++, std::move(cycle)});
        }

        for (auto it = running.begin(); it != running.end();) {
            if (!it->cycle->step()) {
                ++it;
                continue;
            }
            outcomes.record(*it->cycle, it->index);
            it = running.erase(it);
        }
        WebRtcReceiver::pump([] { return false; }, 5ms);
    }
}

// How many of the lines are a log record with that message.
int count(const std::vector<std::string> &lines, const std::string &message)
{
    std::string wanted = "\"message\":\"" + message + "\"";
    return static_cast<int>(
        std::count_if(lines.begin(), lines.end(), [&](const std::string &l) {
            return l.find(wanted) != std::string::npos;
        }));
}

// The server has ended every session it started, and its signalling
// server has let go of every viewer (the producer stays connected).
bool settled(ChildProcess &server, std::chrono::milliseconds timeout)
{
    auto deadline = Clock::now() + timeout;
    for (;;) {
        std::vector<std::string> lines = server.stderrLines();
        if (count(lines, "session started") == count(lines, "session ended") &&
            count(lines, "peer connected") ==
                count(lines, "peer disconnected") + 1)
            return true;
        if (Clock::now() >= deadline)
            return false;
        WebRtcReceiver::pump([] { return false; }, 100ms);
    }
}

std::optional<Snapshot> snapshot(ChildProcess &server, LeaksTracer &tracer)
{
    std::optional<LeaksTracer::Census> elements = tracer.liveNow(server, 5s);
    if (!elements)
        return std::nullopt;
    return Snapshot{rssKiB(server.pid()), openFiles(server.pid()), *elements};
}

// A session's teardown ends on GStreamer's and libnice's threads: gives
// what the cycles took until the deadline to come back to the baseline.
std::optional<Snapshot> snapshotBackTo(const Snapshot &baseline,
                                       ChildProcess &server,
                                       LeaksTracer &tracer)
{
    std::optional<Snapshot> now;
    auto deadline = Clock::now() + 10s;
    do {
        WebRtcReceiver::pump([] { return false; }, 200ms);
        now = snapshot(server, tracer);
    } while (now &&
             (now->files.size() > baseline.files.size() ||
              LeaksTracer::total(now->elements) >
                  LeaksTracer::total(baseline.elements)) &&
             Clock::now() < deadline);
    return now;
}

// "socket=12 pipe=4 /dev/null=1 …": what the descriptors are, without the
// inode numbers that differ from one socket to the next.
std::string describeFiles(const std::vector<std::string> &files)
{
    std::map<std::string, int> kinds;
    for (const std::string &file : files)
        kinds[file.substr(0, file.find(":["))]++;
    std::string text;
    for (const auto &[kind, count] : kinds)
        text += (text.empty() ? "" : " ") + kind + "=" + std::to_string(count);
    return text;
}

void print(const std::string &line)
{
    std::printf("soak: %s\n", line.c_str());
    std::fflush(stdout);
}

void printSnapshot(const char *when, const Snapshot &s)
{
    print(std::string(when) + ": rss_kib=" + std::to_string(s.rssKiB) +
          " fds=" + std::to_string(s.files.size()) + " (" +
          describeFiles(s.files) + ")");
    print(std::string(when) +
          ": elements=" + std::to_string(LeaksTracer::total(s.elements)) +
          " (" + LeaksTracer::describe(s.elements) + ")");
}

// The pipeline's children after each last viewer left, from the server's
// own "viewer detached" debug lines: the same every time, no tee pad left.
void checkDetachLines(ChildProcess &server)
{
    std::vector<std::string> bad;
    std::vector<JsonLine> lines = parseJsonLines(server.stderrLines(), &bad);
    std::string first;
    int idle = 0;
    for (const JsonLine &line : lines) {
        if (line.at("message") != "viewer detached" ||
            line.at("viewers") != "0")
            continue;
        idle++;
        if (first.empty())
            first = line.at("elements");
        CHECK(line.at("tee_pads") == "0");
        CHECK(line.at("elements") == first);
    }
    print("detached with no viewer left: " + std::to_string(idle) +
          " times, pipeline children=" + first);
    CHECK(idle > 0);
}

// FIXME: webrtcbin (GStreamer 1.22) now and then keeps a data channel
// alive, and the channel's appsrc with it, after its session ended: about
// one session in a few hundred, among those that end while the channel is
// open. Nothing of the server's holds the channel (its ControlChannel is
// gone). Until that is fixed upstream, such appsrcs are counted apart
// (*strays, when given) and only bounded.
LeaksTracer::Census withoutStrays(LeaksTracer::Census census, int *strays)
{
    auto found = census.find("GstAppSrc");
    if (found == census.end())
        return census;
    if (strays)
        *strays = found->second;
    census.erase(found);
    return census;
}

// sctpenc says so at level ERROR when a viewer leaves while its control
// channel still sends: the session is over, nothing else is affected.
bool isTeardownNoise(const std::string &line)
{
    return line.find("sctpenc") != std::string::npos &&
           line.find("Pushing on source pad failed before: flushing") !=
               std::string::npos;
}

// FIXME: GStreamer 1.22's transport elements now and then race with their
// own teardown (twice in about 6000 cycles): once srtpenc was caught
// pushing on a pad it had just released; once a stream-start could not be
// made (gst_pad_create_stream_id). GLib reports each as a failed assertion
// ("assertion '...' failed") through the server's GStreamer log, and the
// server carries on. Until that is fixed upstream, these are counted apart
// and bounded.
bool isUpstreamAssertion(const JsonLine &line)
{
    return line.count("component") && line.at("component") == "GStreamer" &&
           line.at("message").find("assertion '") != std::string::npos;
}

// Errors in the JSON log and in GStreamer's own output; warnings are
// printed by message, for whoever reads CI's log.
void checkServerLog(ChildProcess &server, LeaksTracer &tracer, int cycles)
{
    std::vector<std::string> bad;
    std::map<std::string, int> warnings;
    int assertions = 0;
    for (const JsonLine &line : parseJsonLines(server.stderrLines(), &bad)) {
        const std::string &level = line.at("level");
        if (level == "warning")
            warnings[line.at("message")]++;
        if (level != "error" && level != "fatal")
            continue;
        if (level == "error" && isUpstreamAssertion(line)) {
            print("upstream assertion: " + line.at("message"));
            assertions++;
            continue;
        }
        FAIL_CHECK("server logged: " << line.at("message"));
    }
    for (const auto &[message, count] : warnings)
        print("warning x" + std::to_string(count) + ": " + message);
    // One race logs up to three such lines.
    CHECK(assertions <= 3 * std::max(1, cycles / 500));

    for (const std::string &line : tracer.errors()) {
        if (!isTeardownNoise(line))
            FAIL_CHECK("GStreamer logged: " << line);
    }
}

// What the cycles reached, and what the server holds after them compared
// with after warm-up.
void checkCycles(const Outcomes &outcomes, int cycles, const Snapshot &warm,
                 const Snapshot &end, ChildProcess &server)
{
    for (const auto &[kind, count] : outcomes.reached)
        print("reached " + kind + ": " + std::to_string(count));
    for (const std::string &failure : outcomes.failures)
        print("FAILED " + failure);
    CHECK(outcomes.failures.empty());
    CHECK(count(server.stderrLines(), "viewer refused: too many viewers") == 0);

#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer keeps freed memory in quarantine, so the resident
    // size grows anyway; its leak check at the server's exit judges it.
    print("RSS growth not judged under AddressSanitizer");
#else
    CHECK(end.rssKiB - warm.rssKiB < rssGrowthLimitKiB);
#endif
    CHECK(end.files.size() == warm.files.size());
    int strays = 0;
    CHECK(withoutStrays(end.elements, &strays) ==
          withoutStrays(warm.elements, nullptr));
    CHECK(strays <= cycles / 100);
    checkDetachLines(server);
}

// A new viewer sees the screen and follows a change.
void checkStillStreams(LoopbackServer &server, XvfbServer &xvfb)
{
    WebRtcReceiver last(server.signallingUrl());
    REQUIRE(last.start(session, 10s));
    CHECK(last.waitForFrames(5, 15s));
    CHECK(last.waitForColour({255, 0, 0}, tolerance, 5s));

    xvfb.paint("#0000ff");
    CHECK(last.waitForColour({0, 0, 255}, tolerance, 5s));
    last.stop();
    REQUIRE(settled(server.process(), 10s));
}

// SIGTERM: exit status 0, and the tracer's last listing, made at
// gst_deinit(), holds no element.
void checkCleanExit(ChildProcess &server, LeaksTracer &tracer, int cycles)
{
    size_t listings = tracer.listings().size();
    server.signal(SIGTERM);
    CHECK(server.wait(10s) == 0);

    std::vector<LeaksTracer::Census> all = tracer.listings();
    REQUIRE(all.size() == listings + 1);
    print("left at exit: " + LeaksTracer::describe(all.back()));
    int strays = 0;
    CHECK(withoutStrays(all.back(), &strays).empty());
    CHECK(strays <= cycles / 100);
}

} // namespace

TEST_CASE("hundreds of viewers come and go; the server gives back "
          "what they took",
          "[soak]")
{
    gst_init(nullptr, nullptr);
    XvfbServer xvfb(640, 360);
    xvfb.paint("#ff0000");
    LeaksTracer tracer("GstElement");
    LoopbackServer server(xvfb.display(), session, tracer.env());
    ChildProcess &process = server.process();
    Outcomes outcomes;
    int cycles = cycleCount();
    auto started = Clock::now();

    runCycles(server.signallingUrl(), 0, warmUpCycles, outcomes);
    REQUIRE(settled(process, 20s));
    std::optional<Snapshot> warm = snapshot(process, tracer);
    REQUIRE(warm);
    printSnapshot("after warm-up", *warm);
    print("after warm-up: " + residentParts(process.pid()));

    // In rounds, so that CI's log shows how the size moves along.
    for (int from = warmUpCycles; from < cycles; from += roundCycles) {
        int to = std::min(from + roundCycles, cycles);
        runCycles(server.signallingUrl(), from, to, outcomes);
        print("after " + std::to_string(to) +
              " cycles: " + residentParts(process.pid()));
    }
    double seconds =
        std::chrono::duration<double>(Clock::now() - started).count();
    REQUIRE(settled(process, 20s));
    std::optional<Snapshot> end = snapshotBackTo(*warm, process, tracer);
    REQUIRE(end);
    printSnapshot("at the end", *end);
    print("cycles=" + std::to_string(cycles) +
          " duration_s=" + std::to_string(static_cast<int>(seconds)) +
          " rss_growth_kib=" + std::to_string(end->rssKiB - warm->rssKiB));

    checkCycles(outcomes, cycles, *warm, *end, process);
    checkStillStreams(server, xvfb);
    checkCleanExit(process, tracer, cycles);
    checkServerLog(process, tracer, cycles);
}
