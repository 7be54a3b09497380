// The health and metrics endpoint, and the faults the server survives or
// reports: lost signalling, a failing pipeline, a vanished X server.
// Runs inside a network namespace (tests/support/netns-run).
#include "catch.hpp"

#include "ChildProcess.hpp"
#include "HttpGet.hpp"
#include "JsonLine.hpp"
#include "LoopbackServer.hpp"
#include "TempDir.hpp"
#include "WebRtcReceiver.hpp"
#include "XvfbServer.hpp"
#include "loopback/SignallingServer.hpp"

#include <glib.h>
#include <gst/gst.h>

#include <csignal>
#include <optional>

using namespace vmrtc::test;
using namespace std::chrono_literals;

namespace {

struct Endpoint {
    int port = HttpGet::freePort();

    std::string url(const std::string &path) const
    {
        return "http://127.0.0.1:" + std::to_string(port) + path;
    }
    HttpReply get(const std::string &path,
                  const std::string &method = "GET") const
    {
        return HttpGet::fetch(url(path), method);
    }
    ChildProcess::Env env() const
    {
        return {{"HEALTH_PORT", std::to_string(port)}};
    }
};

// The value of the sample whose name and labels are exactly series.
std::optional<double> sample(const std::string &page, const std::string &series)
{
    std::string text = "\n" + page;
    size_t at = text.find("\n" + series + " ");
    if (at == std::string::npos)
        return std::nullopt;
    return g_ascii_strtod(text.c_str() + at + series.size() + 2, nullptr);
}

std::string viewerLabel(const WebRtcReceiver &viewer)
{
    return "{viewer=\"" + viewer.sessionId() + "\"}";
}

// Iterates the main context (the receivers, an in-process controller)
// while polling until done() or the timeout.
bool pumpUntil(const std::function<bool()> &done,
               std::chrono::milliseconds timeout)
{
    auto next = ChildProcess::Clock::now();
    return WebRtcReceiver::pump(
        [&] {
            if (ChildProcess::Clock::now() < next)
                return false;
            next = ChildProcess::Clock::now() + 100ms;
            return done();
        },
        timeout);
}

size_t countLines(ChildProcess &process, const std::string &message)
{
    std::vector<std::string> bad;
    size_t n = 0;
    for (const JsonLine &line : parseJsonLines(process.stderrLines(), &bad))
        n += line.count("message") && line.at("message") == message;
    return n;
}

// A template whose chain runs, then fails with a real element error after
// `buffers` frames: identity's error-after.
std::string failingTemplate(const TempDir &dir, int buffers)
{
    return dir.write(
        "failing.pipeline",
        "videotestsrc is-live=true pattern=red\n"
        "  ! video/x-raw,framerate={fps}/1,width=320,height=180\n"
        "  ! identity name=fault error-after=" +
            std::to_string(buffers) +
            "\n"
            "  ! videoconvert ! video/x-raw,format=I420\n"
            "  ! vp8enc name=encoder deadline=1 cpu-used=8 end-usage=cbr\n"
            "      target-bitrate={bitrate_bps} lag-in-frames=0\n"
            "      keyframe-max-dist={keyframe_dist} threads=1\n"
            "  ! rtpvp8pay name=payloader picture-id-mode=15-bit mtu=1200\n");
}

} // namespace

