// Producer: session lifecycle driven by signalling messages.
#include "session/Producer.hpp"

#include "log/Logger.hpp"
#include "log/RateLimiter.hpp"

namespace vmrtc {

namespace {

const Logger logger{"session"};

// A broken or hostile controller may repeat a bad message in a loop.
RateLimiter rejections{10, 10 * G_USEC_PER_SEC};

// A warning for a message the producer drops, at most ten per ten seconds
// for each kind.
void rejected(const std::string &what, LogFields fields)
{
    if (rejections.allow(what, fields))
        logger.warning(what, fields);
}

Message endSessionMessage(const std::string &id)
{
    Message m;
    m.type = MessageType::EndSession;
    m.sessionId = id;
    return m;
}

} // namespace

Producer::Producer(Options options, MediaPipeline &media)
    : options_(std::move(options)), media_(media),
      signalling_(
          options_.signalling, [this](const Message &m) { handle(m); },
          [](bool) {})
{
    media_.onViewerError([this](GstElement *bin, const std::string &error) {
        viewerBranchFailed(bin, error);
    });
}

Producer::~Producer()
{
    media_.onViewerError(nullptr);
    endAll(EndReason::ServerStopping, "server stopping");
}

void Producer::endAll(EndReason why, const std::string &detail)
{
    while (!sessions_.empty()) {
        std::string id = sessions_.begin()->first; // erased by endSession
        endSession(id, why, detail, true);
    }
}

void Producer::refreshStats()
{
    if (!options_.metrics)
        return;
    for (const auto &[id, session] : sessions_) {
        session->requestStats(
            [metrics = options_.metrics, key = id](ViewerStats stats) {
                metrics->viewerStats(key, std::move(stats));
            });
    }
}

void Producer::start()
{
    signalling_.start();
}

void Producer::send(Message message)
{
    if (!signalling_.send(message))
        logger.debug("signalling down, message not sent",
                     {{"type", std::string(Message::typeName(message.type))},
                      {"session", message.sessionId}});
}

// FIXME: this dispatch is covered by integration tests only; no fuzz
// target drives it, since every startSession builds a real webrtcbin,
// which is too slow for a fuzzer's many inputs a second.
void Producer::handle(const Message &message)
{
    switch (message.type) {
    case MessageType::StartSession:
        startSession(message);
        break;
    case MessageType::Peer:
        peerMessage(message);
        break;
    case MessageType::EndSession:
        endSession(message.sessionId, EndReason::ViewerLeft,
                   "ended by the viewer", false);
        break;
    case MessageType::Error:
        rejected("the signalling server reported an error",
                 {{"details", message.details}});
        break;
    default:
        logger.debug("ignored a message a producer does not expect",
                     {{"type", std::string(Message::typeName(message.type))}});
    }
}

void Producer::startSession(const Message &message)
{
    const std::string &id = message.sessionId;
    if (id.empty() || sessions_.contains(id)) {
        rejected(id.empty() ? "startSession without a sessionId"
                            : "duplicate startSession ignored",
                 {{"session", id}, {"peer", message.peerId}});
        return;
    }
    if (message.offer) {
        rejected("viewer refused: it offered, and this server offers",
                 {{"session", id}, {"peer", message.peerId}});
        send(endSessionMessage(id));
        return;
    }
    if (!mediaReady_) {
        rejected("viewer refused: the media pipeline is being rebuilt",
                 {{"session", id}, {"peer", message.peerId}});
        send(endSessionMessage(id));
        return;
    }
    if (sessions_.size() >= options_.maxViewers) {
        rejected("viewer refused: too many viewers",
                 {{"session", id},
                  {"max_viewers", std::to_string(options_.maxViewers)}});
        send(endSessionMessage(id));
        return;
    }

    auto session = ViewerSession::create(id, message.peerId, options_.ice,
                                         eventsFor(id, message.control));
    if (!session) {
        logger.error("cannot create a WebRTC session", {{"session", id}});
        send(endSessionMessage(id));
        return;
    }
    sessions_[id] = session;
    if (options_.metrics)
        options_.metrics->sessionStarted(id);
    logger.info("session started",
                {{"session", id},
                 {"peer", message.peerId},
                 {"viewers", std::to_string(sessions_.size())}});
    media_.attach(session->bin());
}

ViewerSession::Events Producer::eventsFor(const std::string &id,
                                         bool granted)
{
    ViewerSession::Events events;
    events.offer = [this, id](const std::string &sdp) {
        Message m;
        m.type = MessageType::Peer;
        m.sessionId = id;
        m.sdp = SdpPayload{"offer", sdp};
        send(m);
    };
    events.candidate = [this, id](unsigned mline, const std::string &c) {
        Message m;
        m.type = MessageType::Peer;
        m.sessionId = id;
        m.ice = IcePayload{c, mline};
        send(m);
    };
    events.connected = [this] { media_.viewerConnected(); };
    events.failed = [this, id](EndReason why, const std::string &detail) {
        endSession(id, why, detail, true);
    };
    events.control = [this, id, granted](GstWebRTCDataChannel *channel) {
        if (!options_.input)
            return;
        bool allowed = options_.input->allows(granted);
        controls_[id] =
            ControlChannel::create(channel, id, allowed, *options_.input);
        logger.debug("control channel made",
                     {{"session", id}, {"control", allowed ? "yes" : "no"}});
    };
    return events;
}

void Producer::peerMessage(const Message &message)
{
    auto it = sessions_.find(message.sessionId);
    if (it == sessions_.end()) {
        rejected("peer message for an unknown session dropped",
                 {{"session", message.sessionId}});
        return;
    }
    ViewerSession &session = *it->second;
    if (message.ice) {
        session.addCandidate(message.ice->mlineIndex, message.ice->candidate);
        return;
    }
    std::string error = "the viewer sent an offer; this server offers";
    if (message.sdp->type == "answer" &&
        session.applyAnswer(message.sdp->sdp, &error))
        return;
    rejected("unusable answer dropped",
             {{"session", message.sessionId}, {"reason", error}});
    if (!session.answered())
        endSession(message.sessionId, EndReason::Negotiation,
                   "unusable answer: " + error, true);
}

// The browser went away without a word, or its transport broke: the
// session is over whatever signalling says later.
void Producer::viewerBranchFailed(GstElement *bin, const std::string &error)
{
    for (const auto &[key, session] : sessions_) {
        if (session->bin() == bin) {
            std::string id = key; // endSession erases the key
            endSession(id, EndReason::TransportError,
                       "the viewer's transport failed: " + error, true);
            return;
        }
    }
}

void Producer::endSession(const std::string &id, EndReason why,
                          const std::string &detail, bool tellSignalling)
{
    auto it = sessions_.find(id);
    if (it == sessions_.end()) {
        logger.debug("endSession for an unknown session", {{"session", id}});
        return;
    }
    std::shared_ptr<ViewerSession> session = it->second;
    sessions_.erase(it);
    controls_.erase(id); // releases what the viewer held
    session->drainOperations();
    media_.detach(session->bin());
    if (tellSignalling)
        send(endSessionMessage(id));
    if (options_.metrics)
        options_.metrics->sessionEnded(id, endReasonLabel(why));
    logger.info("session ended",
                {{"session", id},
                 {"reason", detail},
                 {"why", std::string(endReasonLabel(why))},
                 {"viewers", std::to_string(sessions_.size())}});
}

} // namespace vmrtc
