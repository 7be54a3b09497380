// HealthServer: a small libsoup server with two read-only resources.
#include "health/HealthServer.hpp"

#include "health/PrometheusText.hpp"
#include "log/Logger.hpp"

#include <cstring>

namespace vmrtc {

namespace {

const Logger logger{"health"};

void respond(SoupServerMessage *message, guint status, const char *type,
             const std::string &body)
{
    soup_server_message_set_status(message, status, nullptr);
    SoupMessageHeaders *headers =
        soup_server_message_get_response_headers(message);
    soup_message_headers_replace(headers, "Cache-Control", "no-store");
    soup_server_message_set_response(message, type, SOUP_MEMORY_COPY,
                                     body.data(), body.size());
}

int boundPort(SoupServer *server)
{
    GUnique<GSList> listeners{soup_server_get_listeners(server)};
    if (!listeners)
        return 0;
    auto *socket = static_cast<GSocket *>(listeners.get()->data);
    GRef<GSocketAddress> local = GRef<GSocketAddress>::adopt(
        g_socket_get_local_address(socket, nullptr));
    if (!local)
        return 0;
    return g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local.get()));
}

} // namespace

HealthServer::HealthServer(StatusSource status, MetricsSource metrics)
    : status_(std::move(status)), metrics_(std::move(metrics)),
      server_(GRef<SoupServer>::adopt(
          soup_server_new("server-header", "vm-webrtc-server", nullptr)))
{
    soup_server_add_handler(server_.get(), "/", &HealthServer::onRequest, this,
                            nullptr);
}

HealthServer::~HealthServer()
{
    soup_server_remove_handler(server_.get(), "/");
    soup_server_disconnect(server_.get());
}

bool HealthServer::start(int port, std::string *error)
{
    GRef<GInetAddress> host =
        GRef<GInetAddress>::adopt(g_inet_address_new_from_string(address));
    GRef<GSocketAddress> socket = GRef<GSocketAddress>::adopt(
        g_inet_socket_address_new(host.get(), static_cast<guint16>(port)));

    GError *failure = nullptr;
    if (!soup_server_listen(server_.get(), socket.get(),
                            SoupServerListenOptions(0), &failure)) {
        GUnique<GError> owned{failure};
        *error = failure ? failure->message : "cannot listen";
        return false;
    }
    port_ = boundPort(server_.get());
    logger.info("health endpoint listening",
                {{"url", "http://" + std::string(address) + ":" +
                             std::to_string(port_) + "/healthz"}});
    return true;
}

void HealthServer::onRequest(SoupServer *, SoupServerMessage *message,
                             const char *path, GHashTable *, gpointer self)
{
    // Nothing may throw into libsoup.
    try {
        static_cast<HealthServer *>(self)->handle(message, path);
    } catch (const std::exception &e) {
        logger.error("health request failed", {{"error", e.what()}});
        respond(message, SOUP_STATUS_INTERNAL_SERVER_ERROR, "text/plain",
                "internal error\n");
    } catch (...) {
        logger.error("health request failed", {{"error", "unknown"}});
        respond(message, SOUP_STATUS_INTERNAL_SERVER_ERROR, "text/plain",
                "internal error\n");
    }
}

void HealthServer::handle(SoupServerMessage *message, const char *path)
{
    bool isHealth = std::strcmp(path, "/healthz") == 0;
    bool isMetrics = std::strcmp(path, "/metrics") == 0;
    if (!isHealth && !isMetrics) {
        respond(message, SOUP_STATUS_NOT_FOUND, "text/plain",
                "not found: try /healthz or /metrics\n");
        return;
    }

    const char *method = soup_server_message_get_method(message);
    if (std::strcmp(method, "GET") != 0 && std::strcmp(method, "HEAD") != 0) {
        respond(message, SOUP_STATUS_METHOD_NOT_ALLOWED, "text/plain",
                "only GET and HEAD\n");
        soup_message_headers_replace(
            soup_server_message_get_response_headers(message), "Allow",
            "GET, HEAD");
        return;
    }

    if (isHealth)
        healthz(message);
    else
        metrics(message);
}

void HealthServer::healthz(SoupServerMessage *message)
{
    HealthStatus status = status_();
    respond(message,
            status.healthy() ? SOUP_STATUS_OK : SOUP_STATUS_SERVICE_UNAVAILABLE,
            "application/json", status.json() + "\n");
}

void HealthServer::metrics(SoupServerMessage *message)
{
    respond(message, SOUP_STATUS_OK, PrometheusText::contentType, metrics_());
}

} // namespace vmrtc
