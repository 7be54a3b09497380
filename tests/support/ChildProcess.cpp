// ChildProcess: posix_spawn with pipes and one reader thread per stream.
#include "ChildProcess.hpp"

#include "SanitizerReport.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <stdexcept>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace vmrtc::test {

namespace {

std::vector<char *> pointers(std::vector<std::string> &strings)
{
    std::vector<char *> out;
    for (std::string &s : strings)
        out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// A sanitized build's children need the options of the test's own run:
// where the suppressions are, that an error fails the program, which
// GStreamer registry and allocator to use (tests/sanitize/meson.build).
ChildProcess::Env withSanitizerOptions(ChildProcess::Env env)
{
    for (const char *name : {"ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS",
                             "G_SLICE", "GST_REGISTRY"}) {
        const char *value = std::getenv(name);
        if (value && !env.count(name))
            env[name] = value;
    }
    return env;
}

int decode(int raw)
{
    if (WIFEXITED(raw))
        return WEXITSTATUS(raw);
    if (WIFSIGNALED(raw))
        return 128 + WTERMSIG(raw);
    return -1;
}

} // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, const Env &env,
                           std::map<int, int> passFds)
    : program_(argv.at(0))
{
    int out[2];
    int err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe failed");

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    for (auto [parentFd, childFd] : passFds)
        posix_spawn_file_actions_adddup2(&actions, parentFd, childFd);

    std::vector<std::string> envStrings;
    for (const auto &[key, value] : withSanitizerOptions(env))
        envStrings.push_back(key + "=" + value);
    std::vector<char *> argvp = pointers(argv);
    std::vector<char *> envp = pointers(envStrings);

    int rc = posix_spawn(&pid_, argvp[0], &actions, nullptr, argvp.data(),
                         envp.data());
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    close(err[1]);
    if (rc != 0) {
        close(out[0]);
        close(err[0]);
        throw std::runtime_error("cannot start " + argv[0]);
    }

    outReader_ = std::thread(&ChildProcess::readInto, this, out[0], &stdout_);
    errReader_ = std::thread(&ChildProcess::readInto, this, err[0], &stderr_);
}

ChildProcess::~ChildProcess()
{
    // SIGTERM first: a server that exits by itself runs the leak check.
    if (running()) {
        ::kill(pid_, SIGTERM);
        wait(std::chrono::milliseconds(10000));
    }

    if (outReader_.joinable())
        outReader_.join();
    if (errReader_.joinable())
        errReader_.join();

    SanitizerReport::check(program_, pid_, stderr_);
}

void ChildProcess::readInto(int fd, std::string *sink)
{
    char buf[4096];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        std::lock_guard lock(mutex_);
        sink->append(buf, static_cast<size_t>(n));
        changed_.notify_all();
    }
    close(fd);
}

void ChildProcess::signal(int sig) const
{
    ::kill(pid_, sig);
}

bool ChildProcess::running()
{
    if (status_ >= 0)
        return false;
    int raw = 0;
    if (waitpid(pid_, &raw, WNOHANG) == pid_) {
        status_ = decode(raw);
        return false;
    }
    return true;
}

bool ChildProcess::waitForStderr(const std::string &text,
                                 std::chrono::milliseconds timeout)
{
    auto deadline = Clock::now() + timeout;
    std::unique_lock lock(mutex_);
    while (stderr_.find(text) == std::string::npos) {
        if (Clock::now() >= deadline)
            return false;
        changed_.wait_for(lock, std::chrono::milliseconds(20));
    }
    return true;
}

int ChildProcess::wait(std::chrono::milliseconds timeout)
{
    auto deadline = Clock::now() + timeout;
    while (running()) {
        if (Clock::now() >= deadline) {
            ::kill(pid_, SIGKILL);
            int raw = 0;
            waitpid(pid_, &raw, 0);
            status_ = decode(raw);
            return -1;
        }
        usleep(5000);
    }
    return status_;
}

std::vector<std::string> ChildProcess::stderrLines()
{
    if (errReader_.joinable() && !running())
        errReader_.join();
    std::lock_guard lock(mutex_);
    std::vector<std::string> lines;
    size_t start = 0;
    for (size_t nl; (nl = stderr_.find('\n', start)) != std::string::npos;
         start = nl + 1)
        lines.push_back(stderr_.substr(start, nl - start));
    if (start < stderr_.size())
        lines.push_back(stderr_.substr(start));
    return lines;
}

std::string ChildProcess::stdoutText()
{
    if (outReader_.joinable() && !running())
        outReader_.join();
    std::lock_guard lock(mutex_);
    return stdout_;
}

std::string ChildProcess::serverBinary()
{
    const char *path = std::getenv("VMRTC_BINARY");
    if (!path)
        throw std::runtime_error("VMRTC_BINARY is not set (run via meson)");
    return path;
}

} // namespace vmrtc::test
