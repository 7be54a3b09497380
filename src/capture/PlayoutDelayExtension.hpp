// vmrtcplayoutdelay: the RTP header extension that tells a WebRTC receiver
// how long it may hold frames before showing them, registered by the
// program and added by MediaPipeline to its payloader.
#pragma once

#include <gst/gst.h>

namespace vmrtc {

// The extension's URI, as offered in the SDP (a=extmap).
constexpr const char *playoutDelayUri =
    "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";

// The extension id the server offers; one-byte headers take 1 to 14.
constexpr guint playoutDelayId = 7;

// Registers the element "vmrtcplayoutdelay" (a GstRTPHeaderExtension) with
// GStreamer; call after gst_init(). It writes the delay range into every
// packet: three bytes, the minimum then the maximum, 12 bits each, in
// units of 10 ms. Its properties min-delay and max-delay (ms) default to
// 0 and 0, which asks the receiver to show each frame as soon as it is
// decoded, with no smoothing buffer.
bool registerPlayoutDelayExtension();

// A new extension element with the server's id, or null if the element is
// not registered. The caller owns the reference.
GstElement *createPlayoutDelayExtension();

} // namespace vmrtc
