// The producer's WebSocket connection to the signalling server.
#pragma once

#include "signalling/Message.hpp"
#include "util/GRef.hpp"

#include <libsoup/soup.h>

#include <functional>
#include <string>

namespace vmrtc {

// Connects to the signalling URL, registers as a producer when welcomed,
// hands every valid message to the owner, and reconnects with capped,
// jittered exponential backoff whenever the connection fails or drops.
// Main thread only.
class SignallingClient {
public:
    struct Options {
        std::string url;
        std::string token;    // secret: sent as a bearer token, never logged
        std::string metaJson; // the producer's meta object
    };
    using MessageHandler = std::function<void(const Message &)>;
    using StateHandler = std::function<void(bool registered)>;

    SignallingClient(Options options, MessageHandler onMessage,
                     StateHandler onState);
    ~SignallingClient();

    SignallingClient(const SignallingClient &) = delete;
    SignallingClient &operator=(const SignallingClient &) = delete;

    void start();

    // Sends when connected; returns false (and drops it) otherwise.
    bool send(const Message &message);

    bool registered() const { return !peerId_.empty(); }
    const std::string &peerId() const { return peerId_; }
    // Reconnections scheduled since start, after failures or drops.
    unsigned reconnects() const { return reconnects_; }

    static constexpr guint initialDelayMs = 250;
    static constexpr guint maxDelayMs = 10000;
    // A connection that held this long resets the backoff.
    static constexpr gint64 stableAfterUs = 5 * G_USEC_PER_SEC;
    static constexpr guint pingIntervalSeconds = 10;
    static constexpr gint64 silenceLimitUs = 30 * G_USEC_PER_SEC;

private:
    struct Attempt;

    void connect();
    void connected(SoupWebsocketConnection *connection);
    void failed(const std::string &reason, guint status);
    void scheduleReconnect(const std::string &reason);
    void dropConnection();
    void lost();
    void received(const std::string &text);

    static void onConnectDone(GObject *session, GAsyncResult *result,
                              gpointer attempt);
    static void onMessage(SoupWebsocketConnection *, gint type, GBytes *payload,
                          gpointer self);
    static void onClosed(SoupWebsocketConnection *, gpointer self);
    static gboolean onRetry(gpointer self);
    static void onPong(SoupWebsocketConnection *, GBytes *, gpointer self);
    static gboolean onLivenessCheck(gpointer self);

    Options options_;
    MessageHandler onMessage_;
    StateHandler onState_;
    GRef<SoupSession> session_;
    GRef<SoupWebsocketConnection> connection_;
    GRef<GCancellable> cancellable_;
    std::vector<gulong> handlers_;
    std::string peerId_;
    guint retrySource_ = 0;
    guint livenessSource_ = 0;
    gint64 lastHeardAt_ = 0; // any frame or pong from the server
    guint delayMs_ = initialDelayMs;
    gint64 connectedAt_ = 0;
    unsigned failures_ = 0;
    unsigned reconnects_ = 0;
};

} // namespace vmrtc
