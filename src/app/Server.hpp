// The running server: owns the main loop and stops on SIGTERM or SIGINT.
#pragma once

#include "capture/MediaPipeline.hpp"
#include "config/Config.hpp"
#include "health/HealthServer.hpp"
#include "health/Metrics.hpp"
#include "input/InputService.hpp"
#include "loopback/SignallingServer.hpp"
#include "probe/DisplayWatch.hpp"
#include "session/Producer.hpp"
#include "util/GRef.hpp"

#include <glib.h>

#include <deque>
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

    // Runs until a stop signal, or until the pipeline keeps failing;
    // returns the process exit code.
    int run();

    // A shared chain failing this often within the window ends the process.
    static constexpr size_t maxRebuilds = 5;
    static constexpr gint64 rebuildWindowUs = 60 * G_USEC_PER_SEC;
    // Pause before rebuilding, so a chain that fails at once does not spin.
    static constexpr guint rebuildDelayMs = 1000;
    static constexpr guint statsIntervalSeconds = 2;

private:
    bool startLoopback();
    bool startHealth();
    bool startStreaming();
    void shutdown();
    std::string metaJson() const;
    HealthStatus healthStatus() const;
    std::string renderMetrics();

    void pipelineFailed(const std::string &error);
    void rebuildPipeline();
    void giveUp(const std::string &error);
    static gboolean onRebuild(gpointer self);
    static gboolean onStatsTick(gpointer self);

    static gboolean onSigterm(gpointer self);
    static gboolean onSigint(gpointer self);
    void stop(int signal);

    Config config_;
    Options options_;
    GRef<GMainLoop> loop_;
    DisplayWatch displayWatch_;
    Metrics metrics_; // outlives the pipeline and the producer
    std::unique_ptr<SignallingServer> loopbackServer_;
    std::unique_ptr<MediaPipeline> media_;
    std::unique_ptr<InputService> input_;
    std::unique_ptr<Producer> producer_;
    std::unique_ptr<HealthServer> health_;
    PipelineHealth pipelineHealth_ = PipelineHealth::Ok;
    std::deque<gint64> rebuilds_; // monotonic times within the window
    guint rebuildSource_ = 0;
    guint statsSource_ = 0;
    int exitCode_ = 0;
    std::thread certificateWarmup_;
    guint sigterm_ = 0;
    guint sigint_ = 0;
    int stopSignal_ = 0;
};

} // namespace vmrtc
