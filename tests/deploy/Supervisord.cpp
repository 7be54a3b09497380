// Supervisord: a private supervisord configuration and its control client.
#include "Supervisord.hpp"

#include "WebRtcReceiver.hpp"

#include <glib.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace vmrtc::test {

namespace {

using namespace std::chrono_literals;

const char *const supervisordPath = "/usr/bin/supervisord";
const char *const supervisorctlPath = "/usr/bin/supervisorctl";

const ChildProcess::Env plainEnv{{"PATH", "/usr/bin:/bin"}};

std::string mainSections(const std::string &dir)
{
    return "[unix_http_server]\n"
           "file=" + dir + "/supervisor.sock\n"
           "chmod=0700\n\n"
           "[supervisord]\n"
           "nodaemon=true\n"
           "logfile=" + dir + "/supervisord.log\n"
           "pidfile=" + dir + "/supervisord.pid\n"
           "childlogdir=" + dir + "\n"
           "loglevel=info\n\n"
           "[rpcinterface:supervisor]\n"
           "supervisor.rpcinterface_factory = "
           "supervisor.rpcinterface:make_main_rpcinterface\n\n"
           "[supervisorctl]\n"
           "serverurl=unix://" + dir + "/supervisor.sock\n\n";
}

} // namespace

Supervisord::Supervisord(const std::string &dir, const std::string &programs)
    : dir_(dir), config_(dir + "/supervisord.conf")
{
    if (!g_file_test(supervisordPath, G_FILE_TEST_IS_EXECUTABLE))
        throw std::runtime_error("supervisord is not installed: apt-get "
                                 "install supervisor, or scripts/install-deps");

    std::ofstream(config_) << mainSections(dir) << programs;

    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{supervisordPath, "-n", "-c", config_},
        plainEnv);
}

Supervisord::~Supervisord()
{
    if (process_->running()) {
        process_->signal(SIGTERM);
        process_->wait(30s);
    }
    std::istringstream lines(log());
    for (std::string line; std::getline(lines, line);)
        g_printerr("supervisord: %s\n", line.c_str());
}

std::string Supervisord::control(const std::vector<std::string> &args)
{
    std::vector<std::string> argv{supervisorctlPath, "-c", config_};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildProcess ctl(argv, plainEnv);
    ctl.wait(20s);
    return ctl.stdoutText();
}

Supervisord::Status Supervisord::status(const std::string &program)
{
    // "NAME   STATE   pid 123, uptime 0:00:06" or "NAME   FATAL   Exited ..."
    std::istringstream line(control({"status", program}));
    std::string name;
    Status status;
    line >> name >> status.state;
    if (name != program)
        return {};

    std::string word;
    if (line >> word && word == "pid")
        line >> status.pid;
    return status;
}

Supervisord::Status
Supervisord::waitFor(const std::string &program,
                     const std::function<bool(const Status &)> &done,
                     std::chrono::milliseconds timeout)
{
    Status last;
    auto nextAsk = ChildProcess::Clock::now();
    WebRtcReceiver::pump(
        [&] {
            if (ChildProcess::Clock::now() < nextAsk)
                return false;
            last = status(program);
            nextAsk = ChildProcess::Clock::now() + 250ms;
            return done(last);
        },
        timeout);
    return last;
}

std::string Supervisord::log() const
{
    std::ifstream in(dir_ + "/supervisord.log");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace vmrtc::test
