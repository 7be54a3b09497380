// Parsing of STUN and TURN server URLs into the form webrtcbin takes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vmrtc {

// stun://host[:port] or turn(s)://user:password@host[:port][?transport=…].
// The port defaults to 3478 (5349 for turns). Host names, IPv4 and
// bracketed IPv6 addresses are accepted.
struct IceServerUrl {
    std::string scheme; // stun, turn or turns
    std::string user;   // TURN only
    std::string password;
    std::string host;
    int port = 0;
    std::string transport; // empty, udp or tcp

    // Parses one URL; on failure sets *why to a reason that never repeats
    // the credentials.
    static std::optional<IceServerUrl> parse(std::string_view text,
                                             std::string *why);

    // The URL with the default port filled in, as webrtcbin expects it.
    std::string toString() const;
};

} // namespace vmrtc
