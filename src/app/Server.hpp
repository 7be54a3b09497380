// The running server: owns the main loop and stops on SIGTERM or SIGINT.
#pragma once

#include "capture/MediaPipeline.hpp"
#include "config/Config.hpp"
#include "input/InputService.hpp"
#include "loopback/SignallingServer.hpp"
#include "probe/DisplayWatch.hpp"
#include "session/Producer.hpp"
#include "util/GRef.hpp"

#include <glib.h>

#include <memory>
#include <string>
#include <thread>

namespace vmrtc {

class Server {
public:
    struct Options {
        std::string pipelineDescription; // filled-in capture chain
        bool loopback = false;
        std::string bind = "127.0.0.1";
        int port = 8080;
    };

    Server(Config config, Options options);
    ~Server();

    Server(const Server &) = delete;
    Server &operator=(const Server &) = delete;

    // Runs until a stop signal; returns the process exit code.
    int run();

private:
    bool startLoopback();
    bool startStreaming();
    void shutdown();
    std::string metaJson() const;

    static gboolean onSigterm(gpointer self);
    static gboolean onSigint(gpointer self);
    void stop(int signal);

    Config config_;
    Options options_;
    GRef<GMainLoop> loop_;
    DisplayWatch displayWatch_;
    std::unique_ptr<SignallingServer> loopbackServer_;
    std::unique_ptr<MediaPipeline> media_;
    std::unique_ptr<InputService> input_;
    std::unique_ptr<Producer> producer_;
    std::thread certificateWarmup_;
    guint sigterm_ = 0;
    guint sigint_ = 0;
    int stopSignal_ = 0;
};

} // namespace vmrtc
