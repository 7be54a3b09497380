// WebRtcReceiver: consumer side of the protocol with a decoding webrtcbin.
#include "WebRtcReceiver.hpp"

#define GST_USE_UNSTABLE_API
#include <gst/app/gstappsink.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <json-glib/json-glib.h>

#include <cstdlib>

namespace vmrtc::test {

namespace {

using Clock = std::chrono::steady_clock;

std::string toJson(JsonBuilder *builder)
{
    GRef<JsonNode> root = GRef<JsonNode>::adopt(json_builder_get_root(builder));
    char *text = json_to_string(root.get(), FALSE);
    std::string out = text;
    g_free(text);
    return out;
}

// {"type": type, key: value, …} with string values.
std::string
simple(const char *type,
       std::initializer_list<std::pair<const char *, std::string>> members)
{
    GRef<JsonBuilder> b = GRef<JsonBuilder>::adopt(json_builder_new());
    json_builder_begin_object(b.get());
    json_builder_set_member_name(b.get(), "type");
    json_builder_add_string_value(b.get(), type);
    for (const auto &[key, value] : members) {
        json_builder_set_member_name(b.get(), key);
        json_builder_add_string_value(b.get(), value.c_str());
    }
    json_builder_end_object(b.get());
    return toJson(b.get());
}

const char *member(JsonObject *o, const char *name)
{
    if (!json_object_has_member(o, name))
        return "";
    const char *s = json_object_get_string_member(o, name);
    return s ? s : "";
}

} // namespace

WebRtcReceiver::WebRtcReceiver(std::string signallingUrl, std::string token)
    : url_(std::move(signallingUrl)), token_(std::move(token)),
      soup_(GRef<SoupSession>::adopt(soup_session_new())),
      connecting_(GRef<GCancellable>::adopt(g_cancellable_new())),
      self_(std::make_shared<WebRtcReceiver *>(this))
{}

WebRtcReceiver::~WebRtcReceiver()
{
    stop();
}

bool WebRtcReceiver::start(const std::string &session,
                           std::chrono::milliseconds timeout)
{
    session_ = session;
    GRef<SoupMessage> request =
        GRef<SoupMessage>::adopt(soup_message_new("GET", url_.c_str()));
    if (!token_.empty())
        soup_message_headers_replace(
            soup_message_get_request_headers(request.get()), "Authorization",
            ("Bearer " + token_).c_str());
    soup_session_websocket_connect_async(soup_.get(), request.get(), nullptr,
                                         nullptr, G_PRIORITY_DEFAULT,
                                         connecting_.get(),
                                         &WebRtcReceiver::onConnected, this);

    // Ask for the producers until ours shows up; it may register late.
    auto nextList = Clock::now();
    return pump(
        [&] {
            if (ws_ && producerId_.empty() && Clock::now() >= nextList) {
                send(simple("list", {}));
                nextList = Clock::now() + std::chrono::milliseconds(200);
            }
            return !sessionId_.empty();
        },
        timeout);
}

void WebRtcReceiver::stop()
{
    g_cancellable_cancel(connecting_.get());
    if (ws_ && !sessionId_.empty() && !ended_)
        send(simple("endSession", {{"sessionId", sessionId_}}));
    ended_ = true;
    if (ws_) {
        if (soup_websocket_connection_get_state(ws_.get()) ==
            SOUP_WEBSOCKET_STATE_OPEN)
            soup_websocket_connection_close(ws_.get(), 1000, nullptr);
        g_signal_handlers_disconnect_by_data(ws_.get(), this);
        pump([] { return false; }, std::chrono::milliseconds(50));
        ws_.reset();
    }
    if (pipeline_) {
        g_signal_handlers_disconnect_by_data(webrtc_.get(), this);
        if (control_)
            g_signal_handlers_disconnect_by_data(control_.get(), this);
        gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
        pipeline_.reset();
        webrtc_.reset();
    }
}

void WebRtcReceiver::drop()
{
    ended_ = true; // stop() then sends no endSession
    stop();
}

bool WebRtcReceiver::connected() const
{
    if (!webrtc_)
        return false;
    GstWebRTCPeerConnectionState state;
    g_object_get(webrtc_.get(), "connection-state", &state, nullptr);
    return state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED;
}

bool WebRtcReceiver::pump(const std::function<bool()> &done,
                          std::chrono::milliseconds timeout)
{
    auto deadline = Clock::now() + timeout;
    while (!done()) {
        if (Clock::now() >= deadline)
            return false;
        if (!g_main_context_iteration(nullptr, FALSE))
            g_usleep(2000);
    }
    return true;
}

void WebRtcReceiver::onConnected(GObject *session, GAsyncResult *result,
                                 gpointer data)
{
    GError *error = nullptr;
    SoupWebsocketConnection *ws = soup_session_websocket_connect_finish(
        SOUP_SESSION(session), result, &error);
    if (!ws && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
        g_error_free(error); // the receiver may be gone: touch nothing
        return;
    }
    auto *self = static_cast<WebRtcReceiver *>(data);
    if (!ws) {
        g_printerr("receiver: cannot connect: %s\n", error->message);
        g_error_free(error);
        return;
    }
    self->ws_ = GRef<SoupWebsocketConnection>::adopt(ws);
    g_signal_connect(ws, "message", G_CALLBACK(&WebRtcReceiver::onMessage),
                     self);
}

void WebRtcReceiver::send(const std::string &json)
{
    if (ws_ && soup_websocket_connection_get_state(ws_.get()) ==
                   SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_send_text(ws_.get(), json.c_str());
}

void WebRtcReceiver::onMessage(SoupWebsocketConnection *, gint, GBytes *payload,
                               gpointer data)
{
    gsize size = 0;
    auto *bytes = static_cast<const char *>(g_bytes_get_data(payload, &size));
    static_cast<WebRtcReceiver *>(data)->received(std::string(bytes, size));
}

void WebRtcReceiver::received(const std::string &text)
{
    GRef<JsonNode> node =
        GRef<JsonNode>::adopt(json_from_string(text.c_str(), nullptr));
    if (!node || !JSON_NODE_HOLDS_OBJECT(node.get()))
        return;
    JsonObject *o = json_node_get_object(node.get());
    std::string type = member(o, "type");

    if (type == "welcome") {
        send("{\"type\":\"setPeerStatus\",\"roles\":[\"listener\"],"
             "\"meta\":null}");
    } else if (type == "list" && producerId_.empty()) {
        JsonArray *producers = json_object_get_array_member(o, "producers");
        for (guint i = 0; producers && i < json_array_get_length(producers);
             i++) {
            JsonObject *p = json_array_get_object_element(producers, i);
            JsonObject *meta = json_object_get_object_member(p, "meta");
            if (meta && session_ == member(meta, "session")) {
                producerId_ = member(p, "id");
                send(simple("startSession", {{"peerId", producerId_}}));
                startSent_ = Clock::now();
                break;
            }
        }
    } else if (type == "sessionStarted") {
        sessionId_ = member(o, "sessionId");
    } else if (type == "endSession") {
        ended_ = true;
    } else if (type == "peer" && json_object_has_member(o, "sdp")) {
        JsonObject *sdp = json_object_get_object_member(o, "sdp");
        answer(member(sdp, "sdp"));
    } else if (type == "peer" && json_object_has_member(o, "ice")) {
        if (onlyCandidate_)
            return; // the server's candidates go unused
        JsonObject *ice = json_object_get_object_member(o, "ice");
        guint index = static_cast<guint>(
            json_object_get_int_member(ice, "sdpMLineIndex"));
        std::string candidate = member(ice, "candidate");
        if (withholdCandidates_)
            return;
        if (remoteSet_)
            g_signal_emit_by_name(webrtc_.get(), "add-ice-candidate", index,
                                  candidate.c_str());
        else
            pendingCandidates_.emplace_back(index, candidate);
    }
}

void WebRtcReceiver::buildPipeline()
{
    pipeline_ = GRef<GstElement>::adopt(gst_pipeline_new("receiver"));
    webrtc_ =
        GRef<GstElement>::adopt(gst_element_factory_make("webrtcbin", nullptr));
    g_object_set(webrtc_.get(), "bundle-policy",
                 GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, nullptr);
    gst_bin_add(GST_BIN(pipeline_.get()), webrtc_.get());
    g_signal_connect(webrtc_.get(), "on-ice-candidate",
                     G_CALLBACK(&WebRtcReceiver::onIceCandidate), this);
    g_signal_connect(webrtc_.get(), "pad-added",
                     G_CALLBACK(&WebRtcReceiver::onPadAdded), this);
    g_signal_connect(webrtc_.get(), "on-data-channel",
                     G_CALLBACK(&WebRtcReceiver::onDataChannel), this);
    gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING);
}

// On webrtcbin's thread: the channel is kept for the main thread, which
// only touches it after waitForControl saw it.
void WebRtcReceiver::onDataChannel(GstElement *, GObject *channel,
                                   gpointer self)
{
    auto *receiver = static_cast<WebRtcReceiver *>(self);
    GUnique<char> label;
    g_object_get(channel, "label", &label, nullptr);
    if (!label || std::string(label.get()) != "control")
        return;

    g_signal_connect(channel, "on-message-string",
                     G_CALLBACK(&WebRtcReceiver::onControlMessage), self);
    std::lock_guard lock(receiver->mutex_);
    receiver->control_ = GRef<GObject>::share(channel);
}

void WebRtcReceiver::onControlMessage(GObject *, gchar *text, gpointer self)
{
    auto *receiver = static_cast<WebRtcReceiver *>(self);
    std::lock_guard lock(receiver->mutex_);
    receiver->controlMessages_.push_back(text ? text : "");
}

bool WebRtcReceiver::waitForControl(std::chrono::milliseconds timeout)
{
    return pump(
        [this] {
            std::lock_guard lock(mutex_);
            if (!control_)
                return false;
            GstWebRTCDataChannelState state;
            g_object_get(control_.get(), "ready-state", &state, nullptr);
            return state == GST_WEBRTC_DATA_CHANNEL_STATE_OPEN;
        },
        timeout);
}

bool WebRtcReceiver::sendControl(const std::string &text)
{
    GRef<GObject> channel;
    {
        std::lock_guard lock(mutex_);
        channel = control_;
    }
    if (!channel)
        return false;
    return gst_webrtc_data_channel_send_string_full(
        GST_WEBRTC_DATA_CHANNEL(channel.get()), text.c_str(), nullptr);
}

std::vector<std::string> WebRtcReceiver::controlMessages() const
{
    std::lock_guard lock(mutex_);
    return controlMessages_;
}

std::optional<std::string>
WebRtcReceiver::waitForReply(long id, std::chrono::milliseconds timeout)
{
    std::string wanted = "\"id\":" + std::to_string(id) + ",";
    std::optional<std::string> found;
    pump(
        [&] {
            for (const std::string &message : controlMessages()) {
                if (message.find(wanted) != std::string::npos)
                    found = message;
            }
            return found.has_value();
        },
        timeout);
    return found;
}

void WebRtcReceiver::answer(const std::string &offerText)
{
    offer_ = offerText;
    buildPipeline();
    GstSDPMessage *sdp = nullptr;
    gst_sdp_message_new_from_text(offerText.c_str(), &sdp);
    GstWebRTCSessionDescription *offer =
        gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, sdp);
    GstPromise *applied = gst_promise_new();
    g_signal_emit_by_name(webrtc_.get(), "set-remote-description", offer,
                          applied);
    gst_promise_wait(applied);
    gst_promise_unref(applied);
    gst_webrtc_session_description_free(offer);

