// GstLogBridge: GStreamer debug log to structured records.
#include "log/GstLogBridge.hpp"

#include "log/Logger.hpp"

#include <map>
#include <mutex>
#include <string>

namespace vmrtc {

namespace {

const Logger logger{"gstreamer"};

// Some elements warn once per packet; each source line gets a budget.
constexpr gint64 windowUs = 10 * G_USEC_PER_SEC;
constexpr unsigned perWindow = 3;

struct Budget {
    gint64 windowStart = 0;
    unsigned used = 0;
    unsigned suppressed = 0;
};

std::mutex budgetLock;
std::map<std::string, Budget> budgets;

// True when the record may be written; *suppressed is how many from the
// same place were dropped since the last one written.
bool allow(const std::string &where, unsigned *suppressed)
{
    std::lock_guard lock(budgetLock);
    Budget &b = budgets[where];
    gint64 now = g_get_monotonic_time();
    if (now - b.windowStart > windowUs) {
        b.windowStart = now;
        b.used = 0;
    }
    if (b.used >= perWindow) {
        b.suppressed++;
        return false;
    }
    b.used++;
    *suppressed = b.suppressed;
    b.suppressed = 0;
    return true;
}

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
    if (!allow(where, &suppressed))
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
