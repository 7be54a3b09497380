// ViewerSession: webrtcbin set-up, offer, answer and candidates.
#include "session/ViewerSession.hpp"

#include "log/Logger.hpp"
#include "util/MainThread.hpp"

#include <gst/sdp/sdp.h>

#include <condition_variable>
#include <mutex>
#include <sstream>

namespace vmrtc {

namespace {

const Logger logger{"session"};

// The address field of an ICE candidate line ("candidate:f c p prio ADDR
// port typ …"), or empty.
std::string candidateAddress(const std::string &candidate)
{
    std::istringstream fields(candidate);
    std::string word;
    for (int i = 0; i < 5 && fields >> word; i++) {
        if (i == 4)
            return word;
    }
    return {};
}

std::string sessionDescriptionText(GstWebRTCSessionDescription *desc)
{
    GUnique<char> text{gst_sdp_message_as_text(desc->sdp)};
    return text.get();
}

} // namespace

ViewerSession::ViewerSession(std::string id, std::string peer, Events events)
    : id_(std::move(id)), peer_(std::move(peer)), events_(std::move(events))
{}

std::shared_ptr<ViewerSession> ViewerSession::create(std::string id,
                                                     std::string peer,
                                                     const IceConfig &ice,
                                                     Events events)
{
    std::shared_ptr<ViewerSession> session(
        new ViewerSession(std::move(id), std::move(peer), std::move(events)));
    if (!session->build(ice))
        return nullptr;
    session->connectSignals();
    session->offerWatch_ = g_timeout_add_seconds_full(
        G_PRIORITY_DEFAULT, offerOverdueSeconds, &ViewerSession::onOfferOverdue,
        new Weak(session),
        [](gpointer weak) { delete static_cast<Weak *>(weak); });
    return session;
}

ViewerSession::~ViewerSession()
{
    if (offerWatch_)
        g_source_remove(offerWatch_);
    for (gulong handler : handlers_)
        g_signal_handler_disconnect(webrtc_.get(), handler);
    if (bin_)
        gst_element_set_state(bin_.get(), GST_STATE_NULL);
}

bool ViewerSession::build(const IceConfig &ice)
{
    std::string name = "viewer-" + id_.substr(0, 8);
    bin_ = GRef<GstElement>::adopt(gst_bin_new(name.c_str()));
    GstElement *queue = gst_element_factory_make("queue", nullptr);
    webrtc_ = GRef<GstElement>::adopt(
        gst_element_factory_make("webrtcbin", "webrtc"));
    if (!queue || !webrtc_)
        return false;

    // A burst (a keyframe) may fill the queue; old packets go first.
    g_object_set(queue, "max-size-buffers", 0u, "max-size-bytes", 0u,
                 "max-size-time", 300 * GST_MSECOND, "leaky", 2, nullptr);
    g_object_set(webrtc_.get(), "bundle-policy",
                 GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, nullptr);
    configureIce(ice);
    gst_bin_add_many(GST_BIN(bin_.get()), queue, webrtc_.get(), nullptr);

    if (!addSendTransceiver(queue))
        return false;
    GRef<GstPad> queueSink =
        GRef<GstPad>::adopt(gst_element_get_static_pad(queue, "sink"));
    gst_element_add_pad(bin_.get(), gst_ghost_pad_new("sink", queueSink.get()));
    return true;
}

void ViewerSession::configureIce(const IceConfig &ice)
{
    if (!ice.stunServer.empty())
        g_object_set(webrtc_.get(), "stun-server", ice.stunServer.c_str(),
                     nullptr);
    for (const std::string &turn : ice.turnServers) {
        gboolean added = FALSE;
        g_signal_emit_by_name(webrtc_.get(), "add-turn-server", turn.c_str(),
                              &added);
        if (!added)
            logger.warning("webrtcbin refused a TURN server",
                           {{"session", id_}});
    }
    if (ice.portMin > 0) {
        GstWebRTCICE *agent = nullptr;
        g_object_get(webrtc_.get(), "ice-agent", &agent, nullptr);
        GRef<GstWebRTCICE> owned = GRef<GstWebRTCICE>::adopt(agent);
        g_object_set(agent, "min-rtp-port", static_cast<guint>(ice.portMin),
                     "max-rtp-port", static_cast<guint>(ice.portMax), nullptr);
    }
}

bool ViewerSession::addSendTransceiver(GstElement *queue)
{
    GRef<GstCaps> caps = GRef<GstCaps>::adopt(gst_caps_from_string(rtpCaps));
    GstPadTemplate *templ =
        gst_element_get_pad_template(webrtc_.get(), "sink_%u");
    GRef<GstPad> sink = GRef<GstPad>::adopt(
        gst_element_request_pad(webrtc_.get(), templ, nullptr, caps.get()));
    if (!sink)
        return false;

    GstWebRTCRTPTransceiver *transceiver = nullptr;
    g_object_get(sink.get(), "transceiver", &transceiver, nullptr);
    GRef<GstWebRTCRTPTransceiver> owned =
        GRef<GstWebRTCRTPTransceiver>::adopt(transceiver);
    if (!transceiver)
        return false;
    g_object_set(transceiver, "direction",
                 GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, "do-nack", TRUE,
                 nullptr);

    GRef<GstPad> queueSrc =
        GRef<GstPad>::adopt(gst_element_get_static_pad(queue, "src"));
    return gst_pad_link(queueSrc.get(), sink.get()) == GST_PAD_LINK_OK;
}

void ViewerSession::connectSignals()
{
    auto connect = [this](const char *signal, GCallback callback) {
        handlers_.push_back(g_signal_connect_data(
            webrtc_.get(), signal, callback, new Weak(weak_from_this()),
            &ViewerSession::freeWeak, GConnectFlags(0)));
    };
    connect("on-negotiation-needed", G_CALLBACK(&onNegotiationNeeded));
    connect("on-ice-candidate", G_CALLBACK(&onIceCandidate));
    connect("notify::connection-state", G_CALLBACK(&onStateNotify));
}

void ViewerSession::freeWeak(gpointer weak, GClosure *)
{
    delete static_cast<Weak *>(weak);
}

void ViewerSession::onNegotiationNeeded(GstElement *, gpointer weak)
{
    Weak session = *static_cast<Weak *>(weak);
    runOnMainThread([session] {
        if (auto self = session.lock())
            self->createOffer();
    });
}

gboolean ViewerSession::onOfferOverdue(gpointer weak)
{
    auto self = static_cast<Weak *>(weak)->lock();
    if (!self)
        return G_SOURCE_REMOVE;
    self->offerWatch_ = 0;
    if (!self->offered_) {
        logger.warning("webrtcbin did not ask to negotiate; offering anyway",
                       {{"session", self->id_}});
        self->createOffer();
    }
    return G_SOURCE_REMOVE;
}

void ViewerSession::createOffer()
{
    if (offered_)
        return;
    offered_ = true;
    createControlChannel();
    logger.debug("creating offer", {{"session", id_}});
    GstPromise *promise = gst_promise_new_with_change_func(
        &ViewerSession::onOfferReply, new Weak(weak_from_this()),
        [](gpointer weak) { delete static_cast<Weak *>(weak); });
    g_signal_emit_by_name(webrtc_.get(), "create-offer", nullptr, promise);
}

// gstwebrtc-api's RemoteController takes a channel of this label that the
// producer opens; made before the offer, it is negotiated with it.
void ViewerSession::createControlChannel()
{
    GstWebRTCDataChannel *channel = nullptr;
    g_signal_emit_by_name(webrtc_.get(), "create-data-channel", "control",
                          nullptr, &channel);
    GRef<GstWebRTCDataChannel> owned =
        GRef<GstWebRTCDataChannel>::adopt(channel);
    if (!owned) {
        logger.warning("webrtcbin made no control channel: the viewer can "
                       "only watch",
                       {{"session", id_}});
        return;
    }
    if (events_.control)
        events_.control(owned.get());
}

void ViewerSession::onOfferReply(GstPromise *promise, gpointer weak)
{
    Weak session = *static_cast<Weak *>(weak);
    const GstStructure *reply = gst_promise_get_reply(promise);
    GstWebRTCSessionDescription *offer = nullptr;
    if (reply)
        gst_structure_get(reply, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                          &offer, nullptr);
    gst_promise_unref(promise);

    std::shared_ptr<GstWebRTCSessionDescription> shared(
        offer, &gst_webrtc_session_description_free);
    runOnMainThread([session, shared] {
        if (auto self = session.lock())
            self->offerCreated(shared.get());
    });
}

void ViewerSession::offerCreated(GstWebRTCSessionDescription *offer)
{
    if (!offer) {
        logger.error("webrtcbin made no offer", {{"session", id_}});
        events_.failed(EndReason::Negotiation, "webrtcbin made no offer");
        return;
    }
    setLocalDescription(offer);

    std::string sdp = sessionDescriptionText(offer);
    logger.trace("offer", {{"session", id_}, {"sdp", sdp}});
    events_.offer(sdp);
}

// Waited for on the main thread, so that the session cannot end while
// webrtcbin sets the description up: ending it then (ICE gathering starts
// there) leaves the transport's receive bin alive, with its sockets.
void ViewerSession::setLocalDescription(GstWebRTCSessionDescription *offer)
{
    GstPromise *promise = gst_promise_new();
    g_signal_emit_by_name(webrtc_.get(), "set-local-description", offer,
                          promise);
    gst_promise_wait(promise);
    gst_promise_unref(promise);
}

bool ViewerSession::applyAnswer(const std::string &sdp, std::string *error)
{
    if (!offered_ || answered_) {
        *error = answered_ ? "a second answer" : "an answer before the offer";
        return false;
    }
    GstSDPMessage *message = nullptr;
    gst_sdp_message_new_from_text(sdp.c_str(), &message);
    if (!message || gst_sdp_message_medias_len(message) == 0) {
        if (message)
            gst_sdp_message_free(message);
        *error = "the answer is not an SDP with a media section";
        return false;
    }

    answered_ = true;
    logger.trace("answer", {{"session", id_}, {"sdp", sdp}});
    GstWebRTCSessionDescription *answer =
        gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER, message);
    GstPromise *promise = gst_promise_new_with_change_func(
        &ViewerSession::onAnswerApplied, new Weak(weak_from_this()),
        [](gpointer weak) { delete static_cast<Weak *>(weak); });
    g_signal_emit_by_name(webrtc_.get(), "set-remote-description", answer,
                          promise);
    gst_webrtc_session_description_free(answer);
    return true;
}

