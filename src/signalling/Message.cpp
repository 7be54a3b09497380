// Message: JSON <-> typed signalling messages, every field checked.
#include "signalling/Message.hpp"

#include "signalling/JsonFields.hpp"
#include "signalling/JsonText.hpp"
#include "util/GRef.hpp"

#include <json-glib/json-glib.h>

#include <algorithm>
#include <array>
#include <utility>

namespace vmrtc {

namespace {

using Named = std::pair<std::string_view, MessageType>;

constexpr std::array<Named, 10> typeNames{{
    {"welcome", MessageType::Welcome},
    {"setPeerStatus", MessageType::SetPeerStatus},
    {"peerStatusChanged", MessageType::PeerStatusChanged},
    {"list", MessageType::List},
    {"listConsumers", MessageType::ListConsumers},
    {"startSession", MessageType::StartSession},
    {"sessionStarted", MessageType::SessionStarted},
    {"peer", MessageType::Peer},
    {"endSession", MessageType::EndSession},
    {"error", MessageType::Error},
}};

bool readSdp(JsonFields &fields, JsonObject *sdp, Message &m,
             std::string *error)
{
    JsonFields inner(sdp, error);
    SdpPayload payload;
    inner.string("type", 16, &payload.type);
    inner.nonEmptyString("sdp", Message::maxSdpBytes, &payload.sdp);
    if (inner.ok() && payload.type != "offer" && payload.type != "answer")
        return fields.fail("sdp.type must be \"offer\" or \"answer\"");
    if (inner.ok())
        m.sdp = std::move(payload);
    return inner.ok();
}

bool readIce(JsonObject *ice, Message &m, std::string *error)
{
    JsonFields inner(ice, error);
    IcePayload payload;
    inner.string("candidate", Message::maxCandidateBytes, &payload.candidate);
    inner.index("sdpMLineIndex", &payload.mlineIndex);
    if (inner.ok())
        m.ice = std::move(payload);
    return inner.ok();
}

bool readPeer(JsonFields &fields, Message &m, std::string *error)
{
    fields.nonEmptyString("sessionId", Message::maxIdBytes, &m.sessionId);
    bool hasSdp = fields.has("sdp");
    if (hasSdp == fields.has("ice"))
        return fields.fail("peer needs exactly one of sdp and ice");
    JsonObject *payload = fields.object(hasSdp ? "sdp" : "ice");
    if (!payload)
        return false;
    return hasSdp ? readSdp(fields, payload, m, error)
                  : readIce(payload, m, error);
}

bool readPeerList(JsonFields &fields, JsonObject *root, const char *name,
                  Message &m, std::string *error)
{
    JsonNode *node = json_object_get_member(root, name);
    if (!JSON_NODE_HOLDS_ARRAY(node))
        return fields.fail(std::string(name) + " must be an array");
    JsonArray *array = json_node_get_array(node);
    m.peers.emplace();
    for (guint i = 0; i < json_array_get_length(array); i++) {
        JsonNode *entry = json_array_get_element(array, i);
        if (!JSON_NODE_HOLDS_OBJECT(entry))
            return fields.fail(std::string(name) + " entries must be objects");
        JsonFields inner(json_node_get_object(entry), error);
        PeerInfo peer;
        inner.nonEmptyString("id", Message::maxIdBytes, &peer.id);
        inner.meta("meta", Message::maxMetaBytes, &peer.metaJson);
        if (!inner.ok())
            return false;
        m.peers->push_back(std::move(peer));
    }
    return true;
}

void readStartSession(JsonFields &fields, JsonObject *root, Message &m)
{
    fields.nonEmptyString("peerId", Message::maxIdBytes, &m.peerId);
    if (fields.has("sessionId"))
        fields.nonEmptyString("sessionId", Message::maxIdBytes, &m.sessionId);
    if (fields.has("control"))
        fields.boolean("control", &m.control);

    // The reference server sends "offer": null when the producer offers.
    JsonNode *offer = json_object_get_member(root, "offer");
    if (!offer || JSON_NODE_HOLDS_NULL(offer))
        return;
    std::string text;
    if (fields.string("offer", Message::maxSdpBytes, &text))
        m.offer = std::move(text);
}

bool readFields(JsonFields &fields, JsonObject *root, Message &m,
                std::string *error)
{
    switch (m.type) {
    case MessageType::Welcome:
    case MessageType::SessionStarted:
        fields.nonEmptyString("peerId", Message::maxIdBytes, &m.peerId);
        if (m.type == MessageType::SessionStarted)
            fields.nonEmptyString("sessionId", Message::maxIdBytes,
                                  &m.sessionId);
        break;
    case MessageType::SetPeerStatus:
    case MessageType::PeerStatusChanged:
        if (m.type == MessageType::PeerStatusChanged)
            fields.nonEmptyString("peerId", Message::maxIdBytes, &m.peerId);
        fields.strings("roles", 8, &m.roles);
        fields.meta("meta", Message::maxMetaBytes, &m.metaJson);
        break;
    case MessageType::List:
    case MessageType::ListConsumers: {
        const char *name =
            m.type == MessageType::List ? "producers" : "consumers";
        if (fields.has(name))
            readPeerList(fields, root, name, m, error);
        break;
    }
    case MessageType::StartSession:
        readStartSession(fields, root, m);
        break;
    case MessageType::Peer:
        readPeer(fields, m, error);
        break;
    case MessageType::EndSession:
        fields.nonEmptyString("sessionId", Message::maxIdBytes, &m.sessionId);
        break;
    case MessageType::Error:
        fields.string("details", Message::maxMessageBytes, &m.details);
        break;
    }
    return fields.ok();
}

GRef<JsonNode> metaNode(const std::string &metaJson)
{
    GRef<JsonNode> node =
        GRef<JsonNode>::adopt(json_from_string(metaJson.c_str(), nullptr));
    if (!node)
        node = GRef<JsonNode>::adopt(json_node_new(JSON_NODE_NULL));
    return node;
}

void addString(JsonBuilder *b, const char *name, const std::string &value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_string_value(b, value.c_str());
}

void addMeta(JsonBuilder *b, const char *name, const std::string &metaJson)
{
    json_builder_set_member_name(b, name);
    json_builder_add_value(b, metaNode(metaJson).release());
}

void addPeerBody(JsonBuilder *b, const Message &m)
{
    addString(b, "sessionId", m.sessionId);
    if (m.sdp) {
        json_builder_set_member_name(b, "sdp");
        json_builder_begin_object(b);
        addString(b, "type", m.sdp->type);
        addString(b, "sdp", m.sdp->sdp);
        json_builder_end_object(b);
    } else if (m.ice) {
        json_builder_set_member_name(b, "ice");
        json_builder_begin_object(b);
        addString(b, "candidate", m.ice->candidate);
        json_builder_set_member_name(b, "sdpMLineIndex");
        json_builder_add_int_value(b, m.ice->mlineIndex);
        json_builder_end_object(b);
    }
}

void addPeerList(JsonBuilder *b, const char *name,
                 const std::vector<PeerInfo> &peers)
{
    json_builder_set_member_name(b, name);
    json_builder_begin_array(b);
    for (const PeerInfo &peer : peers) {
        json_builder_begin_object(b);
        addString(b, "id", peer.id);
        addMeta(b, "meta", peer.metaJson);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
}

void addRoles(JsonBuilder *b, const std::vector<std::string> &roles)
{
    json_builder_set_member_name(b, "roles");
    json_builder_begin_array(b);
    for (const std::string &role : roles)
        json_builder_add_string_value(b, role.c_str());
    json_builder_end_array(b);
}

void addBody(JsonBuilder *b, const Message &m)
{
    switch (m.type) {
    case MessageType::Welcome:
        addString(b, "peerId", m.peerId);
        break;
    case MessageType::SessionStarted:
        addString(b, "peerId", m.peerId);
        addString(b, "sessionId", m.sessionId);
        break;
    case MessageType::PeerStatusChanged:
        addString(b, "peerId", m.peerId);
        [[fallthrough]];
    case MessageType::SetPeerStatus:
        addRoles(b, m.roles);
        addMeta(b, "meta", m.metaJson);
        break;
    case MessageType::List:
    case MessageType::ListConsumers:
        if (m.peers)
            addPeerList(b,
                        m.type == MessageType::List ? "producers" : "consumers",
                        *m.peers);
        break;
    case MessageType::StartSession:
        addString(b, "peerId", m.peerId);
        if (!m.sessionId.empty())
            addString(b, "sessionId", m.sessionId);
        if (m.offer)
            addString(b, "offer", *m.offer);
        if (m.control) {
            json_builder_set_member_name(b, "control");
            json_builder_add_boolean_value(b, TRUE);
        }
        break;
    case MessageType::Peer:
        addPeerBody(b, m);
        break;
    case MessageType::EndSession:
        addString(b, "sessionId", m.sessionId);
        break;
    case MessageType::Error:
        addString(b, "details", m.details);
        break;
    }
}

} // namespace

std::string_view Message::typeName(MessageType type)
{
    for (const Named &n : typeNames) {
        if (n.second == type)
            return n.first;
    }
    return "error";
}

bool Message::hasRole(std::string_view role) const
{
    for (const std::string &r : roles) {
        if (r == role)
            return true;
    }
    return false;
}

std::optional<Message> Message::parse(std::string_view text, std::string *error)
{
    error->clear();
    if (text.size() > maxMessageBytes) {
        *error = "message is larger than 256 KiB";
        return std::nullopt;
    }

    GRef<JsonNode> root = parseJsonObject(text, "message", error);
    if (!root)
        return std::nullopt;

    JsonObject *object = json_node_get_object(root.get());
    JsonFields fields(object, error);
    std::string type;
    if (!fields.string("type", 64, &type))
        return std::nullopt;

    Message m;
    auto known = std::find_if(typeNames.begin(), typeNames.end(),
                              [&](const Named &n) { return n.first == type; });
    if (known == typeNames.end()) {
        *error = "unknown message type \"" + type + "\"";
        return std::nullopt;
    }
    m.type = known->second;
    if (!readFields(fields, object, m, error)) {
        *error = std::string(typeName(m.type)) + ": " + *error;
        return std::nullopt;
    }
    return m;
}

std::string Message::toJson() const
{
    GRef<JsonBuilder> builder = GRef<JsonBuilder>::adopt(json_builder_new());
    JsonBuilder *b = builder.get();
    json_builder_begin_object(b);
    addString(b, "type", std::string(typeName(type)));
    addBody(b, *this);
    json_builder_end_object(b);

    GRef<JsonNode> root = GRef<JsonNode>::adopt(json_builder_get_root(b));
    GUnique<char> text{json_to_string(root.get(), FALSE)};
    return text.get();
}

} // namespace vmrtc
