// An Xvfb of the test's own on a display number Xvfb picks itself
// (-displayfd), so tests never touch the user's display or each other's.
#pragma once

#include "ChildProcess.hpp"

#include <memory>
#include <string>

namespace vmrtc::test {

class XvfbServer {
public:
    explicit XvfbServer(int width = 1280, int height = 720);
    ~XvfbServer(); // SIGTERM, so Xvfb removes its lock file

    const std::string &display() const { return display_; } // ":N"

    // Fills the root window with a colour ("#rrggbb") using xsetroot.
    void paint(const std::string &colour) const;

    // Ends the X server now, as a crash or an operator would.
    void stop();

private:
    std::unique_ptr<ChildProcess> process_;
    std::string display_;
};

} // namespace vmrtc::test
