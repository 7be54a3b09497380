// GstLogBridge: GStreamer debug log to structured records.
#include "log/GstLogBridge.hpp"

#include "log/Logger.hpp"
#include "log/RateLimiter.hpp"

#include <string>

namespace vmrtc {

namespace {

const Logger logger{"gstreamer"};

// Some elements warn once per packet: each source line gets a budget.
RateLimiter limiter{3, 10 * G_USEC_PER_SEC};

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
                           GObject *, GstDebugMessage *message, gpointer)
{
    if (level > GST_LEVEL_WARNING)
        return;

    std::string where = std::string(file) + ':' + std::to_string(line);
    unsigned suppressed = 0;
    if (!limiter.allow(where, &suppressed))
        return;

    // The object's id is precomputed by GStreamer: asking the object for
    // its path here would take its locks, which the caller may hold.
    const char *id = gst_debug_message_get_id(message);
    LogFields fields{{"category", gst_debug_category_get_name(category)},
                     {"source", where},
                     {"object", id ? id : ""}};
    if (suppressed > 0)
        fields.push_back({"suppressed", std::to_string(suppressed)});

    const char *text = gst_debug_message_get(message);
    logger.log(level == GST_LEVEL_ERROR ? LogLevel::Error : LogLevel::Warning,
               text ? text : "", fields);
}

} // namespace vmrtc