TEST_CASE("health and metrics follow a viewer; bad requests change nothing",
          "[health]")
{
    gst_init(nullptr, nullptr);
    XvfbServer xvfb(640, 360);
    xvfb.paint("#ff0000");
    Endpoint health;
    LoopbackServer server(xvfb.display(), "it-health", health.env());

    HttpReply ok = health.get("/healthz");
    CHECK(ok.status == 200);
    CHECK(ok.contentType.starts_with("application/json"));
    CHECK(ok.body.find(R"("status":"ok")") != std::string::npos);
    CHECK(ok.body.find(R"("signalling":"registered")") != std::string::npos);
    CHECK(ok.body.find(R"("viewers":0)") != std::string::npos);
    CHECK(health.get("/healthz", "HEAD").status == 200);

    HttpReply post = health.get("/healthz", "POST");
    CHECK(post.status == 405);
    CHECK(post.allow == "GET, HEAD");
    CHECK(health.get("/metrics", "DELETE").status == 405);
    CHECK(health.get("/nothing-here").status == 404);
    CHECK(health.get("/").status == 404);
    CHECK(health.get("/healthz").status == 200);
    CHECK(server.process().running());

    WebRtcReceiver viewer(server.signallingUrl());
    REQUIRE(viewer.start("it-health", 10s));
    REQUIRE(viewer.waitForFrames(3, 10s));

    HttpReply first = health.get("/metrics");
    CHECK(first.status == 200);
    CHECK(first.contentType.find("version=0.0.4") != std::string::npos);
    CHECK(sample(first.body, "vmrtc_viewers_connected") == 1);
    CHECK(sample(first.body, "vmrtc_sessions_started_total") == 1);
    CHECK(sample(first.body, "vmrtc_encoder_target_bitrate_bps") == 2000000);
    CHECK(first.body.find("# TYPE vmrtc_frames_captured_total counter") !=
          std::string::npos);
    double captured =
        sample(first.body, "vmrtc_frames_captured_total").value_or(0);
    double encoded =
        sample(first.body, "vmrtc_frames_encoded_total").value_or(0);
    CHECK(captured > 0);
    CHECK(encoded > 0);
    CHECK(health.get("/healthz").body.find(R"("viewers":1)") !=
          std::string::npos);

    // The viewer's receiver reports arrive within seconds; stats are
    // refreshed every 2 s.
    std::string label = viewerLabel(viewer);
    std::string page;
    bool reported = pumpUntil(
        [&] {
            page = health.get("/metrics").body;
            return sample(page, "vmrtc_viewer_round_trip_time_seconds" + label)
                .has_value();
        },
        20s);
    INFO(page);
    REQUIRE(reported);
    CHECK(sample(page, "vmrtc_viewer_round_trip_time_seconds" + label) >= 0);
    CHECK(sample(page, "vmrtc_viewer_jitter_seconds" + label) >= 0);
    CHECK(sample(page, "vmrtc_viewer_packets_lost" + label).has_value());
    CHECK(sample(page, "vmrtc_viewer_bytes_sent_total" + label) > 0);
    CHECK(sample(page, "vmrtc_bytes_sent_total") > 0);
    std::string ice =
        "vmrtc_viewer_ice_state{viewer=\"" + viewer.sessionId() + "\",state=";
    CHECK((sample(page, ice + "\"connected\"}") == 1 ||
           sample(page, ice + "\"completed\"}") == 1));
    CHECK(sample(page, "vmrtc_viewer_dtls_state{viewer=\"" +
                           viewer.sessionId() + "\",state=\"connected\"}") ==
          1);

    // The capture follows the screen: a still one adds no frames, so the
    // counters are seen to grow after a change.
    xvfb.paint("#0000ff");
    CHECK(pumpUntil(
        [&] {
            page = health.get("/metrics").body;
            return sample(page, "vmrtc_frames_captured_total") > captured &&
                   sample(page, "vmrtc_frames_encoded_total") > encoded;
        },
        5s));

    viewer.stop();
    REQUIRE(server.logSays("\"message\":\"session ended\""));
    page = health.get("/metrics").body;
    CHECK(sample(page, "vmrtc_viewers_connected") == 0);
    CHECK(sample(page, "vmrtc_sessions_ended_total{reason=\"viewer_left\"}") ==
          1);
    CHECK(page.find(label) == std::string::npos);
}

