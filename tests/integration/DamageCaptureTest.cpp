// The damage-driven capture (pipelines/x11-damage-vp8.pipeline) end to
// end: nothing is sent while the screen is still, a change goes out at
// once, and a viewer joining a still screen still gets its picture.
// Runs inside a network namespace (tests/support/netns-run).
#include "catch.hpp"

#include "LoopbackServer.hpp"
#include "WebRtcReceiver.hpp"
#include "XvfbServer.hpp"

#include <gst/gst.h>

using namespace vmrtc::test;
using namespace std::chrono_literals;

namespace {

constexpr int tolerance = 40;

const ChildProcess::Env damagePipeline{{"PIPELINE", "x11-damage-vp8"}};

// Frames decoded by viewer over period, the main context running.
int framesDuring(WebRtcReceiver &viewer, std::chrono::milliseconds period)
{
    int before = viewer.framesDecoded();
    WebRtcReceiver::pump([] { return false; }, period);
    return viewer.framesDecoded() - before;
}

} // namespace

TEST_CASE("a still screen sends nothing; a change after a long still period "
          "reaches the viewer",
          "[damage]")
{
    gst_init(nullptr, nullptr);
    XvfbServer xvfb(640, 360);
    xvfb.paint("#ff0000");
    LoopbackServer server(xvfb.display(), "it-damage", damagePipeline);

    WebRtcReceiver viewer(server.signallingUrl());
    REQUIRE(viewer.start("it-damage", 10s));
    REQUIRE(viewer.waitForFrames(1, 10s));
    CHECK(viewer.waitForColour({255, 0, 0}, tolerance, 5s));

    WebRtcReceiver::pump([] { return false; }, 1s); // settle
    CHECK(framesDuring(viewer, 3s) == 0);

    auto painted = ChildProcess::Clock::now();
    xvfb.paint("#0000ff");
    CHECK(viewer.waitForColour({0, 0, 255}, tolerance, 3s));
    std::chrono::duration<double, std::milli> took =
        ChildProcess::Clock::now() - painted;
    WARN("the change reached the viewer " << took.count()
                                          << " ms after the repaint");
    CHECK(took < 1s);
}

TEST_CASE("a viewer joining a still screen gets the picture", "[damage]")
{
    gst_init(nullptr, nullptr);
    XvfbServer xvfb(640, 360);
    xvfb.paint("#00ff00");
    LoopbackServer server(xvfb.display(), "it-join", damagePipeline);

    WebRtcReceiver first(server.signallingUrl());
    REQUIRE(first.start("it-join", 10s));
    REQUIRE(first.waitForFrames(1, 10s));
    WebRtcReceiver::pump([] { return false; }, 2s);

    WebRtcReceiver second(server.signallingUrl());
    REQUIRE(second.start("it-join", 10s));
    CHECK(second.waitForFrames(1, 5s));
    CHECK(second.waitForColour({0, 255, 0}, tolerance, 5s));
    CHECK(framesDuring(second, 2s) <= 1);
}
