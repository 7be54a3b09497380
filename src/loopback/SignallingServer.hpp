// The embedded signalling server of loopback mode and its viewer page.
#pragma once

#include "signalling/Message.hpp"
#include "util/GRef.hpp"

#include <libsoup/soup.h>

#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace vmrtc {

// The signalling server of loopback mode: the protocol's WebSocket at
// /signalling and the viewer page at /, on one HTTP port. It routes
// messages as the reference server of gst-plugins-rs does
// (docs/protocol.md), so that gstwebrtc-api and our own producer can use
// it. Owned by the loopback-mode server; it runs on the thread-default
// main context of the thread that calls start() and must only be used
// from that thread.
class SignallingServer {
public:
    SignallingServer();
    ~SignallingServer(); // closes every connection, stops listening

    SignallingServer(const SignallingServer &) = delete;
    SignallingServer &operator=(const SignallingServer &) = delete;

    // Listens on bindAddress:port; bindAddress is an IPv4 or IPv6 literal
    // ("0.0.0.0" or "::" for every interface) and port 0 picks a free one.
    // On failure returns false and sets *error (e.g. address in use).
    bool start(const std::string &bindAddress, int port, std::string *error);

    int port() const;            // the port actually bound, 0 before start()
    size_t peerCount() const;    // connected WebSocket peers
    size_t sessionCount() const; // sessions in progress

    // A text frame up to Message::maxMessageBytes is parsed and a larger
    // one is answered with an error, up to maxFrameBytes: libsoup closes
    // the connection of a peer that sends a larger frame (1009, too big).
    static constexpr size_t maxFrameBytes = 2 * Message::maxMessageBytes;

    // Sessions a peer may be the consumer of at one time.
    static constexpr size_t maxSessionsPerPeer = 16;

    // Ended sessions remembered: a peer or endSession message for one of
    // them is dropped without an error, since the two sides often end a
    // session at the same time (gstwebrtc-api answers endSession with
    // endSession). A session id never seen is answered with an error.
    static constexpr size_t rememberedEndedSessions = 256;

private:
    struct Peer;
    struct Session {
        std::string producer;
        std::string consumer;
    };

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
    static void onError(SoupWebsocketConnection *connection, GError *error,
                        gpointer peer);
    static void onClosed(SoupWebsocketConnection *connection, gpointer peer);

    void addPeer(SoupWebsocketConnection *connection);
    void removePeer(const std::string &id);
    void receive(Peer &peer, gint type, GBytes *data);
    void handle(Peer &peer, const Message &message);

    void setPeerStatus(Peer &peer, const Message &message);
    void listPeers(Peer &peer, MessageType type);
    void startSession(Peer &peer, const Message &message);
    void relay(Peer &peer, const Message &message);
    void endSession(Peer &peer, const Message &message);

    const Session *memberSession(Peer &peer, const Message &message);
    void openSession(Peer &requester, const std::string &producer,
                     const std::string &consumer, const Message &request);
    size_t sessionsAsConsumer(const Peer &peer) const;
    void closeSession(const std::string &sessionId, const std::string &by);
    void closeSessionsWhere(const std::string &peerId, bool asProducer);
    void rememberEnded(const std::string &sessionId);
    void notifyListeners(const std::string &peerId,
                         const std::vector<std::string> &roles,
                         const std::string &metaJson);

    void send(const std::string &peerId, const Message &message);
    void reject(Peer &peer, const std::string &details);

    GRef<SoupServer> server_;
    int port_ = 0;
    std::map<std::string, std::unique_ptr<Peer>> peers_; // by peer id
    std::map<std::string, Session> sessions_;            // by session id
    std::deque<std::string> endedOrder_; // oldest first, bounded
    std::set<std::string> ended_;        // the same ids, for look-up
};

} // namespace vmrtc
