// Metrics: collect the server's figures and render them for Prometheus.
#include "health/Metrics.hpp"

#include "health/PrometheusText.hpp"

namespace vmrtc {

void Metrics::sessionStarted(const std::string &id)
{
    sessionsStarted_++;
    viewers_.try_emplace(id);
}

void Metrics::sessionEnded(const std::string &id, std::string_view reason)
{
    auto it = viewers_.find(id);
    if (it == viewers_.end())
        return;
    endedBytes_ += it->second.bytesSent;
    viewers_.erase(it);

    auto counter = sessionsEnded_.find(reason);
    if (counter == sessionsEnded_.end())
        sessionsEnded_.emplace(std::string(reason), 1);
    else
        counter->second++;
}

void Metrics::viewerStats(const std::string &id, ViewerStats stats)
{
    auto it = viewers_.find(id);
    if (it != viewers_.end())
        it->second = std::move(stats);
}

std::string Metrics::render() const
{
    PrometheusText page;
    renderSessions(page);
    renderMedia(page);
    renderViewers(page);
    return page.text();
}

void Metrics::renderSessions(PrometheusText &page) const
{
    page.family("vmrtc_viewers_connected", "Viewers with a session now.",
                "gauge");
    page.sample("vmrtc_viewers_connected", static_cast<double>(viewers()));

    page.family("vmrtc_sessions_started_total", "Viewer sessions started.",
                "counter");
    page.sample("vmrtc_sessions_started_total",
                static_cast<double>(sessionsStarted_));

    page.family("vmrtc_sessions_ended_total",
                "Viewer sessions ended, by reason.", "counter");
    for (const auto &[reason, n] : sessionsEnded_)
        page.sample("vmrtc_sessions_ended_total", {{"reason", reason}},
                    static_cast<double>(n));

    page.family("vmrtc_signalling_registered",
                "1 while registered as producer with the signalling server.",
                "gauge");
    page.sample("vmrtc_signalling_registered", registered_ ? 1 : 0);

    page.family("vmrtc_signalling_reconnects_total",
                "Reconnections to the signalling server scheduled.", "counter");
    page.sample("vmrtc_signalling_reconnects_total",
                static_cast<double>(reconnects_));
}

void Metrics::renderMedia(PrometheusText &page) const
{
    page.family("vmrtc_frames_captured_total",
                "Raw frames that left the capture element.", "counter");
    page.sample("vmrtc_frames_captured_total",
                static_cast<double>(framesCaptured()));

    page.family("vmrtc_frames_encoded_total",
                "Frames that left the VP8 encoder.", "counter");
    page.sample("vmrtc_frames_encoded_total",
                static_cast<double>(framesEncoded()));

    if (encoderBitrate_) {
        page.family("vmrtc_encoder_target_bitrate_bps",
                    "The encoder's target bitrate, bits per second.", "gauge");
        page.sample("vmrtc_encoder_target_bitrate_bps", *encoderBitrate_);
    }

    page.family("vmrtc_pipeline_rebuilds_total",
                "Times the shared capture chain was rebuilt after an error.",
                "counter");
    page.sample("vmrtc_pipeline_rebuilds_total",
                static_cast<double>(pipelineRebuilds_));

    uint64_t total = endedBytes_;
    for (const auto &[id, stats] : viewers_)
        total += stats.bytesSent;
    page.family("vmrtc_bytes_sent_total",
                "Bytes sent to all viewers, those gone included.", "counter");
    page.sample("vmrtc_bytes_sent_total", static_cast<double>(total));
}

void Metrics::renderViewers(PrometheusText &page) const
{
    page.family("vmrtc_viewer_bytes_sent_total",
                "Bytes sent to the viewer (session id).", "counter");
    for (const auto &[id, stats] : viewers_)
        page.sample("vmrtc_viewer_bytes_sent_total", {{"viewer", id}},
                    static_cast<double>(stats.bytesSent));

    page.family("vmrtc_viewer_ice_state",
                "The viewer's ICE connection state (1 for the current one).",
                "gauge");
    for (const auto &[id, stats] : viewers_) {
        if (!stats.iceState.empty())
            page.sample("vmrtc_viewer_ice_state",
                        {{"viewer", id}, {"state", stats.iceState}}, 1);
    }

    page.family("vmrtc_viewer_dtls_state",
                "The viewer's DTLS transport state (1 for the current one).",
                "gauge");
    for (const auto &[id, stats] : viewers_) {
        if (!stats.dtlsState.empty())
            page.sample("vmrtc_viewer_dtls_state",
                        {{"viewer", id}, {"state", stats.dtlsState}}, 1);
    }

    renderReports(page);
}

void Metrics::renderReports(PrometheusText &page) const
{
    struct Series {
        const char *name;
        const char *help;
        std::optional<double> ViewerStats::*field;
    };
    const Series series[] = {
        {"vmrtc_viewer_packets_lost",
         "Packets lost, as the viewer's RTCP receiver reports say.",
         &ViewerStats::packetsLost},
        {"vmrtc_viewer_jitter_seconds",
         "Interarrival jitter the viewer reports, seconds.",
         &ViewerStats::jitterSeconds},
        {"vmrtc_viewer_round_trip_time_seconds",
         "Round-trip time measured from the viewer's RTCP reports, seconds.",
         &ViewerStats::roundTripSeconds},
    };
    for (const Series &s : series) {
        page.family(s.name, s.help, "gauge");
        for (const auto &[id, stats] : viewers_) {
            if (const std::optional<double> &value = stats.*s.field)
                page.sample(s.name, {{"viewer", id}}, *value);
        }
    }
}

} // namespace vmrtc
