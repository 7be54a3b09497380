// control-bench: how long a viewer's input takes to reach an X client,
// with the stream running; prints Markdown table rows for
// docs/performance.md. Run through scripts/bench (inside a network
// namespace, as root).
#include "BenchTable.hpp"
#include "InputRecorder.hpp"
#include "LoopbackServer.hpp"
#include "WebRtcReceiver.hpp"
#include "XvfbServer.hpp"

#include <gst/gst.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

using namespace vmrtc::test;
using vmrtc::bench::BenchTable;
using vmrtc::bench::Target;
using namespace std::chrono_literals;

namespace {

constexpr int samples = 200;

std::string navigation(int id, const std::string &event)
{
    return "{\"id\":" + std::to_string(id) +
           ",\"request\":{\"type\":\"navigationEvent\",\"event\":" + event +
           "}}";
}

// Milliseconds from sending `request` to the recorder's next line of kind;
// a negative value when it never came.
double latencyMs(WebRtcReceiver &viewer, InputRecorder &recorder,
                 const std::string &request, const std::string &kind)
{
    size_t before = recorder.events(kind).size();
    auto start = ChildProcess::Clock::now();
    viewer.sendControl(request);
    bool seen = recorder.waitFor(
        [&](const std::vector<XInputEvent> &all) {
            return std::count_if(all.begin(), all.end(), [&](auto &e) {
                       return e.event == kind;
                   }) > static_cast<long>(before);
        },
        2s);
    std::chrono::duration<double, std::milli> took =
        ChildProcess::Clock::now() - start;
    return seen ? took.count() : -1;
}

void rows(const std::string &what, std::vector<double> ms)
{
    long lost = std::count(ms.begin(), ms.end(), -1.0);
    std::erase(ms, -1.0);
    std::sort(ms.begin(), ms.end());
    if (ms.empty()) {
        BenchTable::note(what, "none of " + std::to_string(samples) +
                                   " arrived");
        return;
    }
    auto at = [&](double q) { return ms[size_t(q * double(ms.size() - 1))]; };
    BenchTable::row(what + ", median of " + std::to_string(ms.size()),
                    at(0.5), "ms", std::nullopt, Target::atMost(10));
    BenchTable::row(what + ", 99th percentile", at(0.99), "ms", std::nullopt,
                    Target::atMost(30));
    if (lost > 0)
        BenchTable::row(what + " that never arrived", double(lost), "",
                        std::nullopt, Target::atMost(0));
}

} // namespace

int main()
{
    gst_init(nullptr, nullptr);
    XvfbServer xvfb(1280, 720);
    InputRecorder recorder(xvfb.display());
    // The fixed-rate capture: the stream keeps the encoder busy at its full
    // rate while the input is timed, as on a screen that moves.
    LoopbackServer server(xvfb.display(), "bench", {{"PIPELINE", "x11-vp8"}});
    WebRtcReceiver viewer(server.signallingUrl());
    if (!viewer.start("bench", 10s) || !viewer.waitForFrames(10, 10s) ||
        !viewer.waitForControl(10s)) {
        std::fprintf(stderr, "control-bench: the viewer did not start\n");
        return 1;
    }

    std::vector<double> moves, keys;
    for (int i = 0; i < samples; i++) {
        std::string to = std::to_string(100 + i % 2 * 50);
        moves.push_back(latencyMs(
            viewer, recorder,
            navigation(2 * i, "{\"event\":\"MouseMove\",\"x\":" + to +
                                  ",\"y\":" + to + "}"),
            "motion"));
        keys.push_back(latencyMs(
            viewer, recorder,
            navigation(2 * i + 1, R"({"event":"KeyPress","key":"a"})"),
            "key-press"));
        viewer.sendControl(navigation(100000 + i,
                                      R"({"event":"KeyRelease","key":"a"})"));
        // Three requests each 20 ms: well within the server's budget of
        // 250 a second, as fast as anyone types and moves at once.
        WebRtcReceiver::pump([] { return false; }, 20ms);
    }
    int frames = viewer.framesDecoded();

    rows("pointer move, request to X event", moves);
    rows("key press, request to X event", keys);
    BenchTable::note("frames the viewer decoded meanwhile",
                     std::to_string(frames));
    return 0;
}
