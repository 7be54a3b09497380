// MediaPipeline: build the shared chain, attach and detach viewers.
#include "capture/MediaPipeline.hpp"

#include "capture/DamageSource.hpp"
#include "capture/PipelineTemplate.hpp"
#include "capture/PlayoutDelayExtension.hpp"
#include "log/Logger.hpp"

#include <gst/video/video.h>

#include <algorithm>

namespace vmrtc {

namespace {

const Logger logger{"capture"};

GstClockTime monotonicNow()
{
    return static_cast<GstClockTime>(g_get_monotonic_time()) * GST_USECOND;
}

// Every packet asks the viewer to show its frame at once (playout delay 0);
// the payloader offers the extension in its caps, so in the SDP offer.
void addPlayoutDelay(GstElement *payloader)
{
    GRef<GstElement> ext =
        GRef<GstElement>::adopt(createPlayoutDelayExtension());
    if (!ext || !g_signal_lookup("add-extension", G_OBJECT_TYPE(payloader))) {
        logger.warning("the payloader cannot carry the playout delay; "
                       "browsers may buffer frames",
                       {{"payloader", G_OBJECT_TYPE_NAME(payloader)}});
        return;
    }
    g_signal_emit_by_name(payloader, "add-extension", ext.get());
}

// Buffers in what a probe saw: one, or the length of a list.
guint buffersIn(GstPadProbeInfo *info)
{
    if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
        return gst_buffer_list_length(GST_PAD_PROBE_INFO_BUFFER_LIST(info));
    return 1;
}

// While the capture refines a settled screen, the encoder may spend this
// much more on each frame: its quality floor is raised for them.
constexpr int refineMaxQuantizer = 24;

// On the streaming thread: the capture's refinement frames (its
// damageSourceRefineEvent) are encoded with a finer quantizer, the frames
// of a change with the template's own.
GstPadProbeReturn onRefineEvent(GstPad *pad, GstPadProbeInfo *info, gpointer)
{
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(event) != GST_EVENT_CUSTOM_DOWNSTREAM ||
        !gst_event_has_name(event, damageSourceRefineEvent))
        return GST_PAD_PROBE_OK;

    gboolean active = FALSE;
    gst_structure_get_boolean(gst_event_get_structure(event), "active",
                              &active);
    GRef<GstElement> encoder =
        GRef<GstElement>::adopt(gst_pad_get_parent_element(pad));
    auto *normal = static_cast<int *>(
        g_object_get_data(G_OBJECT(encoder.get()), "vmrtc-max-quantizer"));
    if (!normal) {
        normal = new int(0);
        g_object_get(encoder.get(), "max-quantizer", normal, nullptr);
        g_object_set_data_full(G_OBJECT(encoder.get()), "vmrtc-max-quantizer",
                               normal, [](gpointer p) {
                                   delete static_cast<int *>(p);
                               });
    }
    int quantizer = active ? std::min(*normal, refineMaxQuantizer) : *normal;
    g_object_set(encoder.get(), "max-quantizer", quantizer, nullptr);
    return GST_PAD_PROBE_DROP; // for this pipeline alone
}

// Lets the encoder named "encoder", if it has a max-quantizer, refine.
void addRefinement(GstBin *bin)
{
    GRef<GstElement> encoder =
        GRef<GstElement>::adopt(gst_bin_get_by_name(bin, "encoder"));
    if (!encoder ||
        !g_object_class_find_property(G_OBJECT_GET_CLASS(encoder.get()),
                                      "max-quantizer"))
        return;
    GRef<GstPad> sink = GRef<GstPad>::adopt(
        gst_element_get_static_pad(encoder.get(), "sink"));
    gst_pad_add_probe(sink.get(), GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                      &onRefineEvent, nullptr, nullptr);
}

constexpr auto buffersOnly =
    GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST);

} // namespace

MediaPipeline::MediaPipeline(std::string description, ErrorHandler onError,
                             Metrics *metrics)
    : description_(std::move(description)), onError_(std::move(onError)),
      metrics_(metrics)
{}

MediaPipeline::~MediaPipeline()
{
    teardown();
}

