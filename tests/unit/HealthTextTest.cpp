// Unit tests of the Prometheus text format, the metrics page, the
// /healthz body and the reading of webrtcbin's stats.
#include "catch.hpp"

#include "health/HealthStatus.hpp"
#include "health/Metrics.hpp"
#include "health/PrometheusText.hpp"
#include "health/ViewerStats.hpp"

#define GST_USE_UNSTABLE_API
#include <gst/webrtc/webrtc.h>

using namespace vmrtc;

namespace {

bool hasLine(const std::string &page, const std::string &line)
{
    return ("\n" + page).find("\n" + line + "\n") != std::string::npos;
}

std::vector<std::string> linesOf(const std::string &page)
{
    std::vector<std::string> lines;
    size_t start = 0;
    for (size_t end; (end = page.find('\n', start)) != std::string::npos;
         start = end + 1)
        lines.push_back(page.substr(start, end - start));
    return lines;
}

} // namespace

TEST_CASE("label values escape backslash, quote and line feed", "[health]")
{
    CHECK(PrometheusText::escapeLabel("plain-id_1.2") == "plain-id_1.2");
    CHECK(PrometheusText::escapeLabel("a\\b") == "a\\\\b");
    CHECK(PrometheusText::escapeLabel("say \"hi\"") == "say \\\"hi\\\"");
    CHECK(PrometheusText::escapeLabel("two\nlines") == "two\\nlines");
    CHECK(PrometheusText::escapeLabel("\\\"\n") == "\\\\\\\"\\n");
    CHECK(PrometheusText::escapeLabel("") == "");
}

TEST_CASE("help text escapes backslash and line feed only", "[health]")
{
    CHECK(PrometheusText::escapeHelp("a \"quoted\" \\ word\nnext") ==
          "a \"quoted\" \\\\ word\\nnext");
}

TEST_CASE("values are whole numbers, full doubles or NaN and infinities",
          "[health]")
{
    CHECK(PrometheusText::formatValue(0) == "0");
    CHECK(PrometheusText::formatValue(42) == "42");
    CHECK(PrometheusText::formatValue(-3) == "-3");
    CHECK(PrometheusText::formatValue(1e15) == "1000000000000000");
    CHECK(PrometheusText::formatValue(0.25) == "0.25");
    CHECK(PrometheusText::formatValue(0.001234) == "0.001234");
    CHECK(PrometheusText::formatValue(std::nan("")) == "NaN");
    CHECK(PrometheusText::formatValue(HUGE_VAL) == "+Inf");
    CHECK(PrometheusText::formatValue(-HUGE_VAL) == "-Inf");
}

TEST_CASE("a family is announced with HELP and TYPE, then its samples",
          "[health]")
{
    PrometheusText page;
    page.family("vmrtc_x_total", "Things, counted.", "counter");
    page.sample("vmrtc_x_total", {{"viewer", "a\"b"}, {"state", "ok"}}, 3);
    page.sample("vmrtc_x_total", 1.5);
    CHECK(page.text() == "# HELP vmrtc_x_total Things, counted.\n"
                         "# TYPE vmrtc_x_total counter\n"
                         "vmrtc_x_total{viewer=\"a\\\"b\",state=\"ok\"} 3\n"
                         "vmrtc_x_total 1.5\n");
}

