// The playout delay header extension in a real payloader: the caps offer
// it, and every packet carries a zero delay range.
#include "catch.hpp"

#include "capture/PlayoutDelayExtension.hpp"
#include "util/GRef.hpp"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/rtp/rtp.h>

#include <string>

using namespace vmrtc;

namespace {

GRef<GstElement> encodingPipeline()
{
    GError *error = nullptr;
    GstElement *pipeline = gst_parse_launch(
        "videotestsrc num-buffers=3 ! video/x-raw,width=64,height=64 "
        "! vp8enc deadline=1 ! rtpvp8pay name=payloader "
        "! appsink name=out sync=false",
        &error);
    GUnique<GError> owned{error};
    REQUIRE(pipeline);
    return GRef<GstElement>::adopt(pipeline);
}

GstElement *child(GstElement *pipeline, const char *name)
{
    return gst_bin_get_by_name(GST_BIN(pipeline), name);
}

} // namespace

TEST_CASE("the payloader offers the playout delay and writes it in packets",
          "[playout]")
{
    gst_init(nullptr, nullptr);
    REQUIRE(registerPlayoutDelayExtension());
    GRef<GstElement> pipeline = encodingPipeline();
    GRef<GstElement> payloader =
        GRef<GstElement>::adopt(child(pipeline.get(), "payloader"));
    GRef<GstElement> ext = GRef<GstElement>::adopt(createPlayoutDelayExtension());
    REQUIRE(ext);
    g_signal_emit_by_name(payloader.get(), "add-extension", ext.get());

    GRef<GstElement> out = GRef<GstElement>::adopt(child(pipeline.get(), "out"));
    gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
    GstSample *sample =
        gst_app_sink_try_pull_sample(GST_APP_SINK(out.get()), 5 * GST_SECOND);
    REQUIRE(sample);

    GstStructure *caps = gst_caps_get_structure(gst_sample_get_caps(sample), 0);
    std::string field = "extmap-" + std::to_string(playoutDelayId);
    const char *uri = gst_structure_get_string(caps, field.c_str());
    REQUIRE(uri);
    CHECK(std::string(uri) == playoutDelayUri);

    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    REQUIRE(gst_rtp_buffer_map(gst_sample_get_buffer(sample), GST_MAP_READ,
                               &rtp));
    gpointer data = nullptr;
    guint size = 0;
    bool found = gst_rtp_buffer_get_extension_onebyte_header(
        &rtp, guint8(playoutDelayId), 0, &data, &size);
    CHECK(found);
    if (found) {
        REQUIRE(size == 3);
        const auto *bytes = static_cast<const guint8 *>(data);
        CHECK((bytes[0] | bytes[1] | bytes[2]) == 0); // min 0, max 0
    }
    gst_rtp_buffer_unmap(&rtp);
    gst_sample_unref(sample);
    gst_element_set_state(pipeline.get(), GST_STATE_NULL);
}

TEST_CASE("a delay range other than zero is written in 10 ms units",
          "[playout]")
{
    gst_init(nullptr, nullptr);
    REQUIRE(registerPlayoutDelayExtension());
    GRef<GstElement> ext = GRef<GstElement>::adopt(createPlayoutDelayExtension());
    REQUIRE(ext);
    g_object_set(ext.get(), "min-delay", 100u, "max-delay", 40950u, nullptr);

    GstBuffer *packet = gst_rtp_buffer_new_allocate(0, 0, 0);
    guint8 data[3] = {};
    gssize written = gst_rtp_header_extension_write(
        GST_RTP_HEADER_EXTENSION(ext.get()), packet,
        GST_RTP_HEADER_EXTENSION_ONE_BYTE, packet, data, sizeof data);
    gst_buffer_unref(packet);

    REQUIRE(written == 3);
    CHECK(data[0] == 0x00); // 10 units = 0x00a: 0x00, then 0xa in the
    CHECK(data[1] == 0xaf); // high half of the next byte; 4095 = 0xfff
    CHECK(data[2] == 0xff);
}