void MediaPipeline::teardown()
{
    if (busWatch_)
        g_source_remove(busWatch_);
    busWatch_ = 0;
    if (keyframeAgain_)
        g_source_remove(keyframeAgain_);
    keyframeAgain_ = 0;
    if (pipeline_)
        gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
    captureSrc_.reset();
    payloader_.reset();
    tee_.reset();
    pipeline_.reset();
    running_ = false;
}

bool MediaPipeline::rebuild(std::string *error)
{
    if (!viewers_.empty()) {
        *error = "viewers are still attached";
        return false;
    }
    teardown();
    lastKeyframe_ = GST_CLOCK_TIME_NONE;
    return build(error);
}

bool MediaPipeline::build(std::string *error)
{
    std::string full =
        description_ + " ! tee name=fanout allow-not-linked=true";
    GError *parseError = nullptr;
    GstElement *parsed = gst_parse_launch_full(
        full.c_str(), nullptr, GST_PARSE_FLAG_FATAL_ERRORS, &parseError);
    GUnique<GError> owned{parseError};
    if (!parsed) {
        *error = parseError ? parseError->message : "pipeline does not parse";
        return false;
    }
    pipeline_ = GRef<GstElement>::adopt(parsed);
    gst_element_set_name(pipeline_.get(), "media");

    GstBin *bin = GST_BIN(pipeline_.get());
    tee_ = GRef<GstElement>::adopt(gst_bin_get_by_name(bin, "fanout"));
    payloader_ = GRef<GstElement>::adopt(gst_bin_get_by_name(
        bin, std::string(PipelineTemplate::payloaderName).c_str()));
    if (!payloader_) {
        *error = "no element named payloader";
        return false;
    }
    addPlayoutDelay(payloader_.get());

    GRef<GstElement> capture =
        GRef<GstElement>::adopt(gst_bin_get_by_name(bin, "capture"));
    if (capture)
        captureSrc_ = GRef<GstPad>::adopt(
            gst_element_get_static_pad(capture.get(), "src"));

    // Every keyframe request, from any viewer or from requestKeyframe(),
    // passes the payloader's sink pad on its way upstream to the encoder.
    GRef<GstPad> sink = GRef<GstPad>::adopt(
        gst_element_get_static_pad(payloader_.get(), "sink"));
    gst_pad_add_probe(sink.get(), GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
                      &MediaPipeline::onUpstreamEvent, this, nullptr);
    addCounters(bin);
    addRefinement(bin);

    GRef<GstBus> bus =
        GRef<GstBus>::adopt(gst_element_get_bus(pipeline_.get()));
    busWatch_ =
        gst_bus_add_watch(bus.get(), &MediaPipeline::onBusMessage, this);
    return true;
}

// Counts buffers leaving the capture element (named "capture", else the
// chain's first source) and the encoder (named "encoder", else what
// enters the payloader), and reads the encoder's target bitrate.
void MediaPipeline::addCounters(GstBin *bin)
{
    if (!metrics_)
        return;
    if (GRef<GstPad> capture = sourcePad(bin))
        gst_pad_add_probe(capture.get(), buffersOnly,
                          &MediaPipeline::onCaptured, metrics_, nullptr);

    GRef<GstElement> encoder =
        GRef<GstElement>::adopt(gst_bin_get_by_name(bin, "encoder"));
    GRef<GstPad> encoded = GRef<GstPad>::adopt(
        encoder ? gst_element_get_static_pad(encoder.get(), "src")
                : gst_element_get_static_pad(payloader_.get(), "sink"));
    if (encoded)
        gst_pad_add_probe(encoded.get(), buffersOnly, &MediaPipeline::onEncoded,
                          metrics_, nullptr);

    std::optional<double> bitrate;
    GObjectClass *encoderClass =
        encoder ? G_OBJECT_GET_CLASS(encoder.get()) : nullptr;
    if (encoderClass &&
        g_object_class_find_property(encoderClass, "target-bitrate")) {
        gint bps = 0;
        g_object_get(encoder.get(), "target-bitrate", &bps, nullptr);
        bitrate = bps;
    }
    metrics_->encoderBitrate(bitrate);
}

GRef<GstPad> MediaPipeline::sourcePad(GstBin *bin) const
{
    if (captureSrc_)
        return captureSrc_;

    GstIterator *sources = gst_bin_iterate_sources(bin);
    GValue item = G_VALUE_INIT;
    GRef<GstPad> pad;
    if (gst_iterator_next(sources, &item) == GST_ITERATOR_OK) {
        auto *source = GST_ELEMENT(g_value_get_object(&item));
        pad = GRef<GstPad>::adopt(gst_element_get_static_pad(source, "src"));
        g_value_unset(&item);
    }
    gst_iterator_free(sources);
    return pad;
}

