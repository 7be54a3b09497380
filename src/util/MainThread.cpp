// runOnMainThread: an idle source per call on the default main context.
#include "util/MainThread.hpp"

#include "log/Logger.hpp"

#include <glib.h>

#include <exception>

namespace vmrtc {

namespace {

gboolean runOnce(gpointer data)
{
    auto *fn = static_cast<std::function<void()> *>(data);
    try {
        (*fn)();
    } catch (const std::exception &e) {
        Logger{"server"}.error("uncaught exception in a main-loop task",
                               {{"what", e.what()}});
    } catch (...) {
        Logger{"server"}.error("uncaught exception in a main-loop task");
    }
    return G_SOURCE_REMOVE;
}

void destroy(gpointer data)
{
    delete static_cast<std::function<void()> *>(data);
}

} // namespace

void runOnMainThread(std::function<void()> fn)
{
    GSource *source = g_idle_source_new();
    g_source_set_priority(source, G_PRIORITY_DEFAULT);
    g_source_set_callback(source, &runOnce,
                          new std::function<void()>(std::move(fn)), &destroy);
    g_source_attach(source, nullptr);
    g_source_unref(source);
}

} // namespace vmrtc