void ViewerSession::onAnswerApplied(GstPromise *promise, gpointer weak)
{
    Weak session = *static_cast<Weak *>(weak);
    const GstStructure *reply = gst_promise_get_reply(promise);
    std::string failure;
    if (reply && gst_structure_has_field(reply, "error")) {
        GError *error = nullptr;
        gst_structure_get(reply, "error", G_TYPE_ERROR, &error, nullptr);
        failure = error ? error->message : "rejected";
        g_clear_error(&error);
    }
    gst_promise_unref(promise);

    runOnMainThread([session, failure] {
        auto self = session.lock();
        if (!self)
            return;
        if (failure.empty())
            self->remoteDescriptionSet();
        else
            self->events_.failed(EndReason::Negotiation,
                                 "answer rejected: " + failure);
    });
}

void ViewerSession::remoteDescriptionSet()
{
    remoteSet_ = true;
    logger.debug(
        "answer applied",
        {{"session", id_},
         {"queued_candidates", std::to_string(pendingCandidates_.size())}});
    for (auto &[mline, candidate] : pendingCandidates_)
        g_signal_emit_by_name(webrtc_.get(), "add-ice-candidate", mline,
                              candidate.c_str());
    pendingCandidates_.clear();
}

void ViewerSession::addCandidate(unsigned mline, const std::string &candidate)
{
    if (candidate.empty() && usableCandidates_ == 0) {
        logger.debug("end of candidates ignored: none was usable",
                     {{"session", id_}});
        return;
    }
    std::string address = candidateAddress(candidate);
    if (address.ends_with(".local")) {
        logger.debug("dropped an mDNS candidate this host cannot resolve",
                     {{"session", id_}});
        return;
    }
    if (!candidate.empty())
        usableCandidates_++;
    logger.trace("remote candidate",
                 {{"session", id_}, {"candidate", candidate}});
    if (!remoteSet_) {
        pendingCandidates_.emplace_back(mline, candidate);
        return;
    }
    g_signal_emit_by_name(webrtc_.get(), "add-ice-candidate", mline,
                          candidate.c_str());
}

