// The damage-driven capture (pipelines/x11-damage-vp8.pipeline) end to
// end: nothing is sent while the screen is still, a change goes out at
// once, and a viewer joining a still screen still gets its picture.
// Runs inside a network namespace (tests/support/netns-run).
#include "catch.hpp"

#include "LoopbackServer.hpp"
#include "WebRtcReceiver.hpp"
#include "XvfbServer.hpp"

#include <gst/gst.h>

#include <X11/Xlib.h>

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

// Fills a width x height block at the root window's corner with pixel.
void fillBlock(const std::string &display, int width, int height,
               unsigned long pixel)
{
    Display *x = XOpenDisplay(display.c_str());
    REQUIRE(x);
    Window root = DefaultRootWindow(x);
    GC gc = XCreateGC(x, root, 0, nullptr);
    XSetForeground(x, gc, pixel);
    XSetSubwindowMode(x, gc, IncludeInferiors);
    XFillRectangle(x, root, gc, 10, 10, width, height);
    XFreeGC(x, gc);
    XCloseDisplay(x); // flushes
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

    // The join's two keyframes and their refinement end within 2 s.
    WebRtcReceiver::pump([] { return false; }, 2500ms);
    CHECK(framesDuring(viewer, 3s) == 0);

    auto painted = ChildProcess::Clock::now();
    xvfb.paint("#0000ff");
    CHECK(viewer.waitForColour({0, 0, 255}, tolerance, 3s));
    std::chrono::duration<double, std::milli> took =
        ChildProcess::Clock::now() - painted;
    WARN("the change reached the viewer " << took.count()
                                          << " ms after the repaint");
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
    WebRtcReceiver::pump([] { return false; }, 2500ms);
    CHECK(framesDuring(second, 2s) == 0);
}

TEST_CASE("a large change is refined once it settles; a small one is not",
          "[damage]")
{
    gst_init(nullptr, nullptr);
    XvfbServer xvfb(640, 360);
    xvfb.paint("#ff0000");
    LoopbackServer server(xvfb.display(), "it-refine", damagePipeline);

    WebRtcReceiver viewer(server.signallingUrl());
    REQUIRE(viewer.start("it-refine", 10s));
    REQUIRE(viewer.waitForFrames(1, 10s));
    WebRtcReceiver::pump([] { return false; }, 2500ms);

    // The whole screen: one frame, then the template's refine-frames (20).
    xvfb.paint("#0000ff");
    int large = framesDuring(viewer, 1500ms);
    CHECK(large >= 21);
    CHECK(large <= 23);
    CHECK(framesDuring(viewer, 1s) == 0);

    // A 20x30 block, a caret: one frame and no refinement.
    fillBlock(xvfb.display(), 20, 30, 0xffffff);
    CHECK(framesDuring(viewer, 1500ms) == 1);
}