    // As browsers do: lost packets are asked for again (NACK), and a frame
    // that cannot be decoded is answered with a keyframe request.
    GstWebRTCRTPTransceiver *transceiver = nullptr;
    g_signal_emit_by_name(webrtc_.get(), "get-transceiver", 0, &transceiver);
    if (transceiver) {
        g_object_set(transceiver, "do-nack", TRUE, nullptr);
        gst_object_unref(transceiver);
    }

    remoteSet_ = true;
    for (auto &[index, candidate] : pendingCandidates_)
        g_signal_emit_by_name(webrtc_.get(), "add-ice-candidate", index,
                              candidate.c_str());
    pendingCandidates_.clear();

    GstPromise *made = gst_promise_new();
    g_signal_emit_by_name(webrtc_.get(), "create-answer", nullptr, made);
    gst_promise_wait(made);
    GstWebRTCSessionDescription *answer = nullptr;
    gst_structure_get(gst_promise_get_reply(made), "answer",
                      GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer, nullptr);
    gst_promise_unref(made);
    g_signal_emit_by_name(webrtc_.get(), "set-local-description", answer,
                          nullptr);

    char *text = gst_sdp_message_as_text(answer->sdp);
    GRef<JsonBuilder> b = GRef<JsonBuilder>::adopt(json_builder_new());
    json_builder_begin_object(b.get());
    json_builder_set_member_name(b.get(), "type");
    json_builder_add_string_value(b.get(), "peer");
    json_builder_set_member_name(b.get(), "sessionId");
    json_builder_add_string_value(b.get(), sessionId_.c_str());
    json_builder_set_member_name(b.get(), "sdp");
    json_builder_begin_object(b.get());
    json_builder_set_member_name(b.get(), "type");
    json_builder_add_string_value(b.get(), "answer");
    json_builder_set_member_name(b.get(), "sdp");
    json_builder_add_string_value(b.get(), text);
    json_builder_end_object(b.get());
    json_builder_end_object(b.get());
    send(toJson(b.get()));
    g_free(text);
    gst_webrtc_session_description_free(answer);

