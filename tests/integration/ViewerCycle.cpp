// ViewerCycle: a receiver for the cycles that connect, a bare WebSocket
// speaking the protocol for those abandoned during negotiation.
#include "ViewerCycle.hpp"

#include "WebSocketClient.hpp"

#include <json-glib/json-glib.h>

#include <optional>

namespace vmrtc::test {

namespace {

using namespace std::chrono_literals;

// Parses but has no media section: the server refuses it itself.
constexpr const char *answerWithoutMedia =
    "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";

// A media section webrtcbin cannot use: no ICE credentials, no DTLS
// fingerprint, a mid the offer does not have.
constexpr const char *unusableAnswer =
    "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n"
    "a=mid:none\r\na=recvonly\r\na=rtpmap:96 VP8/90000\r\n";

GRef<JsonNode> parse(const std::string &text)
{
    return GRef<JsonNode>::adopt(json_from_string(text.c_str(), nullptr));
}

// The string member name of the object text, or of its object member
// parent when one is given; empty when there is none.
std::string field(const std::string &text, const char *name,
                  const char *parent = nullptr)
{
    GRef<JsonNode> root = parse(text);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root.get()))
        return {};
    JsonObject *object = json_node_get_object(root.get());
    if (parent)
        object = json_object_get_object_member(object, parent);
    if (!object || !json_object_has_member(object, name))
        return {};
    const char *value = json_object_get_string_member(object, name);
    return value ? value : "";
}

// The id of the producer whose meta.session is session in a list reply.
std::string producerIn(const std::string &list, const std::string &session)
{
    GRef<JsonNode> root = parse(list);
    JsonObject *object = json_node_get_object(root.get());
    JsonArray *producers = json_object_get_array_member(object, "producers");
    for (guint i = 0; producers && i < json_array_get_length(producers); i++) {
        JsonObject *p = json_array_get_object_element(producers, i);
        JsonObject *meta = json_object_get_object_member(p, "meta");
        if (meta && json_object_has_member(meta, "session") &&
            session == json_object_get_string_member(meta, "session"))
            return json_object_get_string_member(p, "id");
    }
    return {};
}

std::string
message(std::initializer_list<std::pair<const char *, std::string>> members,
        const char *sdp = nullptr)
{
    GRef<JsonBuilder> b = GRef<JsonBuilder>::adopt(json_builder_new());
    json_builder_begin_object(b.get());
    for (const auto &[key, value] : members) {
        json_builder_set_member_name(b.get(), key);
        json_builder_add_string_value(b.get(), value.c_str());
    }
    if (sdp) {
        json_builder_set_member_name(b.get(), "sdp");
        json_builder_begin_object(b.get());
        json_builder_set_member_name(b.get(), "type");
        json_builder_add_string_value(b.get(), "answer");
        json_builder_set_member_name(b.get(), "sdp");
        json_builder_add_string_value(b.get(), sdp);
        json_builder_end_object(b.get());
    }
    json_builder_end_object(b.get());

    GRef<JsonNode> root = GRef<JsonNode>::adopt(json_builder_get_root(b.get()));
    GUnique<char> text{json_to_string(root.get(), FALSE)};
    return text.get();
}

// The next message of that type (and, when given, with an sdp member of
// that type), skipping the others.
std::optional<std::string> await(WebSocketClient &ws, const char *type,
                                 const char *sdpType = nullptr)
{
    auto until = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < until) {
        std::optional<std::string> next = ws.next(1s);
        if (next && field(*next, "type") == type &&
            (!sdpType || field(*next, "type", "sdp") == sdpType))
            return next;
    }
    return std::nullopt;
}

bool usesReceiver(ViewerCycle::Kind kind)
{
    using Kind = ViewerCycle::Kind;
    return kind == Kind::Frame || kind == Kind::ConnectedEnd ||
           kind == Kind::ConnectedClose || kind == Kind::AnswerNoCandidate;
}

} // namespace