TEST_CASE("the metrics page follows sessions and their stats", "[health]")
{
    Metrics metrics;
    metrics.addCaptured(10);
    metrics.addEncoded(9);
    metrics.encoderBitrate(2000000);
    metrics.signalling(true, 2);
    metrics.sessionStarted("s-1");
    metrics.sessionStarted("s\"2");

    ViewerStats stats;
    stats.bytesSent = 1000;
    stats.roundTripSeconds = 0.004;
    stats.jitterSeconds = 0.0005;
    stats.packetsLost = 0;
    stats.iceState = "connected";
    stats.dtlsState = "connected";
    metrics.viewerStats("s-1", stats);
    metrics.viewerStats("nobody", stats); // not a session: ignored

    std::string page = metrics.render();
    CHECK(hasLine(page, "# TYPE vmrtc_viewers_connected gauge"));
    CHECK(hasLine(page, "vmrtc_viewers_connected 2"));
    CHECK(hasLine(page, "vmrtc_sessions_started_total 2"));
    CHECK(hasLine(page, "vmrtc_frames_captured_total 10"));
    CHECK(hasLine(page, "vmrtc_frames_encoded_total 9"));
    CHECK(hasLine(page, "vmrtc_encoder_target_bitrate_bps 2000000"));
    CHECK(hasLine(page, "vmrtc_signalling_registered 1"));
    CHECK(hasLine(page, "vmrtc_signalling_reconnects_total 2"));
    CHECK(hasLine(page, "vmrtc_viewer_bytes_sent_total{viewer=\"s-1\"} 1000"));
    CHECK(hasLine(page, "vmrtc_viewer_bytes_sent_total{viewer=\"s\\\"2\"} 0"));
    CHECK(hasLine(page, "vmrtc_viewer_round_trip_time_seconds"
                        "{viewer=\"s-1\"} 0.004"));
    CHECK(hasLine(page, "vmrtc_viewer_jitter_seconds{viewer=\"s-1\"} 0.0005"));
    CHECK(hasLine(page, "vmrtc_viewer_packets_lost{viewer=\"s-1\"} 0"));
    CHECK(hasLine(page, "vmrtc_viewer_ice_state{viewer=\"s-1\","
                        "state=\"connected\"} 1"));
    CHECK(page.find("nobody") == std::string::npos);
    // No report from the second viewer yet: no RTT series for it.
    CHECK(page.find("round_trip_time_seconds{viewer=\"s\\\"2\"}") ==
          std::string::npos);

    metrics.sessionEnded("s-1", "connection_failed");
    metrics.sessionEnded("s-1", "connection_failed"); // already gone
    page = metrics.render();
    CHECK(hasLine(page, "vmrtc_viewers_connected 1"));
    CHECK(hasLine(page,
                  "vmrtc_sessions_ended_total{reason=\"connection_failed\"}"
                  " 1"));
    CHECK(hasLine(page, "vmrtc_bytes_sent_total 1000")); // the gone viewer's
    CHECK(page.find("viewer=\"s-1\"") == std::string::npos);
}

TEST_CASE("every line of the page is a comment or a sample", "[health]")
{
    Metrics metrics;
    metrics.sessionStarted("a\nb"); // escaped: no line of its own
    for (const std::string &line : linesOf(metrics.render())) {
        INFO(line);
        CHECK((line.starts_with("# HELP vmrtc_") ||
               line.starts_with("# TYPE vmrtc_") ||
               line.starts_with("vmrtc_")));
    }
}

TEST_CASE("the /healthz body says what is wrong", "[health]")
{
    HealthStatus ok{true, PipelineHealth::Ok, 3};
    CHECK(ok.healthy());
    CHECK(ok.json() == R"({"status":"ok","signalling":"registered",)"
                       R"("pipeline":"ok","viewers":3})");

    HealthStatus lost{false, PipelineHealth::Ok, 0};
    CHECK_FALSE(lost.healthy());
    CHECK(lost.json() ==
          R"({"status":"unavailable","signalling":"disconnected",)"
          R"("pipeline":"ok","viewers":0,)"
          R"("reason":"not registered with the signalling server"})");

    HealthStatus rebuilding{true, PipelineHealth::Rebuilding, 0};
    CHECK_FALSE(rebuilding.healthy());
    CHECK(rebuilding.json().find(R"("pipeline":"rebuilding")") !=
          std::string::npos);
    CHECK(rebuilding.reason().find("rebuilt") != std::string::npos);
}