    if (onlyCandidate_) {
        for (const std::string &candidate : {*onlyCandidate_, std::string()})
            send("{\"type\":\"peer\",\"sessionId\":\"" + sessionId_ +
                 "\",\"ice\":{\"candidate\":\"" + candidate +
                 "\",\"sdpMLineIndex\":0}}");
    }
}

void WebRtcReceiver::onIceCandidate(GstElement *, guint index, gchar *cand,
                                    gpointer data)
{
    auto *self = static_cast<WebRtcReceiver *>(data);
    if (self->onlyCandidate_)
        return; // only the candidate the test chose is sent
    if (self->withholdCandidates_)
        return;

    struct Outgoing {
        std::weak_ptr<WebRtcReceiver *> to;
        std::string json;
    };
    std::string candidate = cand;
    std::string json = "{\"type\":\"peer\",\"sessionId\":\"" +
                       self->sessionId_ + "\",\"ice\":{\"candidate\":\"" +
                       candidate + "\",\"sdpMLineIndex\":" +
                       std::to_string(index) + "}}";
    auto *outgoing = new Outgoing{self->self_, std::move(json)};

    // Called on a webrtcbin thread: hand the send to the main context.
    g_idle_add_full(
        G_PRIORITY_DEFAULT,
        [](gpointer p) -> gboolean {
            auto *out = static_cast<Outgoing *>(p);
            if (auto receiver = out->to.lock())
                (*receiver)->send(out->json);
            return G_SOURCE_REMOVE;
        },
        outgoing, [](gpointer p) { delete static_cast<Outgoing *>(p); });
}

