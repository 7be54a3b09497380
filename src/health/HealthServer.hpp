// The health and metrics endpoint: /healthz and /metrics over HTTP.
#pragma once

#include "health/HealthStatus.hpp"
#include "util/GRef.hpp"

#include <libsoup/soup.h>

#include <functional>
#include <string>

namespace vmrtc {

// Listens on 127.0.0.1 only. Answers from what the owner's callbacks
// return at once (values kept up to date on the main thread), so a
// request never waits on the pipeline or on webrtcbin. Main thread only.
class HealthServer {
public:
    using StatusSource = std::function<HealthStatus()>;
    using MetricsSource = std::function<std::string()>;

    HealthServer(StatusSource status, MetricsSource metrics);
    ~HealthServer();

    HealthServer(const HealthServer &) = delete;
    HealthServer &operator=(const HealthServer &) = delete;

    // Listens on 127.0.0.1:port (0: any free port); false with *error.
    bool start(int port, std::string *error);
    int port() const { return port_; }

    static constexpr const char *address = "127.0.0.1";

private:
    void handle(SoupServerMessage *message, const char *path);
    void healthz(SoupServerMessage *message);
    void metrics(SoupServerMessage *message);
    static void onRequest(SoupServer *, SoupServerMessage *message,
                          const char *path, GHashTable *, gpointer self);

    StatusSource status_;
    MetricsSource metrics_;
    GRef<SoupServer> server_;
    int port_ = 0;
};

} // namespace vmrtc
