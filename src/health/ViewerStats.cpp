// ViewerStats: pick the figures /metrics needs from webrtcbin's stats.
#include "health/ViewerStats.hpp"

#define GST_USE_UNSTABLE_API
#include <gst/webrtc/webrtc.h>

#include <algorithm>

namespace vmrtc {

namespace {

// A numeric field of any integer or floating type, as a double.
std::optional<double> number(const GstStructure *s, const char *field)
{
    const GValue *value = gst_structure_get_value(s, field);
    if (!value || !g_value_type_transformable(G_VALUE_TYPE(value),
                                              G_TYPE_DOUBLE))
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

struct Reader {
    ViewerStats stats;
    uint64_t transportBytes = 0;
    uint64_t rtpBytes = 0;

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
        }
    }

    // One video stream: its receiver report is the viewer's view of it.
    void addRemoteInbound(const GstStructure *s)
    {
        if (auto lost = number(s, "packets-lost"))
            stats.packetsLost = *lost;
        if (auto jitter = number(s, "jitter"))
            stats.jitterSeconds = *jitter;
        if (auto rtt = number(s, "round-trip-time"))
            stats.roundTripSeconds = *rtt;
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
    reader.stats.bytesSent = std::max(reader.transportBytes, reader.rtpBytes);
    return reader.stats;
}

} // namespace vmrtc