void ViewerSession::onIceCandidate(GstElement *, guint mline, gchar *candidate,
                                   gpointer weak)
{
    Weak session = *static_cast<Weak *>(weak);
    std::string text = candidate ? candidate : "";
    runOnMainThread([session, mline, text] {
        auto self = session.lock();
        if (!self || self->finished_)
            return;
        logger.trace("local candidate",
                     {{"session", self->id_}, {"candidate", text}});
        self->events_.candidate(mline, text);
    });
}

void ViewerSession::onStateNotify(GObject *webrtc, GParamSpec *, gpointer weak)
{
    Weak session = *static_cast<Weak *>(weak);
    GstWebRTCPeerConnectionState state;
    g_object_get(webrtc, "connection-state", &state, nullptr);
    runOnMainThread([session, state] {
        if (auto self = session.lock())
            self->connectionStateChanged(state);
    });
}

void ViewerSession::connectionStateChanged(int state)
{
    if (finished_)
        return;
    switch (state) {
    case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED:
        logger.info("viewer connected", {{"session", id_}, {"peer", peer_}});
        connected_ = true;
        events_.connected();
        break;
    // FIXME: only a failure before connecting is detected and tested (the
    // check list fails after the viewer's end of candidates). webrtcbin
    // turns on no ICE consent freshness, so a connected pair never times
    // out: a viewer that vanishes without a word is noticed only through
    // its transport's errors. No test makes DTLS itself fail.
    case GST_WEBRTC_PEER_CONNECTION_STATE_FAILED:
    case GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED:
        finished_ = true;
        if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED)
            events_.failed(EndReason::ConnectionFailed, "ICE or DTLS failed");
        else
            events_.failed(EndReason::ViewerClosed,
                           "the viewer closed the connection");
        break;
    default:
        logger.debug("connection state",
                     {{"session", id_}, {"state", std::to_string(state)}});
    }
}

