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

// Time given to queued signalling messages (endSession) at shutdown.
constexpr gint64 flushUs = 300 * 1000;

// The address the producer dials to reach the loopback server.
std::string dialHost(const std::string &bind)
{
    if (bind == "0.0.0.0")
        return "127.0.0.1";
    if (bind == "::")
        return "[::1]";
    return bind.find(':') == std::string::npos ? bind : "[" + bind + "]";
}

} // namespace

Server::Server(Config config, Options options)
    : config_(std::move(config)), options_(std::move(options)),
      loop_(GRef<GMainLoop>::adopt(g_main_loop_new(nullptr, FALSE)))
{}

Server::~Server()
{
    if (certificateWarmup_.joinable())
        certificateWarmup_.join();
    if (sigterm_)
        g_source_remove(sigterm_);
    if (sigint_)
        g_source_remove(sigint_);
    if (rebuildSource_)
        g_source_remove(rebuildSource_);
    if (statsSource_)
        g_source_remove(statsSource_);
}

int Server::run()
{
    sigterm_ = g_unix_signal_add(SIGTERM, &Server::onSigterm, this);
    sigint_ = g_unix_signal_add(SIGINT, &Server::onSigint, this);

    if (!config_.display.empty() && !displayWatch_.start(config_.display)) {
        logger.fatal("the X server went away during startup",
                     {{"code", "DISPLAY_LOST"},
                      {"display", config_.display},
                      {"hint", "start the X server before this server"},
                      {"exit", "69"}});
        return toInt(ExitCode::Unavailable);
    }
    if (options_.loopback && !startLoopback())
        return toInt(ExitCode::Unavailable);
    if (config_.healthPort != 0 && !startHealth())
        return toInt(ExitCode::Unavailable);
    if (!startStreaming())
        return toInt(ExitCode::Internal);

    logger.info("started", {{"session", config_.sessionId},
                            {"display", config_.display},
                            {"signalling", config_.signallingUrl},
                            {"pid", std::to_string(getpid())}});
    g_main_loop_run(loop_.get());

    shutdown();
    if (stopSignal_)
        logger.info("stopped", {{"signal", sigabbrev_np(stopSignal_)}});
    return exitCode_;
}

bool Server::startLoopback()
{
    loopbackServer_ = std::make_unique<SignallingServer>();
    std::string error;
    if (!loopbackServer_->start(options_.bind, options_.port, &error)) {
        logger.fatal("cannot listen for viewers",
                     {{"code", "LOOPBACK_PORT_UNAVAILABLE"},
                      {"bind", options_.bind},
                      {"port", std::to_string(options_.port)},
                      {"error", error},
                      {"hint", "choose a free port with --port, or stop the "
                               "program using it"},
                      {"exit", "69"}});
        return false;
    }

    std::string host = dialHost(options_.bind);
    std::string port = std::to_string(loopbackServer_->port());
    config_.signallingUrl = "ws://" + host + ":" + port + "/signalling";
    logger.info("loopback mode: open the viewer page",
                {{"url", "http://" + host + ":" + port + "/"}});
    return true;
}

bool Server::startHealth()
{
    health_ = std::make_unique<HealthServer>(
        [this] { return healthStatus(); }, [this] { return renderMetrics(); });
    std::string error;
    if (health_->start(config_.healthPort, &error))
        return true;

    logger.fatal("cannot listen for health checks",
                 {{"code", "HEALTH_PORT_UNAVAILABLE"},
                  {"address", HealthServer::address},
                  {"port", std::to_string(config_.healthPort)},
                  {"error", error},
                  {"hint", "set HEALTH_PORT to a free port, 0 to turn the "
                           "endpoint off, or stop the program using it"},
                  {"exit", "69"}});
    return false;
}

HealthStatus Server::healthStatus() const
{
    HealthStatus status;
    status.registered = producer_ && producer_->registered();
    status.pipeline = pipelineHealth_;
    status.viewers = producer_ ? producer_->sessionCount() : 0;
    return status;
}

std::string Server::renderMetrics()
{
    if (producer_)
        metrics_.signalling(producer_->registered(),
                            producer_->signallingReconnects());
    return metrics_.render();
}

