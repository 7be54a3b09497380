// A WebSocket client for tests, driven by the thread-default main context.
#pragma once

#include "util/GRef.hpp"

#include <libsoup/soup.h>

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <string>

namespace vmrtc::test {

using Millis = std::chrono::milliseconds;

// Iterates the thread-default main context until done() is true or the
// timeout has passed; returns done().
bool runUntil(const std::function<bool()> &done, Millis timeout = Millis(5000));

// Connects with libsoup, keeps every text message it receives in arrival
// order, and sends text or binary frames. Everything happens on the
// thread-default main context, which the waiting calls iterate.
class WebSocketClient {
public:
    WebSocketClient();
    ~WebSocketClient(); // starts a close if still open

    WebSocketClient(const WebSocketClient &) = delete;
    WebSocketClient &operator=(const WebSocketClient &) = delete;

    // Connects to a ws:// URL; origin is the Origin header to send (none
    // when empty). On failure returns false and sets *error.
    bool connect(const std::string &url, std::string *error,
                 const std::string &origin = {});

    void sendText(const std::string &text);
    void sendBinary(const std::string &bytes);
    void close(); // a normal close (1000); see waitClosed()

    // The oldest message not taken yet, waiting up to timeout for one.
    std::optional<std::string> next(Millis timeout = Millis(5000));

    // Lets the main context run for `quiet`, then returns how many
    // messages wait to be taken: to check that nothing more arrives.
    size_t pendingAfter(Millis quiet = Millis(150));

    bool waitClosed(Millis timeout = Millis(5000));
    bool isOpen() const;
    gushort closeCode() const; // 0 until closed, or when none was received

private:
    static void onConnected(GObject *source, GAsyncResult *result,
                            gpointer self);
    static void onMessage(SoupWebsocketConnection *connection, gint type,
                          GBytes *data, gpointer self);
    static void onClosed(SoupWebsocketConnection *connection, gpointer self);

    void attach(SoupWebsocketConnection *connection);

    GRef<SoupSession> session_;
    GRef<GCancellable> cancellable_;
    GRef<SoupWebsocketConnection> connection_;
    gulong messageHandler_ = 0;
    gulong closedHandler_ = 0;
    bool connecting_ = false;
    bool closed_ = false;
    std::string connectError_;
    std::deque<std::string> messages_;
};

} // namespace vmrtc::test
