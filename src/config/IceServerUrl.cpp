// IceServerUrl: strict parsing of stun:// and turn(s):// URLs.
#include "config/IceServerUrl.hpp"

#include <glib.h>

namespace vmrtc {

namespace {

bool validHost(std::string_view host)
{
    if (host.empty() || host.size() > 253)
        return false;
    if (host.front() == '[') {
        if (host.size() < 4 || host.back() != ']')
            return false;
        for (char c : host.substr(1, host.size() - 2)) {
            if (!g_ascii_isxdigit(c) && c != ':' && c != '.')
                return false;
        }
        return true;
    }
    for (char c : host) {
        if (!g_ascii_isalnum(c) && c != '.' && c != '-')
            return false;
    }
    return true;
}

bool parsePort(std::string_view text, int *port)
{
    if (text.empty() || text.size() > 5)
        return false;
    int value = 0;
    for (char c : text) {
        if (!g_ascii_isdigit(c))
            return false;
        value = value * 10 + (c - '0');
    }
    *port = value;
    return value >= 1 && value <= 65535;
}

bool splitHostPort(std::string_view hostPort, IceServerUrl &url)
{
    size_t colon = hostPort.rfind(':');
    size_t bracket = hostPort.rfind(']');
    bool hasPort = colon != std::string_view::npos &&
                   (bracket == std::string_view::npos || colon > bracket);
    std::string_view host = hasPort ? hostPort.substr(0, colon) : hostPort;
    if (!validHost(host))
        return false;
    url.host = std::string(host);
    return !hasPort || parsePort(hostPort.substr(colon + 1), &url.port);
}

bool parseQuery(std::string_view query, IceServerUrl &url)
{
    if (query == "transport=udp" || query == "transport=tcp") {
        url.transport = std::string(query.substr(10));
        return true;
    }
    return false;
}

bool parseCredentials(std::string_view userInfo, IceServerUrl &url)
{
    size_t colon = userInfo.find(':');
    if (colon == std::string_view::npos || colon == 0 ||
        colon + 1 == userInfo.size())
        return false;
    url.user = std::string(userInfo.substr(0, colon));
    url.password = std::string(userInfo.substr(colon + 1));
    return true;
}

} // namespace

std::optional<IceServerUrl> IceServerUrl::parse(std::string_view text,
                                                std::string *why)
{
    IceServerUrl url;
    size_t sep = text.find("://");
    url.scheme = std::string(text.substr(0, sep));
    if (sep == std::string_view::npos ||
        (url.scheme != "stun" && url.scheme != "turn" &&
         url.scheme != "turns")) {
        *why = "the scheme must be stun://, turn:// or turns://";
        return std::nullopt;
    }
    std::string_view rest = text.substr(sep + 3);
    bool turn = url.scheme != "stun";

    size_t question = rest.find('?');
    if (question != std::string_view::npos) {
        if (!turn || !parseQuery(rest.substr(question + 1), url)) {
            *why = "the only query allowed is ?transport=udp or tcp (TURN)";
            return std::nullopt;
        }
        rest = rest.substr(0, question);
    }

    size_t at = rest.rfind('@');
    if (turn != (at != std::string_view::npos) ||
        (turn && !parseCredentials(rest.substr(0, at), url))) {
        *why = turn ? "a TURN URL needs user:password@ before the host"
                    : "a STUN URL takes no user or password";
        return std::nullopt;
    }
    if (turn)
        rest = rest.substr(at + 1);

    if (!splitHostPort(rest, url)) {
        *why = "the host or port is not valid (host[:port], port 1-65535)";
        return std::nullopt;
    }
    if (url.port == 0)
        url.port = url.scheme == "turns" ? 5349 : 3478;
    return url;
}

std::string IceServerUrl::toString() const
{
    std::string out = scheme + "://";
    if (!user.empty())
        out += user + ':' + password + '@';
    out += host + ':' + std::to_string(port);
    if (!transport.empty())
        out += "?transport=" + transport;
    return out;
}

} // namespace vmrtc
