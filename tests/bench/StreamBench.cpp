// stream-bench: measures the server side by side with the plain pipeline
// on one Xvfb in one run, content by content, and prints Markdown table
// rows for docs/performance.md. With --encoder-sweep it instead runs the
// damage-driven template with alternative vp8enc settings and prints a
// table of those. Run through scripts/bench (inside a network namespace,
// as root).
#include "BenchTable.hpp"
#include "ChildProcess.hpp"
#include "LoopbackServer.hpp"
#include "ProcessStats.hpp"
#include "Psnr.hpp"
#include "TempDir.hpp"
#include "TextScreen.hpp"
#include "WebRtcReceiver.hpp"
#include "XvfbServer.hpp"

#include <gst/gst.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

using namespace vmrtc::test;
using namespace vmrtc::bench;
using namespace std::chrono_literals;

namespace {

constexpr auto warmup = 2s;
constexpr auto window = 10s;
const std::string cpuUnit = "% of a core";

using Viewers = std::vector<std::unique_ptr<WebRtcReceiver>>;

// Content on the screen: an x-painter of the given motion, or none.
struct Content {
    const char *name;
    const char *painterFlag; // "" for a still screen
};

const Content contents[] = {
    {"still screen", ""},
    {"caret", "--caret"},
    {"small moving object", "--moving"},
    {"full-screen motion", "--scroll"},
};

std::unique_ptr<ChildProcess> paint(const std::string &display,
                                    const Content &content)
{
    std::vector<std::string> argv{X_PAINTER, "--display", display,
                                  "--colour", "336699"};
    if (*content.painterFlag)
        argv.push_back(content.painterFlag);
    auto painter = std::make_unique<ChildProcess>(argv, ChildProcess::Env{});
    WebRtcReceiver::pump([] { return false; }, 300ms);
    return painter;
}

struct Measured {
    double cpu = 0;  // % of one core
    double rssMb = 0;
    double fps = 0;  // the slowest viewer's
    double kBps = 0; // per viewer, on average
};

double secondsSince(ChildProcess::Clock::time_point start)
{
    return std::chrono::duration<double>(ChildProcess::Clock::now() - start)
        .count();
}

// CPU of pid over the window after a warm-up, with what the viewers got
// meanwhile; the main context keeps running so they go on decoding.
Measured measure(pid_t pid, const Viewers &viewers,
                 std::chrono::seconds length = window)
{
    WebRtcReceiver::pump([] { return false; }, warmup);
    double cpuBefore = cpuSeconds(pid);
    std::vector<int> frames;
    long long bytes = 0;
    for (const auto &v : viewers) {
        frames.push_back(v->framesDecoded());
        bytes -= v->bytesReceived();
    }
    auto start = ChildProcess::Clock::now();
    WebRtcReceiver::pump([] { return false; }, length);
    double seconds = secondsSince(start);

    Measured m;
    m.cpu = 100.0 * (cpuSeconds(pid) - cpuBefore) / seconds;
    m.rssMb = rssKiB(pid) / 1024.0;
    m.fps = viewers.empty() ? 0 : 1e9;
    for (size_t i = 0; i < viewers.size(); i++) {
        double fps = (viewers[i]->framesDecoded() - frames[i]) / seconds;
        m.fps = std::min(m.fps, fps);
        bytes += viewers[i]->bytesReceived();
    }
    if (!viewers.empty())
        m.kBps = bytes / 1000.0 / seconds / viewers.size();
    return m;
}

void addViewers(Viewers &viewers, const std::string &url, int count)
{
    for (int i = 0; i < count; i++) {
        viewers.push_back(std::make_unique<WebRtcReceiver>(url));
        if (!viewers.back()->start("bench", 10s) ||
            !viewers.back()->waitForFrames(1, 10s))
            std::fprintf(stderr, "stream-bench: a viewer got no frame\n");
    }
}

Measured plainPipeline(const std::string &display)
{
    ChildProcess plain({"/usr/bin/gst-launch-1.0", "-q", "ximagesrc",
                        "display-name=" + display, "use-damage=false", "!",
                        "video/x-raw,framerate=30/1", "!", "videoconvert", "!",
                        "vp8enc", "deadline=1", "cpu-used=4", "!", "rtpvp8pay",
                        "!", "fakesink"},
                       {{"DISPLAY", display}});
    Measured m = measure(plain.pid(), {});
    plain.signal(SIGINT);
    plain.wait(5s);
    return m;
}

ChildProcess::Env pipeline(const std::string &name)
{
    return {{"PIPELINE", name}};
}

// The damage-driven server with one viewer, then (on motion) three.
void serverRows(const std::string &display, const Content &content,
                const Measured &plain)
{
    const bool motion = std::strcmp(content.painterFlag, "--scroll") == 0;
    const std::string what = std::string(content.name) + ": ";
    LoopbackServer server(display, "bench", pipeline("x11-damage-vp8"));
    Viewers viewers;
    addViewers(viewers, server.signallingUrl(), 1);
    Measured one = measure(server.process().pid(), viewers);

    BenchTable::row(what + "server CPU, one viewer", one.cpu, cpuUnit,
                    plain.cpu,
                    motion ? Target::ratioAtMost(1.0) : Target::atMost(3));
    BenchTable::row(what + "server RSS, one viewer", one.rssMb, "MB",
                    plain.rssMb, Target::atMost(40));
    BenchTable::row(what + "fps delivered to the viewer", one.fps, "fps",
                    std::nullopt,
                    motion ? Target::atLeast(30) : Target::none());
    BenchTable::row(what + "bytes the viewer received a second", one.kBps,
                    "kB/s");
    if (!motion)
        return;

    addViewers(viewers, server.signallingUrl(), 2);
    Measured three = measure(server.process().pid(), viewers);
    BenchTable::row(what + "server CPU, three viewers (baseline: one viewer)",
                    three.cpu, cpuUnit, one.cpu, Target::ratioAtMost(1.15));
    BenchTable::row(what + "fps delivered, slowest of three viewers",
                    three.fps, "fps", std::nullopt, Target::atLeast(30));
    BenchTable::row(what + "server RSS, three viewers", three.rssMb, "MB");
}

// The fixed-rate template on the same content, for comparison.
void fixedRateRow(const std::string &display, const Content &content,
                  const Measured &plain)
{
    LoopbackServer server(display, "bench", pipeline("x11-vp8"));
    Viewers viewers;
    addViewers(viewers, server.signallingUrl(), 1);
    Measured m = measure(server.process().pid(), viewers);
    std::string what = std::string(content.name) +
                       ": fixed-rate x11-vp8 server CPU, one viewer";
    BenchTable::row(what, m.cpu, cpuUnit, plain.cpu);
    BenchTable::row(std::string(content.name) +
                        ": x11-vp8 bytes the viewer received a second",
                    m.kBps, "kB/s");
}

void contentRows(const std::string &display, const Content &content)
{
    auto painter = paint(display, content);
    Measured plain = plainPipeline(display);
    std::string what = std::string(content.name) + ": ";
    BenchTable::row(what + "plain pipeline CPU", plain.cpu, cpuUnit);
    serverRows(display, content, plain);
    if (!*content.painterFlag || !std::strcmp(content.painterFlag, "--scroll"))
        fixedRateRow(display, content, plain);
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    size_t index = static_cast<size_t>(p * (values.size() - 1) + 0.5);
    return values[index];
}

// From startSession to the first decoded frame, on a still screen: the
// damage capture must send its last picture again for each newcomer.
void firstFrameRows(const std::string &display)
{
    auto painter = paint(display, contents[0]);
    LoopbackServer server(display, "bench", pipeline("x11-damage-vp8"));
    std::vector<double> firsts;
    int failed = 0;
    for (int i = 0; i < 20; i++) {
        WebRtcReceiver viewer(server.signallingUrl());
        if (viewer.start("bench", 10s) && viewer.waitForFrames(1, 10s))
            firsts.push_back(viewer.firstFrameMs().value_or(-1));
        else
            failed++;
    }
    WebRtcReceiver::pump([] { return false; }, 2s);
    BenchTable::row("first decoded frame after startSession (receiver, "
                    "still screen), median of 20",
                    percentile(firsts, 0.5), "ms", std::nullopt,
                    Target::atMost(300));
    BenchTable::row("first decoded frame after startSession, 95th percentile",
                    percentile(firsts, 0.95), "ms");
    BenchTable::note("viewers that got no frame in 10 s",
                     std::to_string(failed));
    BenchTable::row("server RSS after 20 sessions came and went",
                    rssKiB(server.process().pid()) / 1024.0, "MB");
}

// With STREAM_BENCH_DUMP=DIR, the decoded frame and the screen of each
// PSNR measured are written there as PPM pictures, to look at.
void dump(const std::string &name, const WebRtcReceiver::Frame &frame,
          const std::vector<unsigned long> &screen)
{
    const char *dir = std::getenv("STREAM_BENCH_DUMP");
    if (!dir || screen.size() != size_t(frame.width) * frame.height)
        return;
    std::ofstream decoded(std::string(dir) + "/" + name + "-decoded.ppm");
    std::ofstream shown(std::string(dir) + "/" + name + "-screen.ppm");
    for (std::ofstream *out : {&decoded, &shown})
        *out << "P6\n" << frame.width << " " << frame.height << "\n255\n";
    for (size_t i = 0; i < screen.size(); i++) {
        decoded.write(reinterpret_cast<const char *>(&frame.rgbx[i * 4]), 3);
        char rgb[3] = {char(screen[i] >> 16), char(screen[i] >> 8),
                       char(screen[i])};
        shown.write(rgb, 3);
    }
}

struct SettledText {
    std::vector<double> psnrs;   // of every page
    std::vector<double> arrived; // of the pages whose frame came in time
};

// PSNR of the frame the viewer holds 1 s after a page of text was drawn;
// a page whose frame never came in that time is compared with the frame
// of the page before it.
SettledText settledText(const std::string &display, WebRtcReceiver &viewer,
                        int pages)
{
    TextScreen text(display);
    WebRtcReceiver::pump([] { return false; }, 500ms);
    SettledText out;
    for (int page = 1; page <= pages; page++) {
        int before = viewer.framesDecoded();
        text.draw(page);
        WebRtcReceiver::pump([] { return false; }, 1s);
        auto frame = viewer.lastFrame();
        auto screen = text.grab();
        auto psnr = frame ? lumaPsnr(frame->rgbx, screen, frame->width,
                                     frame->height)
                          : std::nullopt;
        out.psnrs.push_back(psnr.value_or(0));
        if (viewer.framesDecoded() > before)
            out.arrived.push_back(psnr.value_or(0));
        if (frame)
            dump("page-" + std::to_string(page), *frame, screen);
    }
    return out;
}

// From X filling the screen with a new colour to the receiver decoding
// it: the server's part of the colour-change latency plus GStreamer's
// decoding, without a browser.
std::vector<double> receiverColourLatency(const std::string &display,
                                          WebRtcReceiver &viewer, int changes)
{
    TextScreen screen(display);
    const unsigned long colours[] = {0xd03020, 0x20c040, 0x3050e0, 0xf0f0f0,
                                     0x202020, 0xe0c000};
    std::vector<double> ms;
    for (int i = 0; i < changes; i++) {
        unsigned long c = colours[i % 6];
        Rgb want{int(c >> 16), int((c >> 8) & 0xff), int(c & 0xff)};
        auto start = ChildProcess::Clock::now();
        screen.fill(c);
        if (viewer.waitForColour(want, 24, 3s))
            ms.push_back(secondsSince(start) * 1000);
        WebRtcReceiver::pump([] { return false; },
                             std::chrono::milliseconds(200 + 37 * (i % 4)));
    }
    return ms;
}

void qualityRows(const std::string &display)
{
    LoopbackServer server(display, "bench", pipeline("x11-damage-vp8"));
    Viewers viewers;
    addViewers(viewers, server.signallingUrl(), 1);
    SettledText text = settledText(display, *viewers[0], 5);
    BenchTable::row("settled text, luma PSNR of the decoded frame 1 s after "
                    "the last change, median of 5 pages",
                    percentile(text.psnrs, 0.5), "dB", std::nullopt,
                    Target::atLeast(40));
    BenchTable::row("settled text, luma PSNR, worst of 5 pages",
                    percentile(text.psnrs, 0), "dB");
    BenchTable::note("settled text: pages whose frame the viewer decoded "
                     "within 1 s",
                     std::to_string(text.arrived.size()) + " of 5");
    if (!text.arrived.empty())
        BenchTable::row("settled text, luma PSNR of those pages, median",
                        percentile(text.arrived, 0.5), "dB");

    auto ms = receiverColourLatency(display, *viewers[0], 20);
    BenchTable::row("colour change to decoded pixel in the in-process "
                    "receiver, median of " + std::to_string(ms.size()),
                    percentile(ms, 0.5), "ms");
    BenchTable::row("colour change to decoded pixel in the receiver, 95th "
                    "percentile",
                    percentile(ms, 0.95), "ms");
}


// vp8enc properties set on top of the template's, for the sweep.
struct Variant {
    const char *settings; // "" for the template as it is
};

const Variant variants[] = {
    {""},
    {"static-threshold=0"},
    {"static-threshold=100"},
    {"static-threshold=1000"},
    {"cpu-used=4"},
    {"cpu-used=16"},
    {"end-usage=vbr"},
    {"end-usage=cq cq-level=10"},
    {"end-usage=cq cq-level=30"},
    {"min-quantizer=0 max-quantizer=40"},
    {"min-quantizer=10 max-quantizer=56"},
    {"noise-sensitivity=1"},
    {"sharpness=3"},
    {"token-partitions=2"},
    {"max-intra-bitrate=300"},
    {"buffer-size=300 buffer-initial-size=200 buffer-optimal-size=250"},
};

std::vector<std::string> words(const std::string &text)
{
    std::istringstream in(text);
    std::vector<std::string> out;
    for (std::string word; in >> word;)
        out.push_back(word);
    return out;
}

// The x11-damage-vp8 template with each key=value of settings replacing
// the encoder's property of that key, or added to it.
std::string templateWith(const std::string &settings)
{
    std::ifstream file(std::string(PIPELINES_DIR) + "/x11-damage-vp8.pipeline");
    std::string text;
    for (std::string line; std::getline(file, line);) {
        if (!line.empty() && line[0] != '#')
            text += line + "\n";
    }
    size_t from = text.find("vp8enc name=encoder");
    size_t to = text.find("! rtpvp8pay", from);
    if (from == std::string::npos || to == std::string::npos)
        throw std::runtime_error("no vp8enc name=encoder in the template");

    std::vector<std::string> props = words(text.substr(from, to - from));
    for (const std::string &setting : words(settings)) {
        std::string key = setting.substr(0, setting.find('=') + 1);
        auto same = std::find_if(props.begin(), props.end(), [&](auto &p) {
            return p.rfind(key, 0) == 0;
        });
        if (same != props.end())
            *same = setting;
        else
            props.push_back(setting);
    }
    std::string encoder;
    for (const std::string &p : props)
        encoder += p + " ";
    return text.substr(0, from) + encoder + text.substr(to);
}

std::string writeTemplate(const std::string &dir, int index,
                          const std::string &settings)
{
    std::string path = dir + "/variant-" + std::to_string(index) +
                       ".pipeline";
    std::ofstream(path) << templateWith(settings);
    return path;
}

std::string fmt(double value)
{
    char text[32];
    std::snprintf(text, sizeof(text), "%.1f", value);
    return text;
}

// One line of the sweep's table: the damage-driven server with settings.
void sweepRow(const std::string &display, const std::string &path,
              const std::string &settings)
{
    LoopbackServer server(display, "bench", pipeline(path));
    Viewers viewers;
    addViewers(viewers, server.signallingUrl(), 1);
    pid_t pid = server.process().pid();

    // Text first, on a screen that was still, as in the main table.
    SettledText text = settledText(display, *viewers[0], 3);
    auto painter = paint(display, contents[2]);
    Measured moving = measure(pid, viewers, 6s);
    painter.reset();
    painter = paint(display, contents[3]);
    Measured motion = measure(pid, viewers, 6s);

    std::printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n",
                settings.empty() ? "(template as it is)" : settings.c_str(),
                fmt(moving.cpu).c_str(), fmt(moving.kBps).c_str(),
                fmt(motion.cpu).c_str(), fmt(motion.fps).c_str(),
                fmt(motion.kBps).c_str(),
                fmt(percentile(text.psnrs, 0.5)).c_str(),
                (text.arrived.empty() ? std::string("none came")
                                      : fmt(percentile(text.arrived, 0.5)) +
                                            " (" +
                                            std::to_string(text.arrived.size()) +
                                            " of 3)")
                    .c_str());
    std::fflush(stdout);
}

