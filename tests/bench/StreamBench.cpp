// stream-bench: measures the server side by side with the plain pipeline
// on one Xvfb in one run, and prints a Markdown table for
// docs/performance.md. Run through scripts/bench (inside a network
// namespace, as root).
#include "ChildProcess.hpp"
#include "LoopbackServer.hpp"
#include "ProcessStats.hpp"
#include "WebRtcReceiver.hpp"
#include "XvfbServer.hpp"

#include <gst/gst.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>

#include <unistd.h>

using namespace vmrtc::test;
using namespace std::chrono_literals;

namespace {

constexpr auto warmup = 2s;
constexpr auto window = 10s;

// Percent of one core used over the window, after a warm-up; the main
// context keeps running so receivers go on decoding meanwhile.
double cpuPercent(pid_t pid)
{
    WebRtcReceiver::pump([] { return false; }, warmup);
    double before = cpuSeconds(pid);
    auto start = ChildProcess::Clock::now();
    WebRtcReceiver::pump([] { return false; }, window);
    double seconds =
        std::chrono::duration<double>(ChildProcess::Clock::now() - start)
            .count();
    return 100.0 * (cpuSeconds(pid) - before) / seconds;
}

void row(const char *what, const std::string &value, const char *note = "")
{
    std::printf("| %s | %s | %s |\n", what, value.c_str(), note);
}

std::string fixed(double value, const char *unit)
{
    char text[64];
    std::snprintf(text, sizeof(text), "%.1f %s", value, unit);
    return text;
}

// From a new viewer's connection to its first decoded frame.
double firstFrameMs(const std::string &url)
{
    auto start = ChildProcess::Clock::now();
    WebRtcReceiver viewer(url);
    if (!viewer.start("bench", 10s) || !viewer.waitForFrames(1, 10s))
        return -1;
    return std::chrono::duration<double, std::milli>(
               ChildProcess::Clock::now() - start)
        .count();
}

std::vector<std::unique_ptr<WebRtcReceiver>> viewers(const std::string &url,
                                                     int count)
{
    std::vector<std::unique_ptr<WebRtcReceiver>> out;
    for (int i = 0; i < count; i++) {
        out.push_back(std::make_unique<WebRtcReceiver>(url));
        if (!out.back()->start("bench", 10s) ||
            !out.back()->waitForFrames(1, 10s))
            std::fprintf(stderr, "stream-bench: viewer %d got no frame\n", i);
    }
    return out;
}

struct Measured {
    double cpu = 0;
    long rss = 0;
};

Measured measure(pid_t pid)
{
    Measured m;
    m.cpu = cpuPercent(pid);
    m.rss = rssKiB(pid);
    return m;
}

Measured plainPipeline(const std::string &display)
{
    ChildProcess plain({"/usr/bin/gst-launch-1.0", "-q", "ximagesrc",
                        "display-name=" + display, "use-damage=false", "!",
                        "video/x-raw,framerate=30/1", "!", "videoconvert", "!",
                        "vp8enc", "deadline=1", "!", "rtpvp8pay", "!",
                        "fakesink"},
                       {{"DISPLAY", display}});
    Measured m = measure(plain.pid());
    plain.signal(SIGINT);
    plain.wait(5s);
    return m;
}

std::string mb(long kib)
{
    return fixed(kib / 1024.0, "MB");
}

// CPU and RSS of a server on display with `env` and one viewer.
Measured serverWithOneViewer(const std::string &display,
                             const ChildProcess::Env &env)
{
    LoopbackServer server(display, "bench", env);
    auto viewing = viewers(server.signallingUrl(), 1);
    return measure(server.process().pid());
}

// The fixed-rate and the damage-driven capture side by side: on the moving
// display, and on a still one of the same size.
void compareCaptures(const std::string &moving, const Measured &plain)
{
    const ChildProcess::Env damage{{"PIPELINE", "x11-damage-vp8"}};
    Measured damageMoving = serverWithOneViewer(moving, damage);

    XvfbServer still(1280, 720);
    still.paint("#336699");
    Measured fixedStill = serverWithOneViewer(still.display(), {});
    Measured damageStill = serverWithOneViewer(still.display(), damage);

    row("x11-damage-vp8 server CPU, one viewer, moving square",
        fixed(damageMoving.cpu, "% of a core"), "");
    row("ratio x11-damage-vp8 moving / plain",
        fixed(damageMoving.cpu / plain.cpu, "x"), "<= 1.0");
    row("x11-vp8 server CPU, one viewer, still screen",
        fixed(fixedStill.cpu, "% of a core"), "");
    row("x11-damage-vp8 server CPU, one viewer, still screen",
        fixed(damageStill.cpu, "% of a core"), "<= 3 %");
    row("x11-damage-vp8 server RSS, one viewer, still screen",
        mb(damageStill.rss), "<= 40 MB");
}

} // namespace

int main()
{
    gst_init(nullptr, nullptr);
    XvfbServer xvfb(1280, 720);
    ChildProcess painter({X_PAINTER, "--display", xvfb.display(), "--moving"},
                         {});

    Measured plain = plainPipeline(xvfb.display());

    LoopbackServer server(xvfb.display(), "bench");
    pid_t pid = server.process().pid();
    Measured idle = measure(pid);

    auto viewing = viewers(server.signallingUrl(), 1);
    Measured one = measure(pid);
    auto more = viewers(server.signallingUrl(), 2);
    Measured three = measure(pid);
    viewing.clear();
    more.clear();

    std::vector<double> firsts;
    long afterFive = 0;
    for (int i = 0; i < 20; i++) {
        firsts.push_back(firstFrameMs(server.signallingUrl()));
        if (i == 4)
            afterFive = rssKiB(pid);
    }
    WebRtcReceiver::pump([] { return false; }, 2s);
    long after = rssKiB(pid);
    std::sort(firsts.begin(), firsts.end());

    std::printf("| measure | value | target |\n| --- | --- | --- |\n");
    row("plain pipeline CPU (ximagesrc ! videoconvert ! vp8enc deadline=1 "
        "! rtpvp8pay ! fakesink)",
        fixed(plain.cpu, "% of a core"), "baseline");
    row("plain pipeline RSS", mb(plain.rss), "baseline");
    row("server CPU, no viewer", fixed(idle.cpu, "% of a core"), "near 0");
    row("server RSS, no viewer", mb(idle.rss), "");
    row("server CPU, one viewer", fixed(one.cpu, "% of a core"), "");
    row("ratio one viewer / plain", fixed(one.cpu / plain.cpu, "x"), "<= 1.15");
    row("server CPU, three viewers", fixed(three.cpu, "% of a core"), "");
    row("ratio three viewers / one", fixed(three.cpu / one.cpu, "x"), "<= 1.3");
    row("server RSS, one viewer", mb(one.rss), "< 80 MB");
    row("server RSS, three viewers", mb(three.rss), "");
    row("first decoded frame after connecting (includes startSession), "
        "median of 20",
        fixed(firsts[10], "ms"), "<= 500 ms");
    row("first decoded frame, worst of 20", fixed(firsts[19], "ms"), "");
    row("server RSS after 8 sessions came and went", mb(afterFive), "");
    row("server RSS after 23 sessions came and went", mb(after), "");
    compareCaptures(xvfb.display(), plain);
    return 0;
}
