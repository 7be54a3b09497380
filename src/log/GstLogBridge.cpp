// GstLogBridge: GStreamer debug log to structured records.
#include "log/GstLogBridge.hpp"

#include "log/Logger.hpp"
#include "util/GRef.hpp"

#include <string>

namespace vmrtc {

namespace {

const Logger logger{"gstreamer"};

} // namespace

void GstLogBridge::install()
{
    if (g_getenv("GST_DEBUG"))
        return;

    gst_debug_remove_log_function(gst_debug_log_default);
    gst_debug_set_default_threshold(GST_LEVEL_WARNING);
    gst_debug_add_log_function(&GstLogBridge::forward, nullptr, nullptr);
}

void GstLogBridge::forward(GstDebugCategory *category, GstDebugLevel level,
                           const gchar *file, const gchar *, gint line,
                           GObject *object, GstDebugMessage *message, gpointer)
{
    if (level > GST_LEVEL_WARNING)
        return;

    LogFields fields{
        {"category", gst_debug_category_get_name(category)},
        {"source", std::string(file) + ':' + std::to_string(line)}};
    if (object && GST_IS_OBJECT(object)) {
        GUnique<char> name{gst_object_get_path_string(GST_OBJECT(object))};
        fields.push_back({"object", name.get()});
    }

    const char *text = gst_debug_message_get(message);
    LogLevel ours =
        level == GST_LEVEL_ERROR ? LogLevel::Error : LogLevel::Warning;
    logger.log(ours, text ? text : "", fields);
}

} // namespace vmrtc