int encoderSweep(const std::string &display)
{
    TempDir dir("stream-bench");
    std::printf("| vp8enc settings over the template's | small moving "
                "object CPU %% | its kB/s | full-screen motion CPU %% | "
                "its fps | its kB/s | "
                "text PSNR dB, median of 3 | "
                "PSNR of the pages that came in 1 s |\n"
                "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    int index = 0;
    for (const Variant &variant : variants) {
        try {
            std::string path =
                writeTemplate(dir.path, index++, variant.settings);
            sweepRow(display, path, variant.settings);
        } catch (const std::exception &e) {
            std::printf("| %s | failed: %s | | | | | | |\n", variant.settings,
                        e.what());
        }
    }
    return 0;
}

} // namespace

// FIXME: killed (rather than run to its end), the benchmark leaves its
// Xvfb, painters and servers running: nothing catches the signal.
int main(int argc, char **argv)
{
    gst_init(nullptr, nullptr);
    std::string mode = argc > 1 ? argv[1] : "";
    if (argc > 2 || (mode != "" && mode != "--encoder-sweep" &&
                     mode != "--quality")) {
        std::fprintf(stderr,
                     "usage: stream-bench [--encoder-sweep | --quality]\n");
        return 64;
    }
    XvfbServer xvfb(1280, 720);
    if (mode == "--encoder-sweep")
        return encoderSweep(xvfb.display());

    BenchTable::header();
    if (mode != "--quality") {
        for (const Content &content : contents)
            contentRows(xvfb.display(), content);
        firstFrameRows(xvfb.display());
    }
    qualityRows(xvfb.display());
    return 0;
}
