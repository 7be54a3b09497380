// The figures /metrics serves, gathered from every part of the server.
#pragma once

#include "health/ViewerStats.hpp"

#include "health/PrometheusText.hpp"

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace vmrtc {

// Owned by Server, outlives the pipeline and the producer. The frame
// counters are atomics bumped from streaming threads (pad probes); all
// else is main thread only.
class Metrics {
public:
    void addCaptured(uint64_t n) { framesCaptured_.fetch_add(n, relaxed); }
    void addEncoded(uint64_t n) { framesEncoded_.fetch_add(n, relaxed); }

    void sessionStarted(const std::string &id);
    // reason: a short label such as "viewer_left" (see EndReason).
    void sessionEnded(const std::string &id, std::string_view reason);
    // The latest stats of a viewer; dropped when the session is gone.
    void viewerStats(const std::string &id, ViewerStats stats);

    void pipelineRebuilt() { pipelineRebuilds_++; }
    void encoderBitrate(std::optional<double> bitsPerSecond)
    {
        encoderBitrate_ = bitsPerSecond;
    }
    void signalling(bool registered, uint64_t reconnects)
    {
        registered_ = registered;
        reconnects_ = reconnects;
    }

    size_t viewers() const { return viewers_.size(); }
    uint64_t framesCaptured() const { return framesCaptured_.load(relaxed); }
    uint64_t framesEncoded() const { return framesEncoded_.load(relaxed); }

    // The whole page in the Prometheus text format.
    std::string render() const;

private:
    static constexpr auto relaxed = std::memory_order_relaxed;

    void renderSessions(PrometheusText &page) const;
    void renderMedia(PrometheusText &page) const;
    void renderViewers(PrometheusText &page) const;
    void renderReports(PrometheusText &page) const;

    std::atomic<uint64_t> framesCaptured_{0};
    std::atomic<uint64_t> framesEncoded_{0};
    uint64_t sessionsStarted_ = 0;
    std::map<std::string, uint64_t, std::less<>> sessionsEnded_; // by reason
    std::map<std::string, ViewerStats> viewers_; // session id -> latest
    uint64_t endedBytes_ = 0; // sent to viewers that are gone
    uint64_t pipelineRebuilds_ = 0;
    std::optional<double> encoderBitrate_;
    bool registered_ = false;
    uint64_t reconnects_ = 0;
};

} // namespace vmrtc
