// Server: lifecycle of the running process.
#include "app/Server.hpp"

#include "app/ExitCode.hpp"
#include "log/Logger.hpp"

#include <glib-unix.h>

#include <csignal>
#include <cstring>
#include <unistd.h>

namespace vmrtc {

namespace {

const Logger logger{"server"};

} // namespace

Server::Server(Config config)
    : config_(std::move(config)),
      loop_(GRef<GMainLoop>::adopt(g_main_loop_new(nullptr, FALSE)))
{}

Server::~Server()
{
    if (sigterm_)
        g_source_remove(sigterm_);
    if (sigint_)
        g_source_remove(sigint_);
}

int Server::run()
{
    sigterm_ = g_unix_signal_add(SIGTERM, &Server::onSigterm, this);
    sigint_ = g_unix_signal_add(SIGINT, &Server::onSigint, this);

    logger.info("started", {{"session", config_.sessionId},
                            {"display", config_.display},
                            {"pid", std::to_string(getpid())}});
    // FIXME: nothing streams yet: the signalling client and the capture
    // pipeline are not part of the server so far; it only idles.
    g_main_loop_run(loop_.get());

    logger.info("stopped", {{"signal", sigabbrev_np(stopSignal_)}});
    return toInt(ExitCode::Ok);
}

gboolean Server::onSigterm(gpointer self)
{
    static_cast<Server *>(self)->stop(SIGTERM);
    return G_SOURCE_CONTINUE;
}

gboolean Server::onSigint(gpointer self)
{
    static_cast<Server *>(self)->stop(SIGINT);
    return G_SOURCE_CONTINUE;
}

void Server::stop(int signal)
{
    stopSignal_ = signal;
    logger.info("stopping", {{"signal", sigabbrev_np(signal)}});
    g_main_loop_quit(loop_.get());
}

} // namespace vmrtc
