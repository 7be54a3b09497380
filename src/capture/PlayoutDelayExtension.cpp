// PlayoutDelayExtension: the vmrtcplayoutdelay element.
#include "capture/PlayoutDelayExtension.hpp"

#include <gst/rtp/rtp.h>

namespace vmrtc {

namespace {

GST_DEBUG_CATEGORY_STATIC(playoutDebug);
#define GST_CAT_DEFAULT playoutDebug

constexpr gsize payloadSize = 3;
constexpr guint unitMs = 10;
constexpr guint maxDelayMs = 0xfff * unitMs; // 12 bits of 10 ms

struct PlayoutDelay {
    GstRTPHeaderExtension parent;
    guint minDelayMs; // property
    guint maxDelayMs; // property
};

struct PlayoutDelayClass {
    GstRTPHeaderExtensionClass parent;
};

enum { PROP_0, PROP_MIN_DELAY, PROP_MAX_DELAY };

#define PLAYOUT_DELAY(obj) (reinterpret_cast<PlayoutDelay *>(obj))

G_DEFINE_TYPE(PlayoutDelay, playout_delay, GST_TYPE_RTP_HEADER_EXTENSION)

GstRTPHeaderExtensionFlags supportedFlags(GstRTPHeaderExtension *)
{
    return GstRTPHeaderExtensionFlags(GST_RTP_HEADER_EXTENSION_ONE_BYTE |
                                      GST_RTP_HEADER_EXTENSION_TWO_BYTE);
}

gsize maxSize(GstRTPHeaderExtension *, const GstBuffer *)
{
    return payloadSize;
}

gssize writeDelay(GstRTPHeaderExtension *ext, const GstBuffer *,
                  GstRTPHeaderExtensionFlags, GstBuffer *, guint8 *data,
                  gsize size)
{
    if (size < payloadSize)
        return -1;
    PlayoutDelay *self = PLAYOUT_DELAY(ext);
    guint low = self->minDelayMs / unitMs;
    guint high = self->maxDelayMs / unitMs;
    data[0] = guint8(low >> 4);
    data[1] = guint8(((low & 0xf) << 4) | (high >> 8));
    data[2] = guint8(high & 0xff);
    return payloadSize;
}

gboolean readDelay(GstRTPHeaderExtension *, GstRTPHeaderExtensionFlags,
                   const guint8 *, gsize size, GstBuffer *)
{
    // The server only sends it; a packet carrying it is merely checked.
    return size >= payloadSize;
}

void setProperty(GObject *object, guint id, const GValue *value,
                 GParamSpec *spec)
{
    PlayoutDelay *self = PLAYOUT_DELAY(object);
    switch (id) {
    case PROP_MIN_DELAY:
        self->minDelayMs = g_value_get_uint(value);
        break;
    case PROP_MAX_DELAY:
        self->maxDelayMs = g_value_get_uint(value);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, spec);
    }
}

void getProperty(GObject *object, guint id, GValue *value, GParamSpec *spec)
{
    PlayoutDelay *self = PLAYOUT_DELAY(object);
    switch (id) {
    case PROP_MIN_DELAY:
        g_value_set_uint(value, self->minDelayMs);
        break;
    case PROP_MAX_DELAY:
        g_value_set_uint(value, self->maxDelayMs);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, spec);
    }
}

void installProperties(GObjectClass *object)
{
    auto flags = GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                             GST_PARAM_MUTABLE_PLAYING);
    g_object_class_install_property(
        object, PROP_MIN_DELAY,
        g_param_spec_uint("min-delay", "Minimum delay",
                          "Shortest time (ms) the receiver holds a frame",
                          0, maxDelayMs, 0, flags));
    g_object_class_install_property(
        object, PROP_MAX_DELAY,
        g_param_spec_uint("max-delay", "Maximum delay",
                          "Longest time (ms) the receiver holds a frame",
                          0, maxDelayMs, 0, flags));
}

void playout_delay_class_init(PlayoutDelayClass *klass)
{
    auto *object = G_OBJECT_CLASS(klass);
    object->set_property = setProperty;
    object->get_property = getProperty;
    installProperties(object);

    auto *ext = GST_RTP_HEADER_EXTENSION_CLASS(klass);
    ext->get_supported_flags = supportedFlags;
    ext->get_max_size = maxSize;
    ext->write = writeDelay;
    ext->read = readDelay;

    gst_element_class_set_static_metadata(
        GST_ELEMENT_CLASS(klass), "RTP playout delay header extension",
        GST_RTP_HDREXT_ELEMENT_CLASS,
        "Asks WebRTC receivers to show frames without delay",
        "vm-webrtc-server");
    gst_rtp_header_extension_class_set_uri(ext, playoutDelayUri);
}

void playout_delay_init(PlayoutDelay *) {}

} // namespace

bool registerPlayoutDelayExtension()
{
    GST_DEBUG_CATEGORY_INIT(playoutDebug, "vmrtcplayoutdelay", 0,
                            "RTP playout delay header extension");
    return gst_element_register(nullptr, "vmrtcplayoutdelay", GST_RANK_NONE,
                                playout_delay_get_type());
}

GstElement *createPlayoutDelayExtension()
{
    GstElement *element =
        gst_element_factory_make("vmrtcplayoutdelay", nullptr);
    if (!element)
        return nullptr;
    gst_object_ref_sink(element);
    gst_rtp_header_extension_set_id(GST_RTP_HEADER_EXTENSION(element),
                                    playoutDelayId);
    return element;
}

} // namespace vmrtc