void WebRtcReceiver::onPadAdded(GstElement *, GstPad *pad, gpointer data)
{
    if (GST_PAD_DIRECTION(pad) == GST_PAD_SRC)
        static_cast<WebRtcReceiver *>(data)->decodedPad(pad);
}

void WebRtcReceiver::decodedPad(GstPad *pad)
{
    gst_pad_add_probe(pad,
                      static_cast<GstPadProbeType>(
                          GST_PAD_PROBE_TYPE_BUFFER |
                          GST_PAD_PROBE_TYPE_BUFFER_LIST),
                      &WebRtcReceiver::onRtp, this, nullptr);

    GError *error = nullptr;
    GstElement *decode = gst_parse_bin_from_description(
        "rtpvp8depay request-keyframe=true wait-for-keyframe=true "
        "! vp8dec ! videoconvert ! video/x-raw,format=RGBx ! "
        "appsink name=frames emit-signals=true sync=false max-buffers=1 "
        "drop=true",
        TRUE, &error);
    if (!decode) {
        g_printerr("receiver: %s\n", error->message);
        g_error_free(error);
        return;
    }
    gst_bin_add(GST_BIN(pipeline_.get()), decode);
    GstElement *sink = gst_bin_get_by_name(GST_BIN(decode), "frames");
    g_signal_connect(sink, "new-sample", G_CALLBACK(&WebRtcReceiver::onSample),
                     this);
    gst_object_unref(sink);
    GstPad *decodeSink = gst_element_get_static_pad(decode, "sink");
    gst_pad_link(pad, decodeSink);
    gst_object_unref(decodeSink);
    gst_element_sync_state_with_parent(decode);
}

