// DisplayWatch: an idle X connection whose loss ends the process.
#include "probe/DisplayWatch.hpp"

#include "app/ExitCode.hpp"
#include "log/Logger.hpp"

#include <X11/Xlib.h>
#include <glib-unix.h>

#include <unistd.h>

namespace vmrtc {

namespace {

const Logger logger{"display"};

// Xlib's I/O error handler must not return; it has no user data.
std::string watchedDisplay;

[[noreturn]] void lost()
{
    logger.fatal("the X server went away",
                 {{"code", "DISPLAY_LOST"},
                  {"display", watchedDisplay},
                  {"hint", "the X server stopped or crashed; start it again "
                           "(supervisor restarts this server after it)"},
                  {"exit", "69"}});
    _exit(toInt(ExitCode::Unavailable));
}

} // namespace

DisplayWatch::~DisplayWatch()
{
    if (source_)
        g_source_remove(source_);
    if (display_)
        XCloseDisplay(display_);
}

bool DisplayWatch::start(const std::string &display)
{
    display_ = XOpenDisplay(display.c_str());
    if (!display_)
        return false;
    watchedDisplay = display;
    XSetIOErrorHandler(&DisplayWatch::onIoError);
    source_ = g_unix_fd_add(ConnectionNumber(display_),
                            GIOCondition(G_IO_IN | G_IO_HUP | G_IO_ERR),
                            &DisplayWatch::onSocket, this);
    return true;
}

gboolean DisplayWatch::onSocket(gint, GIOCondition, gpointer data)
{
    auto *self = static_cast<DisplayWatch *>(data);
    // Reading a closed connection makes Xlib call onIoError.
    while (XPending(self->display_) > 0) {
        XEvent event;
        XNextEvent(self->display_, &event);
    }
    return G_SOURCE_CONTINUE;
}

int DisplayWatch::onIoError(_XDisplay *)
{
    lost();
}

} // namespace vmrtc
