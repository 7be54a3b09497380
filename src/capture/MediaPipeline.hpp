// The shared capture and encode chain, fanned out to one branch per viewer.
#pragma once

#include "health/Metrics.hpp"
#include "util/GRef.hpp"

#include <gst/gst.h>

#include <atomic>
#include <functional>
#include <set>
#include <string>

namespace vmrtc {

// Owns one GstPipeline: the template's chain (capture ! … ! payloader),
// then a tee. Each viewer is a bin of its own linked to a tee pad. The
// pipeline runs only while at least one viewer is attached. Main thread
// only, except for the pad probes that rate-limit keyframe requests and
// count frames into Metrics (atomics). After an error on the shared chain
// the owner detaches every viewer and calls rebuild().
class MediaPipeline {
public:
    // Called on the main thread with GStreamer's error text.
    using ErrorHandler = std::function<void(const std::string &)>;
    // An error inside one viewer's bin (its transport failed); the shared
    // chain is not affected.
    using ViewerErrorHandler =
        std::function<void(GstElement *viewerBin, const std::string &)>;

    // metrics, when given, outlives the pipeline and gets its frame counts.
    MediaPipeline(std::string description, ErrorHandler onError,
                  Metrics *metrics = nullptr);
    ~MediaPipeline();

    MediaPipeline(const MediaPipeline &) = delete;
    MediaPipeline &operator=(const MediaPipeline &) = delete;

    // Parses the description and builds the pipeline (stopped).
    bool build(std::string *error);

    // Drops the pipeline and builds it again from the description, after
    // an error; every viewer must have been detached first.
    bool rebuild(std::string *error);

    // Links a viewer's bin (one "sink" pad taking RTP) to the tee and starts
    // the pipeline if it was stopped. The pipeline keeps a reference.
    void attach(GstElement *viewerBin);

    // Unlinks and drops a viewer's bin; stops the pipeline after the last.
    void detach(GstElement *viewerBin);

    void onViewerError(ViewerErrorHandler handler)
    {
        onViewerError_ = std::move(handler);
    }

    // A viewer's connection is up: a keyframe now, and another a moment
    // later, since the viewer may drop what arrives before its own end of
    // DTLS is ready, and a still screen sends nothing else.
    void viewerConnected();

    // Asks the encoder for a keyframe now; requests closer together than
    // the minimum interval are merged into one.
    void requestKeyframe(const char *reason);

    size_t viewerCount() const { return viewers_.size(); }
    bool running() const { return running_; }
    GstElement *pipeline() const { return pipeline_.get(); }

    static constexpr GstClockTime minKeyframeInterval = 500 * GST_MSECOND;
    static constexpr guint keyframeAgainMs = 600; // past the interval above

private:
    void teardown();
    void addCounters(GstBin *bin);
    GRef<GstPad> sourcePad(GstBin *bin) const;
    void setRunning(bool run);
    bool allowKeyframe();
    void busError(GstMessage *message);
    GstObject *branchOf(GstObject *object) const;
    static gboolean onBusMessage(GstBus *bus, GstMessage *message,
                                 gpointer self);
    static gboolean onKeyframeAgain(gpointer self);
    static GstPadProbeReturn onUpstreamEvent(GstPad *pad, GstPadProbeInfo *info,
                                             gpointer self);
    static GstPadProbeReturn onCaptured(GstPad *, GstPadProbeInfo *info,
                                        gpointer metrics);
    static GstPadProbeReturn onEncoded(GstPad *, GstPadProbeInfo *info,
                                       gpointer metrics);

    std::string description_;
    ErrorHandler onError_;
    Metrics *metrics_; // may be null
    ViewerErrorHandler onViewerError_;
    GRef<GstElement> pipeline_;
    GRef<GstElement> tee_;
    GRef<GstElement> payloader_;
    GRef<GstPad> captureSrc_; // of the element named "capture", if any
    guint busWatch_ = 0;
    guint keyframeAgain_ = 0; // the follow-up keyframe request, pending
    std::set<GstElement *> viewers_; // attached bins, held by the pipeline
    bool running_ = false;
    std::atomic<GstClockTime> lastKeyframe_{GST_CLOCK_TIME_NONE};
};

} // namespace vmrtc
