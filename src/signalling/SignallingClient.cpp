// SignallingClient: libsoup WebSocket client with reconnection.
#include "signalling/SignallingClient.hpp"

#include "log/Logger.hpp"
#include "log/RateLimiter.hpp"

namespace vmrtc {

namespace {

const Logger logger{"signalling"};

constexpr gsize maxIncomingBytes = Message::maxMessageBytes;

// A misbehaving server may send garbage in a loop.
RateLimiter invalidMessages{5, 10 * G_USEC_PER_SEC};

void warnInvalid(const std::string &reason)
{
    LogFields fields{{"reason", reason}};
    if (invalidMessages.allow("invalid", fields))
        logger.warning("dropped an invalid signalling message", fields);
}

} // namespace

// One connection attempt; outlives the client if the client goes first.
struct SignallingClient::Attempt {
    SignallingClient *client;
    GRef<GCancellable> cancellable;
    GRef<SoupMessage> request;
};

SignallingClient::SignallingClient(Options options, MessageHandler onMessage,
                                   StateHandler onState)
    : options_(std::move(options)), onMessage_(std::move(onMessage)),
      onState_(std::move(onState)),
      session_(GRef<SoupSession>::adopt(soup_session_new()))
{}

SignallingClient::~SignallingClient()
{
    if (retrySource_)
        g_source_remove(retrySource_);
    if (cancellable_)
        g_cancellable_cancel(cancellable_.get());
    dropConnection();
}

void SignallingClient::start()
{
    connect();
}

void SignallingClient::connect()
{
    GRef<SoupMessage> request =
        GRef<SoupMessage>::adopt(soup_message_new("GET", options_.url.c_str()));
    if (!request) {
        failed("the signalling URL is not usable", 0);
        return;
    }
    if (!options_.token.empty())
        soup_message_headers_replace(
            soup_message_get_request_headers(request.get()), "Authorization",
            ("Bearer " + options_.token).c_str());

    cancellable_ = GRef<GCancellable>::adopt(g_cancellable_new());
    auto *attempt = new Attempt{this, cancellable_, request};
    logger.debug("connecting", {{"url", options_.url}});
    soup_session_websocket_connect_async(
        session_.get(), request.get(), nullptr, nullptr, G_PRIORITY_DEFAULT,
        cancellable_.get(), &SignallingClient::onConnectDone, attempt);
}

void SignallingClient::onConnectDone(GObject *session, GAsyncResult *result,
                                     gpointer data)
{
    std::unique_ptr<Attempt> attempt(static_cast<Attempt *>(data));
    GError *error = nullptr;
    SoupWebsocketConnection *connection = soup_session_websocket_connect_finish(
        SOUP_SESSION(session), result, &error);
    GUnique<GError> owned{error};
    if (g_cancellable_is_cancelled(attempt->cancellable.get())) {
        if (connection)
            g_object_unref(connection);
        return; // the client is gone or replaced this attempt
    }

    SignallingClient *self = attempt->client;
    if (connection) {
        self->connected(connection);
        return;
    }
    self->failed(error ? error->message : "unknown error",
                 soup_message_get_status(attempt->request.get()));
}

void SignallingClient::connected(SoupWebsocketConnection *connection)
{
    connection_ = GRef<SoupWebsocketConnection>::adopt(connection);
    connectedAt_ = g_get_monotonic_time();
    soup_websocket_connection_set_max_incoming_payload_size(connection,
                                                            maxIncomingBytes);
    soup_websocket_connection_set_keepalive_interval(connection,
                                                     pingIntervalSeconds);
    handlers_.push_back(g_signal_connect(
        connection, "message", G_CALLBACK(&SignallingClient::onMessage), this));
    handlers_.push_back(g_signal_connect(
        connection, "closed", G_CALLBACK(&SignallingClient::onClosed), this));
    handlers_.push_back(g_signal_connect(
        connection, "pong", G_CALLBACK(&SignallingClient::onPong), this));
    lastHeardAt_ = connectedAt_;
    livenessSource_ = g_timeout_add_seconds(
        pingIntervalSeconds, &SignallingClient::onLivenessCheck, this);
    logger.info("connected", {{"url", options_.url},
                              {"after_failures", std::to_string(failures_)}});
}

void SignallingClient::failed(const std::string &reason, guint status)
{
    failures_++;
    if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
        logger.error("the signalling server refused the token",
                     {{"code", "SIGNALLING_UNAUTHORIZED"},
                      {"status", std::to_string(status)},
                      {"hint", "check SIGNALLING_TOKEN against the master "
                               "controller's configuration"}});
    scheduleReconnect(reason);
}

void SignallingClient::scheduleReconnect(const std::string &reason)
{
    if (retrySource_)
        return;
    // Full jitter between half the delay and the delay itself.
    guint delay = delayMs_ / 2 + g_random_int_range(0, delayMs_ / 2 + 1);
    logger.warning("signalling unavailable, retrying",
                   {{"url", options_.url},
                    {"reason", reason},
                    {"retry_in_ms", std::to_string(delay)},
                    {"attempt", std::to_string(failures_)}});
    delayMs_ = std::min(delayMs_ * 2, maxDelayMs);
    reconnects_++;
    retrySource_ = g_timeout_add(delay, &SignallingClient::onRetry, this);
}

gboolean SignallingClient::onRetry(gpointer data)
{
    auto *self = static_cast<SignallingClient *>(data);
    self->retrySource_ = 0;
    self->connect();
    return G_SOURCE_REMOVE;
}

void SignallingClient::onPong(SoupWebsocketConnection *, GBytes *,
                              gpointer data)
{
    static_cast<SignallingClient *>(data)->lastHeardAt_ =
        g_get_monotonic_time();
}

gboolean SignallingClient::onLivenessCheck(gpointer data)
{
    auto *self = static_cast<SignallingClient *>(data);
    gint64 silentUs = g_get_monotonic_time() - self->lastHeardAt_;
    if (silentUs <= silenceLimitUs)
        return G_SOURCE_CONTINUE;

    logger.warning("the signalling server stopped answering pings; "
                   "replacing the connection",
                   {{"silent_s", std::to_string(silentUs / G_USEC_PER_SEC)}});
    self->livenessSource_ = 0;
    self->lost();
    return G_SOURCE_REMOVE;
}

void SignallingClient::dropConnection()
{
    if (livenessSource_) {
        g_source_remove(livenessSource_);
        livenessSource_ = 0;
    }
    if (!connection_)
        return;
    for (gulong handler : handlers_)
        g_signal_handler_disconnect(connection_.get(), handler);
    handlers_.clear();
    if (soup_websocket_connection_get_state(connection_.get()) ==
        SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close(
            connection_.get(), SOUP_WEBSOCKET_CLOSE_GOING_AWAY, nullptr);
    connection_.reset();
}

void SignallingClient::onClosed(SoupWebsocketConnection *, gpointer data)
{
    static_cast<SignallingClient *>(data)->lost();
}

void SignallingClient::lost()
{
    bool wasRegistered = registered();
    if (g_get_monotonic_time() - connectedAt_ > stableAfterUs)
        delayMs_ = initialDelayMs;
    dropConnection();
    peerId_.clear();
    failures_++;
    if (wasRegistered)
        onState_(false);
    scheduleReconnect("the connection was lost");
}

void SignallingClient::onMessage(SoupWebsocketConnection *, gint type,
                                 GBytes *payload, gpointer data)
{
    auto *self = static_cast<SignallingClient *>(data);
    self->lastHeardAt_ = g_get_monotonic_time();
    if (type != SOUP_WEBSOCKET_DATA_TEXT) {
        warnInvalid("a binary frame");
        return;
    }
    gsize size = 0;
    auto *bytes = static_cast<const char *>(g_bytes_get_data(payload, &size));
    self->received(std::string(bytes ? bytes : "", size));
}

void SignallingClient::received(const std::string &text)
{
    std::string error;
    std::optional<Message> message = Message::parse(text, &error);
    if (!message) {
        warnInvalid(error);
        return;
    }
    if (message->type == MessageType::Welcome) {
        peerId_ = message->peerId;
        failures_ = 0;
        Message status;
        status.type = MessageType::SetPeerStatus;
        status.roles = {"producer"};
        status.metaJson = options_.metaJson;
        send(status);
        logger.info("registered as producer", {{"peer", peerId_}});
        onState_(true);
        return;
    }
    onMessage_(*message);
}

bool SignallingClient::send(const Message &message)
{
    if (!connection_ || soup_websocket_connection_get_state(
                            connection_.get()) != SOUP_WEBSOCKET_STATE_OPEN)
        return false;
    std::string text = message.toJson();
    soup_websocket_connection_send_text(connection_.get(), text.c_str());
    return true;
}

} // namespace vmrtc