namespace {

// One get-stats call in flight: whom to tell, and how.
struct StatsRequest {
    std::weak_ptr<ViewerSession> session;
    ViewerSession::StatsHandler done;
};

// The nick of an enum value ("connected"), or empty.
std::string enumNick(GType type, gint value)
{
    GEnumClass *klass = static_cast<GEnumClass *>(g_type_class_ref(type));
    GEnumValue *entry = g_enum_get_value(klass, value);
    std::string nick = entry ? entry->value_nick : "";
    g_type_class_unref(klass);
    return nick;
}

} // namespace

void ViewerSession::drainOperations()
{
    // webrtcbin runs operations in order on a thread of its own, so a
    // statistics request queued last is answered once the others are done.
    // Should no answer come, the session ends anyway after drainTimeout.
    // FIXME: webrtcbin names each statistic by the session's own ids (SSRC,
    // candidate, transport), and GstStructure keeps every field name as a
    // GQuark, never freed: about five new names, some 500 bytes, for each
    // session that ends. A barrier that gathers no statistics would not.
    struct Drain {
        std::mutex lock;
        std::condition_variable answered;
        bool done = false;
    };
    auto drain = std::make_shared<Drain>();
    GstPromise *promise = gst_promise_new_with_change_func(
        [](GstPromise *, gpointer data) {
            Drain &d = **static_cast<std::shared_ptr<Drain> *>(data);
            std::lock_guard<std::mutex> hold(d.lock);
            d.done = true;
            d.answered.notify_all();
        },
        new std::shared_ptr<Drain>(drain),
        [](gpointer data) {
            delete static_cast<std::shared_ptr<Drain> *>(data);
        });
    g_signal_emit_by_name(webrtc_.get(), "get-stats", nullptr, promise);
    gst_promise_unref(promise);

    std::unique_lock<std::mutex> hold(drain->lock);
    if (!drain->answered.wait_for(hold, drainTimeout,
                                  [&] { return drain->done; }))
        logger.warning("webrtcbin still busy when the session ended",
                       {{"session", id_},
                        {"waited_ms", std::to_string(drainTimeout.count())}});
}

