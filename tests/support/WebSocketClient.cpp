// WebSocketClient: libsoup's client side, made synchronous for tests.
#include "WebSocketClient.hpp"

namespace vmrtc::test {

namespace {

gboolean keepTicking(gpointer)
{
    return G_SOURCE_CONTINUE;
}

} // namespace

bool runUntil(const std::function<bool()> &done, Millis timeout)
{
    GMainContext *context = g_main_context_get_thread_default();
    if (!context)
        context = g_main_context_default();
    gint64 deadline = g_get_monotonic_time() + timeout.count() * 1000;

    // A short timer wakes the blocking iteration up to check the deadline.
    GRef<GSource> tick = GRef<GSource>::adopt(g_timeout_source_new(10));
    g_source_set_callback(tick.get(), &keepTicking, nullptr, nullptr);
    g_source_attach(tick.get(), context);

    while (!done() && g_get_monotonic_time() < deadline)
        g_main_context_iteration(context, TRUE);

    g_source_destroy(tick.get());
    return done();
}

WebSocketClient::WebSocketClient()
    : session_(GRef<SoupSession>::adopt(soup_session_new())),
      cancellable_(GRef<GCancellable>::adopt(g_cancellable_new()))
{}

WebSocketClient::~WebSocketClient()
{
    if (connecting_) {
        g_cancellable_cancel(cancellable_.get());
        runUntil([this] { return !connecting_; });
    }
    if (!connection_)
        return;

    g_signal_handler_disconnect(connection_.get(), messageHandler_);
    g_signal_handler_disconnect(connection_.get(), closedHandler_);
    if (isOpen())
        soup_websocket_connection_close(connection_.get(),
                                        SOUP_WEBSOCKET_CLOSE_NORMAL, nullptr);
}

bool WebSocketClient::connect(const std::string &url, std::string *error,
                              const std::string &origin)
{
    GRef<SoupMessage> request =
        GRef<SoupMessage>::adopt(soup_message_new("GET", url.c_str()));
    if (!request) {
        *error = "not a URL: " + url;
        return false;
    }

    connecting_ = true;
    soup_session_websocket_connect_async(
        session_.get(), request.get(),
        origin.empty() ? nullptr : origin.c_str(), nullptr, G_PRIORITY_DEFAULT,
        cancellable_.get(), &onConnected, this);
    if (!runUntil([this] { return !connecting_; })) {
        g_cancellable_cancel(cancellable_.get());
        runUntil([this] { return !connecting_; });
    }

    if (!connection_)
        *error = connectError_.empty() ? "connection timed out" : connectError_;
    return bool(connection_);
}

void WebSocketClient::onConnected(GObject *source, GAsyncResult *result,
                                  gpointer self)
{
    auto *client = static_cast<WebSocketClient *>(self);
    GError *failure = nullptr;
    SoupWebsocketConnection *connection = soup_session_websocket_connect_finish(
        SOUP_SESSION(source), result, &failure);
    client->connecting_ = false;

    if (connection) {
        client->attach(connection);
        return;
    }
    GUnique<GError> owned{failure};
    try {
        client->connectError_ = owned->message;
    } catch (...) {
        // The caller still sees the failure: connection_ stays empty.
    }
}

void WebSocketClient::attach(SoupWebsocketConnection *connection)
{
    connection_ = GRef<SoupWebsocketConnection>::adopt(connection);
    soup_websocket_connection_set_max_incoming_payload_size(connection,
                                                            1024 * 1024);
    messageHandler_ =
        g_signal_connect(connection, "message", G_CALLBACK(&onMessage), this);
    closedHandler_ =
        g_signal_connect(connection, "closed", G_CALLBACK(&onClosed), this);
}

void WebSocketClient::onMessage(SoupWebsocketConnection *, gint type,
                                GBytes *data, gpointer self)
{
    auto *client = static_cast<WebSocketClient *>(self);
    gsize size = 0;
    const auto *text = static_cast<const char *>(g_bytes_get_data(data, &size));
    try {
        if (type == SOUP_WEBSOCKET_DATA_TEXT)
            client->messages_.emplace_back(text ? text : "", text ? size : 0);
        else
            client->messages_.emplace_back("<binary frame>");
    } catch (...) {
        g_printerr("WebSocketClient: message lost (out of memory)\n");
    }
}

void WebSocketClient::onClosed(SoupWebsocketConnection *, gpointer self)
{
    static_cast<WebSocketClient *>(self)->closed_ = true;
}

void WebSocketClient::sendText(const std::string &text)
{
    if (isOpen())
        soup_websocket_connection_send_text(connection_.get(), text.c_str());
}

void WebSocketClient::sendBinary(const std::string &bytes)
{
    if (isOpen())
        soup_websocket_connection_send_binary(connection_.get(), bytes.data(),
                                              bytes.size());
}

void WebSocketClient::close()
{
    if (isOpen())
        soup_websocket_connection_close(connection_.get(),
                                        SOUP_WEBSOCKET_CLOSE_NORMAL, nullptr);
}

std::optional<std::string> WebSocketClient::next(Millis timeout)
{
    if (!runUntil([this] { return !messages_.empty(); }, timeout))
        return std::nullopt;
    std::string message = std::move(messages_.front());
    messages_.pop_front();
    return message;
}

size_t WebSocketClient::pendingAfter(Millis quiet)
{
    runUntil([] { return false; }, quiet);
    return messages_.size();
}

bool WebSocketClient::waitClosed(Millis timeout)
{
    return runUntil([this] { return closed_; }, timeout);
}

bool WebSocketClient::isOpen() const
{
    return connection_ && soup_websocket_connection_get_state(
                              connection_.get()) == SOUP_WEBSOCKET_STATE_OPEN;
}

gushort WebSocketClient::closeCode() const
{
    return connection_
               ? soup_websocket_connection_get_close_code(connection_.get())
               : 0;
}

} // namespace vmrtc::test
