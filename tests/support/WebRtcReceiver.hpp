// A viewer made of GStreamer parts: speaks the signalling protocol as a
// consumer, answers the server's offer with a webrtcbin and decodes VP8.
#pragma once

#include "util/GRef.hpp"

#include <gst/gst.h>
#include <libsoup/soup.h>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace vmrtc::test {

using vmrtc::GRef;
using Rgb = std::array<int, 3>;

// Runs on the default main context: its wait functions iterate it.
class WebRtcReceiver {
public:
    // token, when given, is sent as a bearer token on the upgrade.
    explicit WebRtcReceiver(std::string signallingUrl, std::string token = {});
    ~WebRtcReceiver();

    WebRtcReceiver(const WebRtcReceiver &) = delete;
    WebRtcReceiver &operator=(const WebRtcReceiver &) = delete;

    // Connects, finds the producer whose meta.session is session and starts
    // a session with it; false when that does not happen in time.
    bool start(const std::string &session, std::chrono::milliseconds timeout);

    // Ends the session (endSession) and closes the connection.
    void stop();
    // Closes the connection without an endSession, as a closed tab does.
    void drop();

    // Neither sends its own ICE candidates nor uses the server's, so the
    // transport never comes up. Call before start().
    void withholdCandidates() { withholdCandidates_ = true; }

    // Before start(): the receiver then neither uses the server's
    // candidates nor sends its own, but only `candidate` and an end of
    // candidates, so the server's ICE checks can only fail.
    void sendOnlyCandidate(std::string candidate)
    {
        onlyCandidate_ = std::move(candidate);
    }

    int framesDecoded() const;
    // Bytes of RTP the viewer's webrtcbin gave out so far (after SRTP).
    long long bytesReceived() const;
    // From sending startSession to the first decoded frame; empty until
    // both happened.
    std::optional<double> firstFrameMs() const;
    // The last decoded frame, RGBx rows of width * 4 bytes.
    struct Frame {
        int width = 0;
        int height = 0;
        std::vector<guint8> rgbx;
    };
    std::optional<Frame> lastFrame() const;
    // The average colour of an 8x8 block of the last decoded frame.
    std::optional<Rgb> colour() const;
    bool sessionEnded() const { return ended_; }
    // The answer has been sent.
    bool answered() const { return remoteSet_; }
    // Its webrtcbin's connection state is "connected": ICE and DTLS are up.
    bool connected() const;
    const std::string &sessionId() const { return sessionId_; }
    const std::string &offer() const { return offer_; } // the server's SDP

    bool waitForFrames(int count, std::chrono::milliseconds timeout);
    bool waitForColour(Rgb expected, int tolerance,
                       std::chrono::milliseconds timeout);

    // The server's "control" data channel: waits until it is open.
    bool waitForControl(std::chrono::milliseconds timeout);
    // Sends one text message on it; false when it is not open.
    bool sendControl(const std::string &text);
    // The reply whose "id" is id (a ControlResponseMessage), as JSON text.
    std::optional<std::string> waitForReply(long id,
                                            std::chrono::milliseconds timeout);
    // Every message the server sent on the channel so far, oldest first.
    std::vector<std::string> controlMessages() const;

    // Iterates the default main context until done() or the timeout.
    static bool pump(const std::function<bool()> &done,
                     std::chrono::milliseconds timeout);

private:
    void send(const std::string &json);
    void received(const std::string &text);
    void answer(const std::string &offer);
    void buildPipeline();
    void decodedPad(GstPad *pad);

    static void onConnected(GObject *, GAsyncResult *, gpointer self);
    static void onMessage(SoupWebsocketConnection *, gint, GBytes *,
                          gpointer self);
    static void onIceCandidate(GstElement *, guint, gchar *, gpointer self);
    static void onPadAdded(GstElement *, GstPad *, gpointer self);
    static GstFlowReturn onSample(GstElement *sink, gpointer self);
    static GstPadProbeReturn onRtp(GstPad *, GstPadProbeInfo *info,
                                   gpointer self);
    static void onDataChannel(GstElement *, GObject *channel, gpointer self);
    static void onControlMessage(GObject *, gchar *text, gpointer self);

    std::string url_;
    std::string token_;
    std::string session_;
    std::string producerId_;
    std::string sessionId_;
    std::string offer_;
    bool ended_ = false;
    GRef<SoupSession> soup_;
    // Cancels a connection still being made when the receiver stops, so
    // that its callback never sees a receiver that is gone.
    GRef<GCancellable> connecting_;
    GRef<SoupWebsocketConnection> ws_;
    GRef<GstElement> pipeline_;
    GRef<GstElement> webrtc_;
    std::vector<std::pair<guint, std::string>> pendingCandidates_;
    bool remoteSet_ = false;
    std::optional<std::string> onlyCandidate_; // set before start()
    bool withholdCandidates_ = false; // set before any webrtcbin thread runs

    // Main-loop tasks from webrtcbin's threads hold a weak pointer to this,
    // so that a task still queued when the receiver is gone does nothing.
    std::shared_ptr<WebRtcReceiver *> self_;
    std::optional<std::chrono::steady_clock::time_point> startSent_;

    GRef<GObject> control_; // the GstWebRTCDataChannel "control"

    mutable std::mutex mutex_;
    std::vector<std::string> controlMessages_;
    int frames_ = 0;
    std::optional<Rgb> colour_;
    long long bytes_ = 0;
    std::optional<std::chrono::steady_clock::time_point> firstFrame_;
    GRef<GstBuffer> lastBuffer_; // the last decoded frame, RGBx
    int lastWidth_ = 0;
    int lastHeight_ = 0;
};

} // namespace vmrtc::test
