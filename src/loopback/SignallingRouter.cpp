// SignallingRouter: peers, sessions and message routing of loopback mode.
#include "loopback/SignallingRouter.hpp"

#include "signalling/JsonText.hpp"

#include "log/Logger.hpp"
#include "util/GRef.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

namespace vmrtc {

namespace {

const Logger logger{"loopback"};

constexpr std::array<std::string_view, 3> knownRoles{"producer", "consumer",
                                                     "listener"};

std::string randomId()
{
    GUnique<char> id{g_uuid_string_random()};
    return id.get();
}

bool hasRole(const std::vector<std::string> &roles, std::string_view role)
{
    return std::find(roles.begin(), roles.end(), role) != roles.end();
}

// The first role that the protocol does not define, or nothing.
std::optional<std::string> unknownRole(const std::vector<std::string> &roles)
{
    for (const std::string &role : roles) {
        if (std::find(knownRoles.begin(), knownRoles.end(), role) ==
            knownRoles.end())
            return role;
    }
    return std::nullopt;
}

// True for {"type":"setProtocolVersion",…}: newer peers may send it
// first; it is accepted and ignored (docs/protocol.md §3.2).
bool isProtocolVersion(std::string_view text)
{
    if (!isSafeJsonText(text))
        return false; // json-glib would leak on it
    GRef<JsonParser> parser = GRef<JsonParser>::adopt(json_parser_new());
    if (!json_parser_load_from_data(parser.get(), text.data(),
                                    static_cast<gssize>(text.size()), nullptr))
        return false;

    JsonNode *root = json_parser_get_root(parser.get());
    if (!root || !JSON_NODE_HOLDS_OBJECT(root))
        return false;
    const char *type = json_object_get_string_member_with_default(
        json_node_get_object(root), "type", "");
    return std::string_view(type) == "setProtocolVersion";
}

} // namespace

SignallingRouter::SignallingRouter() : SignallingRouter(&randomId) {}

SignallingRouter::SignallingRouter(IdMaker makeId) : makeId_(std::move(makeId))
{}

SignallingRouter::Added SignallingRouter::addPeer()
{
    std::string id = makeId_();
    peers_.emplace(id, Peer{});

    Message welcome;
    welcome.type = MessageType::Welcome;
    welcome.peerId = id;
    send(id, std::move(welcome));
    return {id, takeOutbox()};
}

SignallingRouter::Outbox SignallingRouter::receive(const std::string &peerId,
                                                   std::string_view text)
{
    if (!peers_.count(peerId))
        return {};

    std::string why;
    if (std::optional<Message> message = Message::parse(text, &why))
        handle(peerId, *message);
    else if (isProtocolVersion(text))
        logger.debug("setProtocolVersion ignored", {{"peer", peerId}});
    else
        reject(peerId, std::move(why));
    return takeOutbox();
}

SignallingRouter::Outbox
SignallingRouter::receiveBinary(const std::string &peerId)
{
    if (peers_.count(peerId))
        reject(peerId, "binary frames are not accepted: send each message "
                       "as one JSON text frame");
    return takeOutbox();
}

SignallingRouter::Outbox SignallingRouter::removePeer(const std::string &peerId)
{
    auto found = peers_.find(peerId);
    if (found == peers_.end())
        return {};

    std::set<std::string> sessions = found->second.sessions;
    for (const std::string &session : sessions)
        closeSession(session, peerId);

    std::string metaJson = std::move(found->second.metaJson);
    peers_.erase(found);
    notifyListeners(peerId, {}, metaJson);
    return takeOutbox();
}

std::string SignallingRouter::Peer::rolesText() const
{
    std::string joined;
    for (const std::string &role : roles)
        joined += (joined.empty() ? "" : ",") + role;
    return joined.empty() ? "none" : joined;
}

const SignallingRouter::Peer *
SignallingRouter::peer(const std::string &peerId) const
{
    auto found = peers_.find(peerId);
    return found == peers_.end() ? nullptr : &found->second;
}

void SignallingRouter::handle(const std::string &peerId, const Message &message)
{
    logger.debug("received",
                 {{"peer", peerId},
                  {"type", std::string(Message::typeName(message.type))}});
    switch (message.type) {
    case MessageType::SetPeerStatus:
        return setPeerStatus(peerId, message);
    case MessageType::List:
    case MessageType::ListConsumers:
        return listPeers(peerId, message.type);
    case MessageType::StartSession:
        return startSession(peerId, message);
    case MessageType::Peer:
        return relay(peerId, message);
    case MessageType::EndSession:
        return endSession(peerId, message);
    case MessageType::Welcome:
    case MessageType::PeerStatusChanged:
    case MessageType::SessionStarted:
    case MessageType::Error:
        break;
    }
    reject(peerId, std::string(Message::typeName(message.type)) +
                       " is sent by the signalling server, never by a peer");
}

void SignallingRouter::setPeerStatus(const std::string &peerId,
                                     const Message &message)
{
    if (std::optional<std::string> role = unknownRole(message.roles)) {
        reject(peerId, "setPeerStatus: unknown role \"" + *role +
                           "\" (roles are producer, consumer, listener)");
        return;
    }
    if (message.hasRole("producer") && message.hasRole("consumer")) {
        reject(peerId, "setPeerStatus: a peer cannot be both producer and "
                       "consumer");
        return;
    }

    // As the reference server: sessions end when their role is dropped.
    Peer &peer = peers_.at(peerId);
    if (hasRole(peer.roles, "producer") && !message.hasRole("producer"))
        closeSessionsWhere(peerId, true);
    else if (hasRole(peer.roles, "consumer") && !message.hasRole("consumer"))
        closeSessionsWhere(peerId, false);

    peer.roles = message.roles;
    peer.metaJson = message.metaJson;
    logger.info("peer status set",
                {{"peer", peerId}, {"roles", peer.rolesText()}});

    notifyListeners(peerId, peer.roles, peer.metaJson);
}

void SignallingRouter::listPeers(const std::string &peerId, MessageType type)
{
    const char *role = type == MessageType::List ? "producer" : "consumer";
    Message reply;
    reply.type = type;
    reply.peers.emplace();
    for (const auto &[id, other] : peers_) {
        if (hasRole(other.roles, role))
            reply.peers->push_back({id, other.metaJson});
    }
    send(peerId, std::move(reply));
}

void SignallingRouter::startSession(const std::string &peerId,
                                    const Message &message)
{
    auto target = peers_.find(message.peerId);
    if (target == peers_.end()) {
        reject(peerId, "unknown peer id " + message.peerId);
        return;
    }
    const std::string &other = target->first;
    if (other == peerId) {
        reject(peerId, "startSession: a peer cannot start a session with "
                       "itself");
        return;
    }

    // A consumer calls a producer; a producer may call a passive consumer.
    const std::vector<std::string> &roles = target->second.roles;
    if (hasRole(roles, "producer"))
        openSession(peerId, other, peerId, message);
    else if (hasRole(roles, "consumer"))
        openSession(peerId, peerId, other, message);
    else
        reject(peerId, "startSession: peer " + other +
                           " is neither a producer nor a consumer");
}

void SignallingRouter::openSession(const std::string &requester,
                                   const std::string &producer,
                                   const std::string &consumer,
                                   const Message &request)
{
    if (sessionsAsConsumer(consumer) >= maxSessionsPerPeer) {
        reject(requester, "startSession: peer " + consumer + " already has " +
                              std::to_string(maxSessionsPerPeer) +
                              " sessions; end one first");
        return;
    }

    std::string id = makeId_();
    sessions_.emplace(id, Session{producer, consumer});
    peers_.at(producer).sessions.insert(id);
    peers_.at(consumer).sessions.insert(id);
    logger.info(
        "session started",
        {{"session", id}, {"producer", producer}, {"consumer", consumer}});

    // In this order: the consumer drops peer messages of unknown sessions.
    Message started;
    started.type = MessageType::SessionStarted;
    started.peerId = producer;
    started.sessionId = id;
    send(consumer, std::move(started));

    Message start;
    start.type = MessageType::StartSession;
    start.peerId = consumer;
    start.sessionId = id;
    start.offer = request.offer;
    start.control = grantControl_;
    send(producer, std::move(start));
}

size_t SignallingRouter::sessionsAsConsumer(const std::string &peerId) const
{
    const std::set<std::string> &ids = peers_.at(peerId).sessions;
    return std::count_if(ids.begin(), ids.end(), [&](const std::string &id) {
        return sessions_.at(id).consumer == peerId;
    });
}

void SignallingRouter::relay(const std::string &peerId, const Message &message)
{
    const Session *session = memberSession(peerId, message);
    if (!session)
        return;

    if (peerId == session->consumer && message.sdp &&
        message.sdp->type == "offer") {
        reject(peerId, "peer: only the producer of session " +
                           message.sessionId + " may send an offer");
        return;
    }

    // Sent rebuilt: only sdp {type, sdp} or ice {candidate, sdpMLineIndex}
    // pass, as the reference server relays them.
    const std::string &other =
        peerId == session->producer ? session->consumer : session->producer;
    send(other, message);
}

void SignallingRouter::endSession(const std::string &peerId,
                                  const Message &message)
{
    if (memberSession(peerId, message))
        closeSession(message.sessionId, peerId);
}

// The session a peer or endSession message names, if the sender is one of
// its two members; otherwise the sender gets an error.
const SignallingRouter::Session *
SignallingRouter::memberSession(const std::string &peerId,
                                const Message &message)
{
    std::string type(Message::typeName(message.type));
    auto found = sessions_.find(message.sessionId);
    if (found == sessions_.end() && ended_.count(message.sessionId)) {
        logger.debug(
            "dropped: session already ended",
            {{"peer", peerId}, {"type", type}, {"session", message.sessionId}});
        return nullptr;
    }
    if (found == sessions_.end()) {
        reject(peerId, type + ": unknown session id " + message.sessionId);
        return nullptr;
    }

    const Session &session = found->second;
    if (session.producer != peerId && session.consumer != peerId) {
        reject(peerId, type + ": peer " + peerId + " is not part of session " +
                           message.sessionId);
        return nullptr;
    }
    return &session;
}

// Forgets a session and tells its other member, the one that is not `by`.
void SignallingRouter::closeSession(const std::string &sessionId,
                                    const std::string &by)
{
    auto found = sessions_.find(sessionId);
    if (found == sessions_.end())
        return;
    Session session = std::move(found->second);
    sessions_.erase(found);
    rememberEnded(sessionId);

    for (const std::string *member : {&session.producer, &session.consumer}) {
        if (auto peer = peers_.find(*member); peer != peers_.end())
            peer->second.sessions.erase(sessionId);
    }
    logger.info("session ended", {{"session", sessionId}, {"by", by}});

    Message end;
    end.type = MessageType::EndSession;
    end.sessionId = sessionId;
    send(by == session.producer ? session.consumer : session.producer,
         std::move(end));
}

void SignallingRouter::rememberEnded(const std::string &sessionId)
{
    endedOrder_.push_back(sessionId);
    ended_.insert(sessionId);
    if (endedOrder_.size() <= rememberedEndedSessions)
        return;

    ended_.erase(endedOrder_.front());
    endedOrder_.pop_front();
}

// Ends the sessions in which the peer is the producer (or the consumer).
void SignallingRouter::closeSessionsWhere(const std::string &peerId,
                                          bool asProducer)
{
    std::vector<std::string> ending;
    for (const auto &[id, session] : sessions_) {
        const std::string &member =
            asProducer ? session.producer : session.consumer;
        if (member == peerId)
            ending.push_back(id);
    }
    for (const std::string &id : ending)
        closeSession(id, peerId);
}

void SignallingRouter::notifyListeners(const std::string &peerId,
                                       const std::vector<std::string> &roles,
                                       const std::string &metaJson)
{
    Message changed;
    changed.type = MessageType::PeerStatusChanged;
    changed.peerId = peerId;
    changed.roles = roles;
    changed.metaJson = metaJson;

    for (const auto &[id, peer] : peers_) {
        if (hasRole(peer.roles, "listener"))
            send(id, changed);
    }
}

void SignallingRouter::send(const std::string &peerId, Message message)
{
    outbox_.push_back({peerId, std::move(message)});
}

void SignallingRouter::reject(const std::string &peerId, std::string details)
{
    Message error;
    error.type = MessageType::Error;
    error.details = std::move(details);
    send(peerId, std::move(error));
}

SignallingRouter::Outbox SignallingRouter::takeOutbox()
{
    return std::exchange(outbox_, {});
}

} // namespace vmrtc
