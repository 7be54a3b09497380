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
    if (!startStreaming())
        return toInt(ExitCode::Internal);

    logger.info("started", {{"session", config_.sessionId},
                            {"display", config_.display},
                            {"signalling", config_.signallingUrl},
                            {"pid", std::to_string(getpid())}});
    g_main_loop_run(loop_.get());

    shutdown();
    logger.info("stopped", {{"signal", sigabbrev_np(stopSignal_)}});
    return toInt(ExitCode::Ok);
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

bool Server::startStreaming()
{
    // The process's DTLS certificate is made when the first DTLS element
    // is; making it now keeps its cost (up to a second) off the first
    // viewer's path.
    certificateWarmup_ = std::thread([] {
        GRef<GstElement>::adopt(gst_element_factory_make("dtlsdec", nullptr));
    });

    media_ = std::make_unique<MediaPipeline>(options_.pipelineDescription,
                                             [](const std::string &) {
                                                 // FIXME: a pipeline error is
                                                 // only logged; the chain is
                                                 // not rebuilt, so viewers see
                                                 // a frozen picture until they
                                                 // leave.
                                             });
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
    input_ = std::make_unique<InputService>(
        InputService::Options{config_.display, config_.width, config_.height,
                              config_.input, config_.clipboardOut});
    options.input = input_.get();
    producer_ = std::make_unique<Producer>(std::move(options), *media_);
    producer_->start();
    return true;
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
    producer_.reset(); // ends every session, queueing endSession messages

    gint64 deadline = g_get_monotonic_time() + flushUs;
    while (g_get_monotonic_time() < deadline) {
        if (!g_main_context_iteration(nullptr, FALSE))
            g_usleep(5000);
    }

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
