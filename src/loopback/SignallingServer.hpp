// The embedded signalling server of loopback mode and its viewer page.
#pragma once

#include "loopback/SignallingRouter.hpp"
#include "signalling/Message.hpp"
#include "util/GRef.hpp"

#include <libsoup/soup.h>

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace vmrtc {

// The signalling server of loopback mode: the protocol's WebSocket at
// /signalling and the viewer page at /, on one HTTP port. It carries
// frames between WebSocket connections and its SignallingRouter, which
// decides what each message makes it send (docs/protocol.md), so that
// gstwebrtc-api and our own producer can use it. Owned by the
// loopback-mode server; it runs on the thread-default main context of the
// thread that calls start() and must only be used from that thread.
class SignallingServer {
public:
    // How the server notices peers that vanished without closing: it pings
    // every connection each pingInterval, and a connection from which
    // nothing (no message, no pong) arrived for silenceTimeout is closed
    // and its peer treated as gone. Zero turns either off; the timeout
    // should span a few pings.
    struct Liveness {
        std::chrono::seconds pingInterval{10};
        std::chrono::seconds silenceTimeout{30};
    };

    SignallingServer(); // the default Liveness
    explicit SignallingServer(Liveness liveness);
    ~SignallingServer(); // closes every connection, stops listening

    SignallingServer(const SignallingServer &) = delete;
    SignallingServer &operator=(const SignallingServer &) = delete;

    // Listens on bindAddress:port; bindAddress is an IPv4 or IPv6 literal
    // ("0.0.0.0" or "::" for every interface) and port 0 picks a free one.
    // On failure returns false and sets *error (e.g. address in use).
    bool start(const std::string &bindAddress, int port, std::string *error);

    // When set, a WebSocket upgrade without "Authorization: Bearer
    // <token>" is refused with 401, as a master controller that checks
    // producers' tokens would. Browsers cannot send the header: this is for
    // producers only (and tests).
    void setRequiredToken(std::string token);

    // Grants control to every session it starts (SignallingRouter).
    void setGrantControl(bool grant) { router_.setGrantControl(grant); }

    // Ids of the peers registered as producers.
    std::vector<std::string> producerIds() const;

    // Sends text to a peer as it is, bypassing the router: for tests that
    // play a misbehaving signalling server, and for diagnostics.
    void sendRaw(const std::string &peerId, const std::string &text);

    int port() const;            // the port actually bound, 0 before start()
    size_t peerCount() const;    // connected WebSocket peers
    size_t sessionCount() const; // sessions in progress

    // A text frame up to Message::maxMessageBytes is parsed and a larger
    // one is answered with an error, up to maxFrameBytes: libsoup closes
    // the connection of a peer that sends a larger frame (1009, too big).
    static constexpr size_t maxFrameBytes = 2 * Message::maxMessageBytes;

    // The router's limits (see SignallingRouter).
    static constexpr size_t maxSessionsPerPeer =
        SignallingRouter::maxSessionsPerPeer;
    static constexpr size_t rememberedEndedSessions =
        SignallingRouter::rememberedEndedSessions;

private:
    struct Connection;

    static void onPageRequest(SoupServer *server, SoupServerMessage *msg,
                              const char *path, GHashTable *query,
                              gpointer self);
    static void onSignallingRequest(SoupServer *server, SoupServerMessage *msg,
                                    const char *path, GHashTable *query,
                                    gpointer self);
    static void onWebSocket(SoupServer *server, SoupServerMessage *msg,
                            const char *path,
                            SoupWebsocketConnection *connection, gpointer self);
    static void onMessage(SoupWebsocketConnection *connection, gint type,
                          GBytes *data, gpointer peer);
    static void onPong(SoupWebsocketConnection *connection, GBytes *data,
                       gpointer peer);
    static void onError(SoupWebsocketConnection *connection, GError *error,
                        gpointer peer);
    static void onClosed(SoupWebsocketConnection *connection, gpointer peer);
    static gboolean onSilent(gpointer peer);

    void addPeer(SoupWebsocketConnection *connection);
    void removePeer(const std::string &id);
    void dropSilentPeer(const std::string &id);
    void receive(Connection &peer, gint type, GBytes *data);

    void deliver(const SignallingRouter::Outbox &outbox);
    void warnInvalid(const std::string &peerId, const std::string &details);
    void send(const std::string &peerId, const Message &message);
    bool tokenAccepted(SoupServerMessage *msg) const;

    Liveness liveness_;
    GRef<SoupServer> server_;
    int port_ = 0;
    SignallingRouter router_;
    // By peer id: the router's peers, except while removePeer() runs.
    std::map<std::string, std::unique_ptr<Connection>> connections_;
    std::string requiredToken_; // secret; empty: no token required
};

} // namespace vmrtc