bool Server::startStreaming()
{
    // The process's DTLS certificate is made when the first DTLS element
    // is; making it now keeps its cost (up to a second) off the first
    // viewer's path.
    certificateWarmup_ = std::thread([] {
        GRef<GstElement>::adopt(gst_element_factory_make("dtlsdec", nullptr));
    });

    media_ = std::make_unique<MediaPipeline>(
        options_.pipelineDescription,
        [this](const std::string &error) { pipelineFailed(error); }, &metrics_);
    std::string error;
    if (!media_->build(&error)) {
        logger.fatal("cannot build the media pipeline",
                     {{"code", "INTERNAL_ERROR"}, {"error", error}});
        return false;
    }

    Producer::Options options;
    options.signalling.url = config_.signallingUrl;
    options.signalling.token = config_.signallingToken;
    options.signalling.metaJson = metaJson();
    options.ice = {config_.stunServer, config_.turnServers, config_.icePortMin,
                   config_.icePortMax};
    options.maxViewers = static_cast<size_t>(config_.maxViewers);
    options.metrics = &metrics_;
    input_ = std::make_unique<InputService>(
        InputService::Options{config_.display, config_.width, config_.height,
                              config_.input, config_.clipboardOut});
    options.input = input_.get();
    producer_ = std::make_unique<Producer>(std::move(options), *media_);
    producer_->start();
    // The figures are read only by /metrics.
    if (config_.healthPort != 0)
        statsSource_ = g_timeout_add_seconds(statsIntervalSeconds,
                                             &Server::onStatsTick, this);
    return true;
}

gboolean Server::onStatsTick(gpointer self)
{
    auto *server = static_cast<Server *>(self);
    if (server->producer_)
        server->producer_->refreshStats();
    return G_SOURCE_CONTINUE;
}

// The shared chain posted an error (MediaPipeline logged its detail):
// its viewers are ended, and it is rebuilt after a pause while the
// producer stays registered; too many rebuilds end the process.
void Server::pipelineFailed(const std::string &error)
{
    if (pipelineHealth_ != PipelineHealth::Ok)
        return; // already being rebuilt: the same failure, posted again
    if (!producer_)
        return; // stopping: the pipeline goes with the rest

    gint64 now = g_get_monotonic_time();
    while (!rebuilds_.empty() && now - rebuilds_.front() > rebuildWindowUs)
        rebuilds_.pop_front();
    if (rebuilds_.size() >= maxRebuilds) {
        giveUp(error);
        return;
    }

    pipelineHealth_ = PipelineHealth::Rebuilding;
    producer_->mediaReady(false);
    producer_->endAll(EndReason::PipelineFailed,
                      "the media pipeline failed: " + error);
    rebuilds_.push_back(now);
    logger.warning("rebuilding the media pipeline",
                   {{"error", error},
                    {"rebuild", std::to_string(rebuilds_.size())},
                    {"max_rebuilds", std::to_string(maxRebuilds)},
                    {"in_ms", std::to_string(rebuildDelayMs)}});
    rebuildSource_ = g_timeout_add(rebuildDelayMs, &Server::onRebuild, this);
}

gboolean Server::onRebuild(gpointer self)
{
    auto *server = static_cast<Server *>(self);
    server->rebuildSource_ = 0;
    server->rebuildPipeline();
    return G_SOURCE_REMOVE;
}

void Server::rebuildPipeline()
{
    std::string error;
    if (!media_->rebuild(&error)) {
        giveUp("cannot build it again: " + error);
        return;
    }
    metrics_.pipelineRebuilt();
    pipelineHealth_ = PipelineHealth::Ok;
    producer_->mediaReady(true);
    logger.info("media pipeline rebuilt",
                {{"rebuilds_in_window", std::to_string(rebuilds_.size())}});
}

void Server::giveUp(const std::string &error)
{
    pipelineHealth_ = PipelineHealth::Failed;
    logger.fatal(
        "the media pipeline keeps failing",
        {{"code", "PIPELINE_FAILED"},
         {"error", error},
         {"rebuilds", std::to_string(rebuilds_.size())},
         {"window_s", std::to_string(rebuildWindowUs / G_USEC_PER_SEC)},
         {"hint", "read the PIPELINE_ERROR lines above; fix the "
                  "PIPELINE template or what it captures"},
         {"exit", "70"}});
    exitCode_ = toInt(ExitCode::Internal);
    g_main_loop_quit(loop_.get());
}

std::string Server::metaJson() const
{
    GRef<JsonBuilder> builder = GRef<JsonBuilder>::adopt(json_builder_new());
    json_builder_begin_object(builder.get());
    json_builder_set_member_name(builder.get(), "session");
    json_builder_add_string_value(builder.get(), config_.sessionId.c_str());
    json_builder_set_member_name(builder.get(), "name");
    json_builder_add_string_value(builder.get(), "vm-webrtc-server");
    json_builder_end_object(builder.get());
    GRef<JsonNode> root =
        GRef<JsonNode>::adopt(json_builder_get_root(builder.get()));
    GUnique<char> text{json_to_string(root.get(), FALSE)};
    return text.get();
}

void Server::shutdown()
{
    if (statsSource_)
        g_source_remove(statsSource_);
    statsSource_ = 0;
    producer_.reset(); // ends every session, queueing endSession messages

    gint64 deadline = g_get_monotonic_time() + flushUs;
    while (g_get_monotonic_time() < deadline) {
        if (!g_main_context_iteration(nullptr, FALSE))
            g_usleep(5000);
    }

    health_.reset();
    media_.reset();
    input_.reset();
    loopbackServer_.reset();
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
