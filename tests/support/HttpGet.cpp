// HttpGet: libsoup's synchronous API, one session per request.
#include "HttpGet.hpp"

#include "util/GRef.hpp"

#include <libsoup/soup.h>

namespace vmrtc::test {

HttpReply HttpGet::fetch(const std::string &url, const std::string &method)
{
    GRef<SoupSession> session = GRef<SoupSession>::adopt(
        soup_session_new_with_options("timeout", 10u, nullptr));
    GRef<SoupMessage> message =
        GRef<SoupMessage>::adopt(soup_message_new(method.c_str(), url.c_str()));
    HttpReply reply;
    if (!message)
        return reply;

    GError *error = nullptr;
    GRef<GBytes> body = GRef<GBytes>::adopt(soup_session_send_and_read(
        session.get(), message.get(), nullptr, &error));
    GUnique<GError> owned{error};
    if (!body)
        return reply;

    reply.status = static_cast<int>(soup_message_get_status(message.get()));
    gsize size = 0;
    auto *data = static_cast<const char *>(g_bytes_get_data(body.get(), &size));
    reply.body.assign(data ? data : "", size);
    SoupMessageHeaders *headers =
        soup_message_get_response_headers(message.get());
    if (const char *type =
            soup_message_headers_get_one(headers, "Content-Type"))
        reply.contentType = type;
    if (const char *allow = soup_message_headers_get_one(headers, "Allow"))
        reply.allow = allow;
    return reply;
}

int HttpGet::freePort()
{
    GRef<GSocket> socket = GRef<GSocket>::adopt(
        g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                     G_SOCKET_PROTOCOL_TCP, nullptr));
    GRef<GInetAddress> loopback = GRef<GInetAddress>::adopt(
        g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4));
    GRef<GSocketAddress> any = GRef<GSocketAddress>::adopt(
        g_inet_socket_address_new(loopback.get(), 0));
    if (!socket || !g_socket_bind(socket.get(), any.get(), FALSE, nullptr))
        return 0;
    GRef<GSocketAddress> bound = GRef<GSocketAddress>::adopt(
        g_socket_get_local_address(socket.get(), nullptr));
    return bound ? g_inet_socket_address_get_port(
                       G_INET_SOCKET_ADDRESS(bound.get()))
                 : 0;
}

} // namespace vmrtc::test