GstFlowReturn WebRtcReceiver::onSample(GstElement *sink, gpointer data)
{
    auto *self = static_cast<WebRtcReceiver *>(data);
    GstSample *sample = gst_app_sink_pull_sample(GST_APP_SINK(sink));
    if (!sample)
        return GST_FLOW_OK;
    GstStructure *s = gst_caps_get_structure(gst_sample_get_caps(sample), 0);
    int width = 0;
    int height = 0;
    gst_structure_get_int(s, "width", &width);
    gst_structure_get_int(s, "height", &height);

    // Sample a block a quarter in from the top left: the centre is where
    // the X server parks its cursor, which the capture draws.
    GstMapInfo map;
    GstBuffer *buffer = gst_sample_get_buffer(sample);
    if (width >= 64 && height >= 64 &&
        gst_buffer_map(buffer, &map, GST_MAP_READ)) {
        size_t stride = static_cast<size_t>(width) * 4;
        Rgb sum{0, 0, 0};
        for (int y = height / 4; y < height / 4 + 8; y++) {
            const guint8 *row = map.data + y * stride + (width / 4) * 4;
            for (int x = 0; x < 8; x++) {
                for (int c = 0; c < 3; c++)
                    sum[c] += row[x * 4 + c];
            }
        }
        gst_buffer_unmap(buffer, &map);
        std::lock_guard lock(self->mutex_);
        if (self->frames_++ == 0)
            self->firstFrame_ = Clock::now();
        self->colour_ = Rgb{sum[0] / 64, sum[1] / 64, sum[2] / 64};
        self->lastBuffer_ = GRef<GstBuffer>::share(buffer);
        self->lastWidth_ = width;
        self->lastHeight_ = height;
    }
    gst_sample_unref(sample);
    return GST_FLOW_OK;
}

// On webrtcbin's streaming thread: counts what leaves it.
GstPadProbeReturn WebRtcReceiver::onRtp(GstPad *, GstPadProbeInfo *info,
                                        gpointer data)
{
    auto *self = static_cast<WebRtcReceiver *>(data);
    gsize size = 0;
    if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
        size = gst_buffer_get_size(GST_PAD_PROBE_INFO_BUFFER(info));
    else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
        size = gst_buffer_list_calculate_size(
            GST_PAD_PROBE_INFO_BUFFER_LIST(info));
    std::lock_guard lock(self->mutex_);
    self->bytes_ += static_cast<long long>(size);
    return GST_PAD_PROBE_OK;
}

long long WebRtcReceiver::bytesReceived() const
{
    std::lock_guard lock(mutex_);
    return bytes_;
}

std::optional<double> WebRtcReceiver::firstFrameMs() const
{
    std::lock_guard lock(mutex_);
    if (!startSent_ || !firstFrame_)
        return std::nullopt;
    return std::chrono::duration<double, std::milli>(*firstFrame_ -
                                                     *startSent_)
        .count();
}

std::optional<WebRtcReceiver::Frame> WebRtcReceiver::lastFrame() const
{
    GRef<GstBuffer> buffer;
    Frame frame;
    {
        std::lock_guard lock(mutex_);
        buffer = lastBuffer_;
        frame.width = lastWidth_;
        frame.height = lastHeight_;
    }
    GstMapInfo map;
    if (!buffer || !gst_buffer_map(buffer.get(), &map, GST_MAP_READ))
        return std::nullopt;
    frame.rgbx.assign(map.data, map.data + map.size);
    gst_buffer_unmap(buffer.get(), &map);
    return frame;
}

int WebRtcReceiver::framesDecoded() const
{
    std::lock_guard lock(mutex_);
    return frames_;
}

std::optional<Rgb> WebRtcReceiver::colour() const
{
    std::lock_guard lock(mutex_);
    return colour_;
}

bool WebRtcReceiver::waitForFrames(int count, std::chrono::milliseconds timeout)
{
    return pump([&] { return framesDecoded() >= count; }, timeout);
}

bool WebRtcReceiver::waitForColour(Rgb expected, int tolerance,
                                   std::chrono::milliseconds timeout)
{
    return pump(
        [&] {
            auto c = colour();
            if (!c)
                return false;
            for (int i = 0; i < 3; i++) {
                if (std::abs((*c)[i] - expected[i]) > tolerance)
                    return false;
            }
            return true;
        },
        timeout);
}

} // namespace vmrtc::test
