// What /metrics shows of one viewer, read from its webrtcbin.
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <optional>
#include <string>

namespace vmrtc {

// A copy of the figures in one get-stats reply, plus the connection's
// states. Plain data: made on a streaming thread, read on the main one.
struct ViewerStats {
    uint64_t bytesSent = 0; // transport or outbound RTP, whichever is larger
    uint64_t packetsSent = 0;

    // From the viewer's RTCP receiver reports (remote-inbound-rtp); absent
    // until the first report arrives.
    std::optional<double> packetsLost;
    std::optional<double> jitterSeconds;
    std::optional<double> roundTripSeconds;

    std::string iceState;  // "new", "checking", "connected", … or empty
    std::string dtlsState; // "new", "connecting", "connected", … or empty

    // Reads the reply of webrtcbin's "get-stats" (a structure of
    // structures, one per statistics object).
    static ViewerStats fromWebRtcStats(const GstStructure *report);
};

} // namespace vmrtc
