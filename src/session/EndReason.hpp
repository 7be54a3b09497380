// Why a viewer's session ended, as a short stable label for /metrics.
#pragma once

#include <string_view>

namespace vmrtc {

enum class EndReason {
    ViewerLeft,       // the viewer sent endSession
    ConnectionFailed, // ICE or DTLS failed
    ViewerClosed,     // the peer connection was closed
    TransportError,   // an error in the viewer's own branch
    Negotiation,      // no offer, or the answer was unusable or rejected
    PipelineFailed,   // the shared chain failed and is being rebuilt
    ServerStopping,   // SIGTERM or SIGINT
};

// The label value of vmrtc_sessions_ended_total{reason=…}.
constexpr std::string_view endReasonLabel(EndReason reason)
{
    switch (reason) {
    case EndReason::ViewerLeft:
        return "viewer_left";
    case EndReason::ConnectionFailed:
        return "connection_failed";
    case EndReason::ViewerClosed:
        return "viewer_closed";
    case EndReason::TransportError:
        return "transport_error";
    case EndReason::Negotiation:
        return "negotiation_failed";
    case EndReason::PipelineFailed:
        return "pipeline_failed";
    case EndReason::ServerStopping:
        break;
    }
    return "server_stopping";
}

} // namespace vmrtc