void ViewerSession::requestStats(StatsHandler done)
{
    // A viewer still negotiating has no RTCP figures yet, and one whose
    // session is ending must not have webrtcbin gather them meanwhile.
    if (!connected_ || finished_)
        return;
    auto *request = new StatsRequest{weak_from_this(), std::move(done)};
    GstPromise *promise = gst_promise_new_with_change_func(
        &ViewerSession::onStats, request,
        [](gpointer data) { delete static_cast<StatsRequest *>(data); });
    g_signal_emit_by_name(webrtc_.get(), "get-stats", nullptr, promise);
}

// On a webrtcbin thread: copy the figures, then hand them to the main one.
void ViewerSession::onStats(GstPromise *promise, gpointer data)
{
    auto *request = static_cast<StatsRequest *>(data);
    ViewerStats stats;
    if (gst_promise_wait(promise) == GST_PROMISE_RESULT_REPLIED)
        stats = ViewerStats::fromWebRtcStats(gst_promise_get_reply(promise));
    gst_promise_unref(promise);

    runOnMainThread(
        [session = request->session, done = request->done, stats]() mutable {
            auto self = session.lock();
            if (!self || self->finished_)
                return;
            self->addStates(&stats);
            done(std::move(stats));
        });
}

void ViewerSession::addStates(ViewerStats *stats) const
{
    GstWebRTCICEConnectionState ice;
    g_object_get(webrtc_.get(), "ice-connection-state", &ice, nullptr);
    stats->iceState = enumNick(GST_TYPE_WEBRTC_ICE_CONNECTION_STATE, ice);

    GstWebRTCRTPTransceiver *transceiver = nullptr;
    g_signal_emit_by_name(webrtc_.get(), "get-transceiver", 0, &transceiver);
    GRef<GstWebRTCRTPTransceiver> owned =
        GRef<GstWebRTCRTPTransceiver>::adopt(transceiver);
    if (!transceiver)
        return;
    GstWebRTCRTPSender *sender = nullptr;
    g_object_get(transceiver, "sender", &sender, nullptr);
    GRef<GstWebRTCRTPSender> ownedSender =
        GRef<GstWebRTCRTPSender>::adopt(sender);
    if (!sender)
        return;
    GstWebRTCDTLSTransport *transport = nullptr;
    g_object_get(sender, "transport", &transport, nullptr);
    GRef<GstWebRTCDTLSTransport> ownedTransport =
        GRef<GstWebRTCDTLSTransport>::adopt(transport);
    if (!transport)
        return;
    GstWebRTCDTLSTransportState dtls;
    g_object_get(transport, "state", &dtls, nullptr);
    stats->dtlsState = enumNick(GST_TYPE_WEBRTC_DTLS_TRANSPORT_STATE, dtls);
}

} // namespace vmrtc
