// Routes GStreamer's own warnings and errors into the process's log writer.
#pragma once

#include <gst/gst.h>

namespace vmrtc {

// When GST_DEBUG is unset, GStreamer's default stderr printer is replaced:
// its warnings and errors become records of component "gstreamer" with the
// debug category and source object as context. When GST_DEBUG is set, the
// developer asked for GStreamer's own output, and it is left alone.
class GstLogBridge {
public:
    // Call after gst_init().
    static void install();

private:
    static void forward(GstDebugCategory *category, GstDebugLevel level,
                        const gchar *file, const gchar *function, gint line,
                        GObject *object, GstDebugMessage *message,
                        gpointer data);
};

} // namespace vmrtc
