// Messages of the GStreamer WebRTC signalling protocol (docs/protocol.md):
// strict parsing of what arrives, and building of what is sent.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmrtc {

enum class MessageType {
    Welcome,
    SetPeerStatus,
    PeerStatusChanged,
    List,
    ListConsumers,
    StartSession,
    SessionStarted,
    Peer,
    EndSession,
    Error,
};

struct SdpPayload {
    std::string type; // "offer" or "answer"
    std::string sdp;
};

struct IcePayload {
    std::string candidate; // empty: end of candidates
    unsigned mlineIndex = 0;
};

// A peer in a list reply or a status change.
struct PeerInfo {
    std::string id;
    std::string metaJson = "null"; // a JSON object, or null
};

struct Message {
    static constexpr size_t maxMessageBytes = 256 * 1024;
    static constexpr size_t maxSdpBytes = 64 * 1024;
    static constexpr size_t maxCandidateBytes = 1024;
    static constexpr size_t maxIdBytes = 256;
    static constexpr size_t maxMetaBytes = 16 * 1024;

    MessageType type = MessageType::Error;
    std::string peerId;
    std::string sessionId;
    std::vector<std::string> roles;
    std::string metaJson = "null";
    std::optional<std::string> offer; // startSession with a consumer offer
    bool control = false; // startSession: the signalling server grants input
    std::optional<SdpPayload> sdp;
    std::optional<IcePayload> ice;
    std::string details;                        // error
    std::optional<std::vector<PeerInfo>> peers; // list / listConsumers reply

    // Parses one text frame. Checks the type, that each field it needs is
    // present with the right JSON type, and the size limits. On failure
    // returns nothing and sets *error to a sentence naming the problem.
    static std::optional<Message> parse(std::string_view text,
                                        std::string *error);

    // The JSON text of the message, one object.
    std::string toJson() const;

    bool hasRole(std::string_view role) const;

    static std::string_view typeName(MessageType type);
};

} // namespace vmrtc
