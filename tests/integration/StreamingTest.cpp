// Streaming end to end: an Xvfb painted a known colour, the server in
// loopback mode, and GStreamer receivers that decode what it sends.
// Runs inside a network namespace (tests/support/netns-run).
#include "catch.hpp"

#include "ChildProcess.hpp"
#include "LoopbackServer.hpp"
#include "WebRtcReceiver.hpp"
#include "XvfbServer.hpp"

#include <gst/gst.h>

#include <csignal>

using namespace vmrtc::test;
using namespace std::chrono_literals;

namespace {

constexpr int tolerance = 40; // VP8 is lossy; flat colours stay close

} // namespace

TEST_CASE("a receiver decodes the painted colour and follows changes",
          "[streaming]")
{
    gst_init(nullptr, nullptr);
    XvfbServer xvfb(640, 360);
    xvfb.paint("#ff0000");
    LoopbackServer server(xvfb.display(), "it-colour");

    WebRtcReceiver viewer(server.signallingUrl());
    REQUIRE(viewer.start("it-colour", 10s));
    REQUIRE(viewer.waitForFrames(3, 10s));
    CHECK(viewer.waitForColour({255, 0, 0}, tolerance, 5s));

    // Browsers are asked to show each frame at once (playout delay 0).
    CHECK_THAT(viewer.offer(),
               Catch::Contains("a=extmap:7 http://www.webrtc.org/experiments/"
                               "rtp-hdrext/playout-delay"));

    xvfb.paint("#0000ff");
    CHECK(viewer.waitForColour({0, 0, 255}, tolerance, 3s));

    xvfb.paint("#00ff00");
    CHECK(viewer.waitForColour({0, 255, 0}, tolerance, 3s));

    viewer.stop();
    CHECK(server.logSays("\"message\":\"session ended\""));
    CHECK(server.logSays("capture stopped: no viewer left"));
}

TEST_CASE("two receivers at once; one leaving leaves the other playing",
          "[streaming]")
{
    gst_init(nullptr, nullptr);
    XvfbServer xvfb(640, 360);
    xvfb.paint("#ffffff");
    LoopbackServer server(xvfb.display(), "it-two");

    WebRtcReceiver first(server.signallingUrl());
    WebRtcReceiver second(server.signallingUrl());
    REQUIRE(first.start("it-two", 10s));
    REQUIRE(second.start("it-two", 10s));
    REQUIRE(first.waitForFrames(3, 10s));
    REQUIRE(second.waitForFrames(3, 10s));
    CHECK(first.waitForColour({255, 255, 255}, tolerance, 5s));
    CHECK(second.waitForColour({255, 255, 255}, tolerance, 5s));

    first.stop();
    CHECK(server.logSays("\"message\":\"session ended\""));

    int before = second.framesDecoded();
    xvfb.paint("#ff00ff");
    CHECK(second.waitForColour({255, 0, 255}, tolerance, 3s));
    CHECK(second.waitForFrames(before + 5, 5s));
    CHECK_FALSE(second.sessionEnded());
}

TEST_CASE("the server ends its sessions on SIGTERM", "[streaming]")
{
    gst_init(nullptr, nullptr);
    XvfbServer xvfb(640, 360);
    xvfb.paint("#808080");
    LoopbackServer server(xvfb.display(), "it-stop");

    WebRtcReceiver viewer(server.signallingUrl());
    REQUIRE(viewer.start("it-stop", 10s));
    REQUIRE(viewer.waitForFrames(3, 10s));

    server.process().signal(SIGTERM);
    CHECK(WebRtcReceiver::pump([&] { return viewer.sessionEnded(); }, 5s));
    CHECK(server.process().wait(10s) == 0);
}
