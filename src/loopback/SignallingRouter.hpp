// The routing rules of the loopback signalling server, without sockets.
#pragma once

#include "signalling/Message.hpp"

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace vmrtc {

// Peers, their status and their sessions, and what each message a peer
// sends makes the server send, as the reference server of gst-plugins-rs
// routes them (docs/protocol.md). Every call returns the messages to send,
// in order, each with the peer it goes to; the caller (SignallingServer)
// carries them. Errors are answers like any other: an `error` to the
// sender. Not thread-safe; owned by one SignallingServer.
class SignallingRouter {
public:
    // Makes a fresh, unique id for a peer or a session.
    using IdMaker = std::function<std::string()>;

    // A message to send, and the peer it goes to.
    struct Routed {
        std::string to;
        Message message;
    };
    using Outbox = std::vector<Routed>;

    struct Added {
        std::string peerId;
        Outbox out; // its welcome
    };

    struct Peer {
        std::string rolesText() const; // "producer,listener" or "none"

        std::vector<std::string> roles;
        std::string metaJson = "null";
        std::set<std::string> sessions; // ids of the sessions it is part of
    };

    struct Session {
        std::string producer;
        std::string consumer;
    };

    // Sessions a peer may be the consumer of at one time.
    static constexpr size_t maxSessionsPerPeer = 16;

    // Ended sessions remembered: a peer or endSession message for one of
    // them is dropped without an error, since the two sides often end a
    // session at the same time (gstwebrtc-api answers endSession with
    // endSession). A session id never seen is answered with an error.
    static constexpr size_t rememberedEndedSessions = 256;

    // Ids are random UUIDs unless makeId is given (tests, fuzzing).
    SignallingRouter();
    explicit SignallingRouter(IdMaker makeId);

    Added addPeer();

    // When set, every startSession sent to a producer carries "control":
    // true, as a master controller that grants input does (a producer
    // with INPUT=granted then lets the viewer control). Off by default.
    void setGrantControl(bool grant) { grantControl_ = grant; }

    // One text frame from a peer. A peer the router does not know (gone
    // already) is ignored; text Message::parse refuses is answered with an
    // error.
    Outbox receive(const std::string &peerId, std::string_view text);

    // A binary frame from a peer: refused, since the protocol is JSON text.
    Outbox receiveBinary(const std::string &peerId);

    // The peer has gone: its sessions end, listeners hear roles [].
    Outbox removePeer(const std::string &peerId);

    size_t peerCount() const { return peers_.size(); }
    size_t sessionCount() const { return sessions_.size(); }

    // The peer's status, or nullptr for an unknown id.
    const Peer *peer(const std::string &peerId) const;

    const std::map<std::string, Peer> &peers() const { return peers_; }
    const std::map<std::string, Session> &sessions() const { return sessions_; }

private:
    void handle(const std::string &peerId, const Message &message);
    void setPeerStatus(const std::string &peerId, const Message &message);
    void listPeers(const std::string &peerId, MessageType type);
    void startSession(const std::string &peerId, const Message &message);
    void relay(const std::string &peerId, const Message &message);
    void endSession(const std::string &peerId, const Message &message);

    const Session *memberSession(const std::string &peerId,
                                 const Message &message);
    void openSession(const std::string &requester, const std::string &producer,
                     const std::string &consumer, const Message &request);
    size_t sessionsAsConsumer(const std::string &peerId) const;
    void closeSession(const std::string &sessionId, const std::string &by);
    void closeSessionsWhere(const std::string &peerId, bool asProducer);
    void rememberEnded(const std::string &sessionId);
    void notifyListeners(const std::string &peerId,
                         const std::vector<std::string> &roles,
                         const std::string &metaJson);

    void send(const std::string &peerId, Message message);
    void reject(const std::string &peerId, std::string details);
    Outbox takeOutbox();

    IdMaker makeId_;
    bool grantControl_ = false;
    std::map<std::string, Peer> peers_;       // by peer id
    std::map<std::string, Session> sessions_; // by session id
    std::deque<std::string> endedOrder_;      // oldest first, bounded
    std::set<std::string> ended_;             // the same ids, for look-up
    Outbox outbox_; // filled by one public call, handed back by it
};

} // namespace vmrtc