ViewerCycle::Kind ViewerCycle::kindFor(int index)
{
    bool odd = (index / 10) % 2 == 1;
    switch (index % 10) {
    case 0:
        return Kind::Frame;
    case 1:
    case 3:
    case 5:
        return Kind::ConnectedEnd;
    case 6:
        return odd ? Kind::CloseAfterOffer : Kind::CloseBeforeOffer;
    case 7:
        return Kind::AnswerNoCandidate;
    case 8:
        return odd ? Kind::AnswerUnusable : Kind::AnswerNoMedia;
    default:
        return Kind::ConnectedClose;
    }
}

const char *ViewerCycle::name(Kind kind)
{
    switch (kind) {
    case Kind::Frame:
        return "frame";
    case Kind::ConnectedEnd:
        return "connected-end";
    case Kind::ConnectedClose:
        return "connected-close";
    case Kind::CloseBeforeOffer:
        return "close-before-offer";
    case Kind::CloseAfterOffer:
        return "close-after-offer";
    case Kind::AnswerNoMedia:
        return "answer-no-media";
    case Kind::AnswerUnusable:
        return "answer-unusable";
    case Kind::AnswerNoCandidate:
        return "answer-no-candidate";
    }
    return "?";
}

ViewerCycle::ViewerCycle(Kind kind, std::string signallingUrl,
                         std::string session)
    : kind_(kind), url_(std::move(signallingUrl)), session_(std::move(session))
{}

bool ViewerCycle::step()
{
    if (usesReceiver(kind_))
        return stepReceiver();
    runAbandoned();
    return true;
}

bool ViewerCycle::stepReceiver()
{
    if (!receiver_) {
        receiver_ = std::make_unique<WebRtcReceiver>(url_);
        if (kind_ == Kind::AnswerNoCandidate)
            receiver_->withholdCandidates();
        if (receiver_->start(session_, 10s))
            return false;
        failure_ = "no session started in 10 s";
    } else if (receiver_->sessionEnded()) {
        failure_ = "the server ended the session";
    } else if (!goalReached()) {
        if (Clock::now() - started_ < deadline)
            return false;
        failure_ = "not there in " + std::to_string(deadline.count()) + " s";
    }

    leave();
    return true;
}

bool ViewerCycle::goalReached() const
{
    switch (kind_) {
    case Kind::Frame:
        return receiver_->framesDecoded() >= 1;
    case Kind::AnswerNoCandidate:
        return receiver_->answered();
    default:
        return receiver_->connected();
    }
}

void ViewerCycle::leave()
{
    if (kind_ == Kind::ConnectedClose || kind_ == Kind::AnswerNoCandidate)
        receiver_->drop();
    else
        receiver_->stop();
    receiver_.reset();
}

// Blocks for the whole cycle, which is short: each wait iterates the main
// context, so the other cycles' receivers go on meanwhile.
void ViewerCycle::runAbandoned()
{
    WebSocketClient ws;
    std::string error;
    if (!ws.connect(url_, &error)) {
        failure_ = "cannot connect: " + error;
        return;
    }

    std::optional<std::string> reply = await(ws, "welcome");
    ws.sendText(R"({"type":"setPeerStatus","roles":["listener"],"meta":null})");
    ws.sendText(R"({"type":"list"})");
    reply = reply ? await(ws, "list") : std::nullopt;
    std::string producer = reply ? producerIn(*reply, session_) : "";
    if (producer.empty()) {
        failure_ = "the producer is not listed";
        return;
    }

    ws.sendText(message({{"type", "startSession"}, {"peerId", producer}}));
    reply = await(ws, "sessionStarted");
    std::string id = reply ? field(*reply, "sessionId") : "";
    if (id.empty()) {
        failure_ = "no sessionStarted";
        return;
    }
    if (kind_ == Kind::CloseBeforeOffer) {
        ws.close();
        ws.waitClosed(2s);
        return;
    }

    if (!await(ws, "peer", "offer")) {
        failure_ = "no offer";
        return;
    }
    if (kind_ == Kind::AnswerNoMedia || kind_ == Kind::AnswerUnusable) {
        const char *sdp =
            kind_ == Kind::AnswerNoMedia ? answerWithoutMedia : unusableAnswer;
        ws.sendText(message({{"type", "peer"}, {"sessionId", id}}, sdp));
        if (!await(ws, "endSession"))
            failure_ = "the server kept a session it had no answer for";
    }
    ws.close();
    ws.waitClosed(2s);
}

} // namespace vmrtc::test