TEST_CASE("/healthz is 503 with a reason while signalling is lost", "[health]")
{
    XvfbServer xvfb(320, 180);
    Endpoint health;
    auto controller = std::make_unique<vmrtc::SignallingServer>();
    std::string error;
    REQUIRE(controller->start("127.0.0.1", 0, &error));
    int port = controller->port();
    std::string url = "ws://127.0.0.1:" + std::to_string(port) + "/signalling";
    ChildProcess server({ChildProcess::serverBinary()},
                        {{"DISPLAY", xvfb.display()},
                         {"SESSION_ID", "it-health-lost"},
                         {"SIGNALLING_URL", url},
                         {"HEALTH_PORT", std::to_string(health.port)}});
    REQUIRE(pumpUntil([&] { return !controller->producerIds().empty(); }, 10s));
    CHECK(pumpUntil([&] { return health.get("/healthz").status == 200; }, 5s));

    controller.reset(); // the controller goes away
    HttpReply lost;
    CHECK(pumpUntil(
        [&] {
            lost = health.get("/healthz");
            return lost.status == 503;
        },
        10s));
    CHECK(lost.body.find(R"("status":"unavailable")") != std::string::npos);
    CHECK(lost.body.find(R"("signalling":"disconnected")") !=
          std::string::npos);
    CHECK(lost.body.find(R"("pipeline":"ok")") != std::string::npos);
    CHECK(lost.body.find(R"("reason":"not registered)") != std::string::npos);

    std::string page;
    CHECK(pumpUntil(
        [&] {
            page = health.get("/metrics").body;
            return sample(page, "vmrtc_signalling_reconnects_total") >= 2;
        },
        10s));
    CHECK(sample(page, "vmrtc_signalling_registered") == 0);

    // It comes back on the same port: healthy again.
    controller = std::make_unique<vmrtc::SignallingServer>();
    REQUIRE(controller->start("127.0.0.1", port, &error));
    CHECK(pumpUntil([&] { return health.get("/healthz").status == 200; }, 15s));

    server.signal(SIGTERM);
    CHECK(server.wait(10s) == 0);
}

TEST_CASE("a signalling URL nobody listens on: /healthz is 503 from the "
          "start",
          "[health]")
{
    XvfbServer xvfb(320, 180);
    Endpoint health;
    int nobody = HttpGet::freePort();
    ChildProcess server(
        {ChildProcess::serverBinary()},
        {{"DISPLAY", xvfb.display()},
         {"SESSION_ID", "it-health-nobody"},
         {"SIGNALLING_URL",
          "ws://127.0.0.1:" + std::to_string(nobody) + "/signalling"},
         {"HEALTH_PORT", std::to_string(health.port)}});
    REQUIRE(server.waitForStderr("health endpoint listening", 10s));

    HttpReply reply = health.get("/healthz");
    CHECK(reply.status == 503);
    CHECK(reply.body.find(R"("signalling":"disconnected")") !=
          std::string::npos);
    CHECK(reply.body.find(R"("reason":)") != std::string::npos);
    CHECK(health.get("/healthz", "HEAD").status == 503);
    CHECK(server.running());
    server.signal(SIGTERM);
    CHECK(server.wait(10s) == 0);
}

TEST_CASE("a failing pipeline is rebuilt without leaving signalling; a new "
          "viewer streams",
          "[health][faults]")
{
    gst_init(nullptr, nullptr);
    XvfbServer xvfb(320, 180);
    Endpoint health;
    ChildProcess::Env env = health.env();
    TempDir dir("vmrtc-health");
    env["PIPELINE"] = failingTemplate(dir, 240); // 8 s at 30 frames a second
    LoopbackServer server(xvfb.display(), "it-rebuild", env);

    WebRtcReceiver viewer(server.signallingUrl());
    REQUIRE(viewer.start("it-rebuild", 10s));
    REQUIRE(viewer.waitForFrames(3, 10s));

    // The chain fails; the viewer is ended and health says so meanwhile.
    HttpReply during;
    CHECK(pumpUntil(
        [&] {
            during = health.get("/healthz");
            return during.status == 503;
        },
        20s));
    CHECK(during.body.find(R"("pipeline":"rebuilding")") != std::string::npos);
    CHECK(during.body.find(R"("signalling":"registered")") !=
          std::string::npos);
    CHECK(pumpUntil([&] { return viewer.sessionEnded(); }, 5s));
    CHECK(pumpUntil([&] { return health.get("/healthz").status == 200; }, 10s));

    std::vector<std::string> bad;
    bool detailed = false;
    for (const JsonLine &line :
         parseJsonLines(server.process().stderrLines(), &bad)) {
        if (line.count("message") && line.at("message") == "media pipeline "
                                                           "error")
            detailed = line.at("code") == "PIPELINE_ERROR" &&
                       line.at("source").find("fault") != std::string::npos &&
                       !line.at("error").empty() && !line.at("detail").empty();
    }
    CHECK(detailed);
    CHECK(countLines(server.process(), "registered as producer") == 1);

    WebRtcReceiver again(server.signallingUrl());
    REQUIRE(again.start("it-rebuild", 10s));
    CHECK(again.waitForFrames(3, 10s));

    std::string page = health.get("/metrics").body;
    CHECK(sample(page, "vmrtc_pipeline_rebuilds_total") >= 1);
    CHECK(sample(page,
                 "vmrtc_sessions_ended_total{reason=\"pipeline_failed\"}") ==
          1);
    again.stop();
}

TEST_CASE("a pipeline that keeps failing ends the process with "
          "PIPELINE_FAILED, exit 70",
          "[health][faults]")
{
    gst_init(nullptr, nullptr);
    XvfbServer xvfb(320, 180);
    ChildProcess::Env env;
    TempDir dir("vmrtc-health");
    env["PIPELINE"] = failingTemplate(dir, 3);
    LoopbackServer server(xvfb.display(), "it-give-up", env);

    // Each viewer runs the chain, which fails at once and is rebuilt.
    int viewers = 0;
    while (server.process().running() && viewers < 12) {
        WebRtcReceiver viewer(server.signallingUrl());
        viewers++;
        if (viewer.start("it-give-up", 5s))
            pumpUntil([&] { return viewer.sessionEnded(); }, 5s);
        pumpUntil([&] { return !server.process().running(); }, 1500ms);
    }
    INFO("viewers started: " << viewers);
    CHECK(server.process().wait(10s) == 70);

    std::vector<std::string> bad;
    std::vector<JsonLine> fatal;
    for (const JsonLine &line :
         parseJsonLines(server.process().stderrLines(), &bad)) {
        if (line.at("level") == "fatal")
            fatal.push_back(line);
    }
    REQUIRE(fatal.size() == 1);
    CHECK(fatal[0].at("code") == "PIPELINE_FAILED");
    CHECK(fatal[0].at("exit") == "70");
    CHECK_FALSE(fatal[0].at("hint").empty());
    CHECK(countLines(server.process(), "rebuilding the media pipeline") == 5);
}

TEST_CASE("the X server dying while streaming: DISPLAY_LOST, exit 69 within "
          "a second",
          "[health][faults]")
{
    gst_init(nullptr, nullptr);
    XvfbServer xvfb(320, 180);
    xvfb.paint("#00ff00");
    LoopbackServer server(xvfb.display(), "it-display-lost");
    WebRtcReceiver viewer(server.signallingUrl());
    REQUIRE(viewer.start("it-display-lost", 10s));
    REQUIRE(viewer.waitForFrames(3, 10s));

    auto killedAt = ChildProcess::Clock::now();
    xvfb.stop();
    int exit = server.process().wait(5s);
    double seconds =
        std::chrono::duration<double>(ChildProcess::Clock::now() - killedAt)
            .count();
    CHECK(exit == 69);
    CHECK(seconds < 1.0);
    WARN("X server killed to exit: " << seconds << " s");

    std::vector<std::string> bad;
    bool lost = false;
    for (const JsonLine &line :
         parseJsonLines(server.process().stderrLines(), &bad))
        lost =
            lost || (line.count("code") && line.at("code") == "DISPLAY_LOST");
    CHECK(lost);
}

TEST_CASE("SIGTERM while two viewers stream: each gets endSession, exit 0",
          "[health][faults]")
{
    gst_init(nullptr, nullptr);
    XvfbServer xvfb(320, 180);
    xvfb.paint("#0000ff");
    LoopbackServer server(xvfb.display(), "it-sigterm");
    WebRtcReceiver first(server.signallingUrl());
    WebRtcReceiver second(server.signallingUrl());
    REQUIRE(first.start("it-sigterm", 10s));
    REQUIRE(second.start("it-sigterm", 10s));
    REQUIRE(first.waitForFrames(3, 10s));
    REQUIRE(second.waitForFrames(3, 10s));

    server.process().signal(SIGTERM);
    CHECK(pumpUntil(
        [&] { return first.sessionEnded() && second.sessionEnded(); }, 5s));
    CHECK(server.process().wait(10s) == 0);

    std::vector<std::string> bad;
    size_t stopping = 0;
    for (const JsonLine &line :
         parseJsonLines(server.process().stderrLines(), &bad)) {
        if (line.count("why") && line.at("why") == "server_stopping")
            stopping++;
    }
    CHECK(stopping == 2);
}

TEST_CASE("a viewer whose ICE fails is ended and counted", "[health][faults]")
{
    gst_init(nullptr, nullptr);
    XvfbServer xvfb(320, 180);
    Endpoint health;
    LoopbackServer server(xvfb.display(), "it-ice-fails", health.env());

    // The only candidate is a port nobody listens on, inside the test's
    // own network namespace; the viewer never answers a check.
    WebRtcReceiver viewer(server.signallingUrl());
    viewer.sendOnlyCandidate("candidate:1 1 UDP 2122260223 10.213.0.2 9 typ "
                             "host");
    REQUIRE(viewer.start("it-ice-fails", 10s));

    auto startedAt = ChildProcess::Clock::now();
    CHECK(pumpUntil([&] { return viewer.sessionEnded(); }, 90s));
    WARN("ICE failed after "
         << std::chrono::duration<double>(ChildProcess::Clock::now() -
                                          startedAt)
                .count()
         << " s");
    CHECK(server.logSays("ICE or DTLS failed"));
    std::string page = health.get("/metrics").body;
    CHECK(sample(page,
                 "vmrtc_sessions_ended_total{reason=\"connection_failed\"}") ==
          1);
    CHECK(sample(page, "vmrtc_viewers_connected") == 0);
    CHECK(server.process().running());
}
