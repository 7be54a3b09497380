// A program run by a test with an exact environment; its output is
// collected line by line while it runs.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <sys/types.h>

namespace vmrtc::test {

class ChildProcess {
public:
    using Env = std::map<std::string, std::string>;
    using Clock = std::chrono::steady_clock;

    // Starts argv[0] with argv and exactly env; only the variables of a
    // sanitized run (tests/sanitize/meson.build) are inherited, when env
    // does not set them. Extra descriptors: parent fd -> child fd,
    // duplicated before exec.
    ChildProcess(std::vector<std::string> argv, const Env &env,
                 std::map<int, int> passFds = {});

    // Stops a child still running (SIGTERM, then SIGKILL after 10 s), then
    // hands its stderr to SanitizerReport.
    ~ChildProcess();

    ChildProcess(const ChildProcess &) = delete;
    ChildProcess &operator=(const ChildProcess &) = delete;

    pid_t pid() const { return pid_; }
    void signal(int sig) const;

    // Waits for a stderr line containing text; false on timeout or exit.
    bool waitForStderr(const std::string &text,
                       std::chrono::milliseconds timeout);

    // Waits for the exit; returns the exit status, or -1 on timeout (the
    // child is then killed), or 128+N when killed by signal N.
    int wait(std::chrono::milliseconds timeout);

    std::vector<std::string> stderrLines();
    std::string stdoutText();
    bool running();

    // Where the program under test is: $VMRTC_BINARY from meson.
    static std::string serverBinary();

private:
    void readInto(int fd, std::string *sink);

    std::string program_;
    pid_t pid_ = -1;
    int status_ = -1;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::string stdout_;
    std::string stderr_;
    std::thread outReader_;
    std::thread errReader_;
};

} // namespace vmrtc::test
