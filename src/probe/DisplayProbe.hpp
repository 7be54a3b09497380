// Checks that an X server answers on a display, within a time limit.
#pragma once

#include "app/Problem.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace vmrtc {

struct DisplayInfo {
    int width = 0;
    int height = 0;
};

class DisplayProbe {
public:
    // Opens and closes a connection to display. XOpenDisplay can block on
    // a remote host that drops packets, so it runs on a thread of its own
    // and is abandoned after the timeout.
    static std::optional<DisplayInfo> probe(const std::string &display,
                                            std::chrono::milliseconds timeout,
                                            Problem *problem);
};

} // namespace vmrtc
