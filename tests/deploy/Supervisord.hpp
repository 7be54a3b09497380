// A supervisord of a test's own: in the foreground, with its socket, pid
// file and logs in a directory the test owns, asked with supervisorctl.
#pragma once

#include "ChildProcess.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace vmrtc::test {

class Supervisord {
public:
    // One line of `supervisorctl status`: the state word (RUNNING, FATAL,
    // ...) and the pid while it runs; an empty state when supervisorctl
    // got no answer.
    struct Status {
        std::string state;
        int pid = 0;
    };

    // Writes dir/supervisord.conf around the given program sections and
    // starts `supervisord -n` with it.
    Supervisord(const std::string &dir, const std::string &programs);
    ~Supervisord(); // SIGTERM, which stops every program; prints its log

    Supervisord(const Supervisord &) = delete;
    Supervisord &operator=(const Supervisord &) = delete;

    const std::string &configPath() const { return config_; }

    // Runs supervisorctl -c CONF with args; returns what it printed.
    std::string control(const std::vector<std::string> &args);

    Status status(const std::string &program);

    // Asks every 250 ms, iterating the default main context meanwhile,
    // until done(status) or the timeout; returns the last status.
    Status waitFor(const std::string &program,
                   const std::function<bool(const Status &)> &done,
                   std::chrono::milliseconds timeout);

    // supervisord's own log (spawned:, exited:, gave up: lines).
    std::string log() const;

private:
    std::string dir_;
    std::string config_;
    std::unique_ptr<ChildProcess> process_;
};

} // namespace vmrtc::test
