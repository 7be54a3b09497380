// ViewerStats: pick the figures /metrics needs from webrtcbin's stats.
#include "health/ViewerStats.hpp"

#define GST_USE_UNSTABLE_API
#include <gst/webrtc/webrtc.h>

#include <algorithm>
#include <map>

namespace vmrtc {

namespace {

// A numeric field of any integer or floating type, as a double.
std::optional<double> number(const GstStructure *s, const char *field)
{
    const GValue *value = gst_structure_get_value(s, field);
    if (!value ||
        !g_value_type_transformable(G_VALUE_TYPE(value), G_TYPE_DOUBLE))
        return std::nullopt;
    GValue converted = G_VALUE_INIT;
    g_value_init(&converted, G_TYPE_DOUBLE);
    bool ok = g_value_transform(value, &converted);
    double out = g_value_get_double(&converted);
    g_value_unset(&converted);
    if (!ok)
        return std::nullopt;
    return out;
}

uint64_t count(const GstStructure *s, const char *field)
{
    std::optional<double> value = number(s, field);
    return value && *value > 0 ? static_cast<uint64_t>(*value) : 0;
}

// The RTP clock of the stream: 90 kHz for video, VP8 included.
constexpr double videoClockRate = 90000;

struct Reader {
    ViewerStats stats;
    uint64_t transportBytes = 0;
    uint64_t rtpBytes = 0;
    std::map<std::string, double> clockRates; // codec stats id -> Hz
    std::optional<double> rtpJitter;          // in RTP clock units
    std::string jitterCodec;                  // the codec it is counted in

    void add(const GstStructure *s)
    {
        GstWebRTCStatsType type;
        if (!gst_structure_get_enum(s, "type", GST_TYPE_WEBRTC_STATS_TYPE,
                                    reinterpret_cast<gint *>(&type)))
            return;

        if (type == GST_WEBRTC_STATS_TRANSPORT) {
            transportBytes += count(s, "bytes-sent");
        } else if (type == GST_WEBRTC_STATS_OUTBOUND_RTP) {
            rtpBytes += count(s, "bytes-sent");
            stats.packetsSent += count(s, "packets-sent");
        } else if (type == GST_WEBRTC_STATS_REMOTE_INBOUND_RTP) {
            addRemoteInbound(s);
        } else if (type == GST_WEBRTC_STATS_CODEC) {
            addCodec(s);
        }
    }

    void addCodec(const GstStructure *s)
    {
        const char *id = gst_structure_get_string(s, "id");
        std::optional<double> rate = number(s, "clock-rate");
        if (id && rate && *rate > 0)
            clockRates[id] = *rate;
    }

    // One video stream: its receiver report is the viewer's view of it.
    void addRemoteInbound(const GstStructure *s)
    {
        if (auto lost = number(s, "packets-lost"))
            stats.packetsLost = *lost;
        if (auto rtt = number(s, "round-trip-time"))
            stats.roundTripSeconds = *rtt;
        if (auto jitter = number(s, "jitter")) {
            stats.jitterSeconds = *jitter;
            return;
        }

        // GStreamer 1.22 leaves "jitter" out when it does not know the
        // clock rate; the receiver report's own figure is in the nested
        // RTP source stats, in RTP clock units.
        const GValue *source =
            gst_structure_get_value(s, "gst-rtpsource-stats");
        if (source && G_VALUE_HOLDS(source, GST_TYPE_STRUCTURE))
            rtpJitter = number(gst_value_get_structure(source), "rb-jitter");
        const char *codec = gst_structure_get_string(s, "codec-id");
        jitterCodec = codec ? codec : "";
    }

    void finish()
    {
        stats.bytesSent = std::max(transportBytes, rtpBytes);
        if (stats.jitterSeconds || !rtpJitter)
            return;
        auto rate = clockRates.find(jitterCodec);
        stats.jitterSeconds =
            *rtpJitter /
            (rate == clockRates.end() ? videoClockRate : rate->second);
    }
};

gboolean eachStat(GQuark, const GValue *value, gpointer data)
{
    if (G_VALUE_HOLDS(value, GST_TYPE_STRUCTURE))
        static_cast<Reader *>(data)->add(gst_value_get_structure(value));
    return TRUE;
}

} // namespace

ViewerStats ViewerStats::fromWebRtcStats(const GstStructure *report)
{
    Reader reader;
    if (report)
        gst_structure_foreach(report, &eachStat, &reader);
    reader.finish();
    return reader.stats;
}

} // namespace vmrtc
