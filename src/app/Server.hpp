// The running server: owns the main loop and stops on SIGTERM or SIGINT.
#pragma once

#include "config/Config.hpp"
#include "util/GRef.hpp"

#include <glib.h>

namespace vmrtc {

class Server {
public:
    explicit Server(Config config);
    ~Server();

    Server(const Server &) = delete;
    Server &operator=(const Server &) = delete;

    // Runs until a stop signal; returns the process exit code.
    int run();

private:
    static gboolean onSigterm(gpointer self);
    static gboolean onSigint(gpointer self);
    void stop(int signal);

    Config config_;
    GRef<GMainLoop> loop_;
    guint sigterm_ = 0;
    guint sigint_ = 0;
    int stopSignal_ = 0;
};

} // namespace vmrtc
