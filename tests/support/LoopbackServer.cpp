// LoopbackServer: start the server, read its signalling URL from its log.
#include "LoopbackServer.hpp"

#include "JsonLine.hpp"

#include <glib.h>

#include <csignal>
#include <stdexcept>

namespace vmrtc::test {

using namespace std::chrono_literals;

LoopbackServer::LoopbackServer(const std::string &display,
                               const std::string &session,
                               ChildProcess::Env extraEnv)
{
    ChildProcess::Env env{{"DISPLAY", display},
                          {"SESSION_ID", session},
                          {"MASTER_CONTROLLER_URL", "http://127.0.0.1:9"}};
    env.merge(extraEnv);
    env.try_emplace("HEALTH_PORT", "0"); // unless the test asks for a port
    // For whoever debugs a failure or hunts a leak.
    for (const char *name : {"GST_DEBUG", "GST_TRACERS"}) {
        if (const char *value = g_getenv(name))
            env[name] = value;
    }

    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{ChildProcess::serverBinary(), "--loopback",
                                 "--port", "0", "--log-level", "debug"},
        env);
    if (!process_->waitForStderr("\"message\":\"registered as producer\"", 15s))
        throw std::runtime_error("the server did not register in 15 s");

    std::vector<std::string> bad;
    for (const JsonLine &line : parseJsonLines(process_->stderrLines(), &bad)) {
        if (line.count("signalling") && line.at("message") == "started")
            signallingUrl_ = line.at("signalling");
    }
    if (signallingUrl_.empty())
        throw std::runtime_error("the server logged no signalling URL");
}

LoopbackServer::~LoopbackServer()
{
    if (process_->running()) {
        process_->signal(SIGTERM);
        process_->wait(10s);
    }
    for (const std::string &line : process_->stderrLines())
        g_printerr("server: %s\n", line.c_str());
}

bool LoopbackServer::logSays(const std::string &text)
{
    return process_->waitForStderr(text, 5s);
}

} // namespace vmrtc::test
