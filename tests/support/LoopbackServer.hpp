// The built server run in loopback mode on a free port, for tests and
// benchmarks; knows the signalling URL it listens on.
#pragma once

#include "ChildProcess.hpp"

#include <memory>
#include <string>

namespace vmrtc::test {

class LoopbackServer {
public:
    // Starts the server for display and session; waits until it has
    // registered as a producer with its own signalling server. Without
    // HEALTH_PORT in extraEnv the health endpoint is off.
    LoopbackServer(const std::string &display, const std::string &session,
                   ChildProcess::Env extraEnv = {});
    ~LoopbackServer(); // SIGTERM, then prints the server's log to stderr

    ChildProcess &process() { return *process_; }
    const std::string &signallingUrl() const { return signallingUrl_; }

    // True when a stderr line containing text shows up within 5 s.
    bool logSays(const std::string &text);

private:
    std::unique_ptr<ChildProcess> process_;
    std::string signallingUrl_;
};

} // namespace vmrtc::test