GstPadProbeReturn MediaPipeline::onCaptured(GstPad *, GstPadProbeInfo *info,
                                            gpointer metrics)
{
    static_cast<Metrics *>(metrics)->addCaptured(buffersIn(info));
    return GST_PAD_PROBE_OK;
}

GstPadProbeReturn MediaPipeline::onEncoded(GstPad *, GstPadProbeInfo *info,
                                           gpointer metrics)
{
    static_cast<Metrics *>(metrics)->addEncoded(buffersIn(info));
    return GST_PAD_PROBE_OK;
}

void MediaPipeline::attach(GstElement *viewerBin)
{
    gst_bin_add(GST_BIN(pipeline_.get()), viewerBin);

    // The branch runs before the tee sees it: a push into a pad not yet
    // active returns FLUSHING, which the tee hands upstream, and that
    // stops the shared chain until the pipeline is restarted.
    if (running_)
        gst_element_sync_state_with_parent(viewerBin);

    GRef<GstPad> teePad = GRef<GstPad>::adopt(
        gst_element_request_pad_simple(tee_.get(), "src_%u"));
    GRef<GstPad> sink =
        GRef<GstPad>::adopt(gst_element_get_static_pad(viewerBin, "sink"));
    GstPadLinkReturn linked = gst_pad_link(teePad.get(), sink.get());
    if (linked != GST_PAD_LINK_OK)
        logger.error("cannot link a viewer to the tee",
                     {{"result", gst_pad_link_get_name(linked)}});

    viewers_.insert(viewerBin);
    if (!running_)
        setRunning(true);

    // A new tee branch gets its caps with the next buffer, and only then
    // does its webrtcbin ask to negotiate; a capture that sends only on
    // change is asked for a frame now rather than at the next change.
    if (running_ && captureSrc_)
        gst_pad_send_event(captureSrc_.get(),
                           gst_event_new_custom(GST_EVENT_CUSTOM_UPSTREAM,
                                                gst_structure_new_empty(
                                                    damageSourceRepeatEvent)));
}

void MediaPipeline::detach(GstElement *viewerBin)
{
    GRef<GstPad> sink =
        GRef<GstPad>::adopt(gst_element_get_static_pad(viewerBin, "sink"));
    GRef<GstPad> teePad = GRef<GstPad>::adopt(gst_pad_get_peer(sink.get()));

    // Unlinking from the main thread while the tee pushes is safe: the
    // push then returns NOT_LINKED, which the tee ignores for this pad.
    if (teePad) {
        gst_pad_unlink(teePad.get(), sink.get());
        gst_element_release_request_pad(tee_.get(), teePad.get());
    }
    gst_element_set_state(viewerBin, GST_STATE_NULL);
    gst_bin_remove(GST_BIN(pipeline_.get()), viewerBin);

    if (viewers_.erase(viewerBin) > 0 && viewers_.empty())
        setRunning(false);

    // What is left, so that a leak of branches shows in the log.
    GST_OBJECT_LOCK(tee_.get());
    guint16 teePads = tee_->numsrcpads;
    GST_OBJECT_UNLOCK(tee_.get());
    GST_OBJECT_LOCK(pipeline_.get());
    gint elements = GST_BIN(pipeline_.get())->numchildren;
    GST_OBJECT_UNLOCK(pipeline_.get());
    logger.debug("viewer detached",
                 {{"viewers", std::to_string(viewers_.size())},
                  {"tee_pads", std::to_string(teePads)},
                  {"elements", std::to_string(elements)}});
}

void MediaPipeline::setRunning(bool run)
{
    running_ = run;
    logger.info(run ? "capture started" : "capture stopped: no viewer left");
    GstStateChangeReturn r = gst_element_set_state(
        pipeline_.get(), run ? GST_STATE_PLAYING : GST_STATE_NULL);
    if (r == GST_STATE_CHANGE_FAILURE)
        logger.error("the media pipeline did not change state",
                     {{"target", run ? "playing" : "null"}});
}

