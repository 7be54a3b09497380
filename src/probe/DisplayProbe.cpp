// DisplayProbe: open the X display on a worker thread, wait a bounded time.
#include "probe/DisplayProbe.hpp"

#include <X11/Xlib.h>

#include <future>
#include <memory>
#include <thread>

namespace vmrtc {

namespace {

std::optional<DisplayInfo> openAndMeasure(const std::string &name)
{
    Display *display = XOpenDisplay(name.c_str());
    if (!display)
        return std::nullopt;

    int screen = DefaultScreen(display);
    DisplayInfo info{DisplayWidth(display, screen),
                     DisplayHeight(display, screen)};
    XCloseDisplay(display);
    return info;
}

} // namespace

std::optional<DisplayInfo>
DisplayProbe::probe(const std::string &display,
                    std::chrono::milliseconds timeout, Problem *problem)
{
    auto promise = std::make_shared<std::promise<std::optional<DisplayInfo>>>();
    std::future<std::optional<DisplayInfo>> result = promise->get_future();
    std::thread([promise, display] {
        promise->set_value(openAndMeasure(display));
    }).detach();

    bool answered = result.wait_for(timeout) == std::future_status::ready;
    std::optional<DisplayInfo> info = answered ? result.get() : std::nullopt;
    if (info)
        return info;

    *problem = {
        "DISPLAY_UNREACHABLE",
        "no X server answered on DISPLAY " + display +
            (answered ? " (connection refused or not authorized)"
                      : " within " + std::to_string(timeout.count()) + " ms"),
        "start the X server (e.g. Xvfb " + display +
            ") before this server, or fix DISPLAY; under "
            "supervisord give the X server a lower priority so it "
            "starts first",
        ExitCode::Unavailable, "X server"};
    return std::nullopt;
}

} // namespace vmrtc