TEST_CASE("webrtcbin's stats are read whatever their number types", "[health]")
{
    gst_init(nullptr, nullptr);
    GstStructure *outbound = gst_structure_new(
        "RTCOutboundRTPStreamStats", "type", GST_TYPE_WEBRTC_STATS_TYPE,
        GST_WEBRTC_STATS_OUTBOUND_RTP, "bytes-sent", G_TYPE_UINT64,
        G_GUINT64_CONSTANT(5000), "packets-sent", G_TYPE_UINT64,
        G_GUINT64_CONSTANT(40), nullptr);
    GstStructure *remote = gst_structure_new(
        "RTCRemoteInboundRTPStreamStats", "type", GST_TYPE_WEBRTC_STATS_TYPE,
        GST_WEBRTC_STATS_REMOTE_INBOUND_RTP, "packets-lost", G_TYPE_INT, 2,
        "jitter", G_TYPE_DOUBLE, 0.002, "round-trip-time", G_TYPE_DOUBLE, 0.01,
        nullptr);
    GstStructure *report = gst_structure_new(
        "application/x-webrtc-stats", "out", GST_TYPE_STRUCTURE, outbound,
        "remote", GST_TYPE_STRUCTURE, remote, "junk", G_TYPE_STRING, "x",
        nullptr);
    gst_structure_free(outbound);
    gst_structure_free(remote);

    ViewerStats stats = ViewerStats::fromWebRtcStats(report);
    gst_structure_free(report);
    CHECK(stats.bytesSent == 5000);
    CHECK(stats.packetsSent == 40);
    REQUIRE(stats.packetsLost);
    CHECK(*stats.packetsLost == 2);
    REQUIRE(stats.jitterSeconds);
    CHECK(*stats.jitterSeconds == Approx(0.002));
    REQUIRE(stats.roundTripSeconds);
    CHECK(*stats.roundTripSeconds == Approx(0.01));

    ViewerStats empty = ViewerStats::fromWebRtcStats(nullptr);
    CHECK(empty.bytesSent == 0);
    CHECK_FALSE(empty.roundTripSeconds);
}

TEST_CASE("without a jitter field, the receiver report's is read in RTP "
          "clock units",
          "[health]")
{
    gst_init(nullptr, nullptr);
    GstStructure *codec = gst_structure_new(
        "RTCCodecStats", "type", GST_TYPE_WEBRTC_STATS_TYPE,
        GST_WEBRTC_STATS_CODEC, "id", G_TYPE_STRING, "codec-1", "clock-rate",
        G_TYPE_UINT, 90000u, nullptr);
    GstStructure *source =
        gst_structure_new("application/x-rtp-source-stats", "rb-jitter",
                          G_TYPE_UINT, 450u, nullptr);
    GstStructure *remote = gst_structure_new(
        "RTCRemoteInboundRTPStreamStats", "type", GST_TYPE_WEBRTC_STATS_TYPE,
        GST_WEBRTC_STATS_REMOTE_INBOUND_RTP, "codec-id", G_TYPE_STRING,
        "codec-1", "packets-lost", G_TYPE_INT64, G_GINT64_CONSTANT(-2),
        "gst-rtpsource-stats", GST_TYPE_STRUCTURE, source, nullptr);
    GstStructure *report = gst_structure_new(
        "application/x-webrtc-stats", "remote", GST_TYPE_STRUCTURE, remote,
        "codec", GST_TYPE_STRUCTURE, codec, nullptr);
    gst_structure_free(codec);
    gst_structure_free(source);
    gst_structure_free(remote);

    ViewerStats stats = ViewerStats::fromWebRtcStats(report);
    gst_structure_free(report);
    REQUIRE(stats.jitterSeconds);
    CHECK(*stats.jitterSeconds == Approx(0.005));
    REQUIRE(stats.packetsLost);
    CHECK(*stats.packetsLost == -2);
    CHECK_FALSE(stats.roundTripSeconds);
}

TEST_CASE("a stats report without figures gives none", "[health]")
{
    ViewerStats empty = ViewerStats::fromWebRtcStats(nullptr);
    CHECK(empty.bytesSent == 0);
    CHECK_FALSE(empty.roundTripSeconds);
}