bool MediaPipeline::allowKeyframe()
{
    GstClockTime now = monotonicNow();
    GstClockTime last = lastKeyframe_.load();
    if (last != GST_CLOCK_TIME_NONE && now - last < minKeyframeInterval)
        return false;
    return lastKeyframe_.compare_exchange_strong(last, now);
}

void MediaPipeline::requestKeyframe(const char *reason)
{
    if (!running_)
        return;
    logger.debug("keyframe requested", {{"reason", reason}});
    GRef<GstPad> src = GRef<GstPad>::adopt(
        gst_element_get_static_pad(payloader_.get(), "src"));
    gst_pad_send_event(src.get(), gst_video_event_new_upstream_force_key_unit(
                                      GST_CLOCK_TIME_NONE, TRUE, 0));
}

void MediaPipeline::viewerConnected()
{
    requestKeyframe("viewer joined");
    if (!keyframeAgain_)
        keyframeAgain_ = g_timeout_add(keyframeAgainMs,
                                       &MediaPipeline::onKeyframeAgain, this);
}

gboolean MediaPipeline::onKeyframeAgain(gpointer data)
{
    auto *self = static_cast<MediaPipeline *>(data);
    self->keyframeAgain_ = 0;
    self->requestKeyframe("again after a viewer joined");
    return G_SOURCE_REMOVE;
}

GstPadProbeReturn
MediaPipeline::onUpstreamEvent(GstPad *, GstPadProbeInfo *info, gpointer data)
{
    auto *self = static_cast<MediaPipeline *>(data);
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
    if (!gst_video_event_is_force_key_unit(event))
        return GST_PAD_PROBE_OK;
    if (!self->allowKeyframe())
        return GST_PAD_PROBE_DROP;

    // The encoder keeps the request; a capture that sends frames only on
    // change is asked for its last frame again, so there is one to encode
    // as the keyframe. That frame crosses a queue and the converter, so the
    // request, which goes on from here at once, reaches the encoder first.
    if (self->captureSrc_)
        gst_pad_send_event(self->captureSrc_.get(),
                           gst_video_event_new_upstream_force_key_unit(
                               GST_CLOCK_TIME_NONE, TRUE, 0));
    return GST_PAD_PROBE_OK;
}

gboolean MediaPipeline::onBusMessage(GstBus *, GstMessage *message,
                                     gpointer data)
{
    auto *self = static_cast<MediaPipeline *>(data);
    // A viewer joining a running live pipeline changes its latency.
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_LATENCY)
        gst_bin_recalculate_latency(GST_BIN(self->pipeline_.get()));
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR)
        self->busError(message);
    return G_SOURCE_CONTINUE;
}

// The element directly in the pipeline that holds object (itself, or a
// bin it is in); null when object is no longer in the pipeline.
GstObject *MediaPipeline::branchOf(GstObject *object) const
{
    GRef<GstObject> current = GRef<GstObject>::share(object);
    while (current) {
        GRef<GstObject> parent =
            GRef<GstObject>::adopt(gst_object_get_parent(current.get()));
        if (parent.get() == GST_OBJECT(pipeline_.get()))
            return current.get(); // the pipeline holds it
        current = parent;
    }
    return nullptr;
}

// An error in a viewer's bin (its SCTP or DTLS transport, when a browser
// goes away) is that viewer's; only the rest stops the shared chain.
void MediaPipeline::busError(GstMessage *message)
{
    GError *error = nullptr;
    gchar *debug = nullptr;
    gst_message_parse_error(message, &error, &debug);
    GUnique<GError> ownedError{error};
    GUnique<char> ownedDebug{debug};
    GUnique<char> source{gst_object_get_path_string(message->src)};
    LogFields fields{{"source", source.get()},
                     {"error", error->message},
                     {"detail", debug ? debug : ""}};

    GstObject *branch = branchOf(message->src);
    auto *bin = reinterpret_cast<GstElement *>(branch);
    if (!branch || viewers_.contains(bin)) {
        logger.debug("error in a viewer's branch", fields);
        if (branch && onViewerError_)
            onViewerError_(bin, error->message);
        return;
    }

    fields.push_back({"code", "PIPELINE_ERROR"});
    logger.error("media pipeline error", fields);
    if (onError_)
        onError_(error->message);
}

} // namespace vmrtc
