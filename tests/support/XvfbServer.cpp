// XvfbServer: start Xvfb and read the display number it chose.
#include "XvfbServer.hpp"

#include <csignal>
#include <stdexcept>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace vmrtc::test {

namespace {

constexpr int displayFdInChild = 3;

std::string readDisplayNumber(int fd)
{
    std::string number;
    for (;;) {
        pollfd pfd{fd, POLLIN, 0};
        if (poll(&pfd, 1, 10000) <= 0)
            throw std::runtime_error("Xvfb did not report a display in 10 s");
        char c;
        if (read(fd, &c, 1) != 1)
            throw std::runtime_error("Xvfb exited before reporting a display");
        if (c == '\n')
            return number;
        number += c;
    }
}

} // namespace

XvfbServer::XvfbServer(int width, int height)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe failed");

    std::string screen =
        std::to_string(width) + "x" + std::to_string(height) + "x24";
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"/usr/bin/Xvfb", "-displayfd",
                                 std::to_string(displayFdInChild), "-screen",
                                 "0", screen, "-nolisten", "tcp", "-noreset"},
        ChildProcess::Env{{"PATH", "/usr/bin:/bin"}},
        std::map<int, int>{{fds[1], displayFdInChild}});
    close(fds[1]);

    try {
        display_ = ":" + readDisplayNumber(fds[0]);
    } catch (...) {
        close(fds[0]);
        throw;
    }
    close(fds[0]);
}

XvfbServer::~XvfbServer()
{
    process_->signal(SIGTERM);
    process_->wait(std::chrono::milliseconds(5000));
}

void XvfbServer::paint(const std::string &colour) const
{
    ChildProcess xsetroot(
        {"/usr/bin/xsetroot", "-display", display_, "-solid", colour}, {});
    if (xsetroot.wait(std::chrono::seconds(10)) != 0)
        throw std::runtime_error("xsetroot could not paint " + colour);
}

void XvfbServer::stop()
{
    process_->signal(SIGKILL);
    process_->wait(std::chrono::milliseconds(5000));
}

} // namespace vmrtc::test
