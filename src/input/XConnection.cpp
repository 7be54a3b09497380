// XConnection: an Xlib connection whose events the main loop dispatches.
#include "input/XConnection.hpp"

#include "log/Logger.hpp"

#include <X11/Xlib.h>
#include <glib-unix.h>

#include <exception>

namespace vmrtc {

namespace {

const Logger logger{"input"};

// Xlib's default handler ends the process on any protocol error; a client
// that vanishes while the server answers it (a paste target window gone)
// is no reason to stop streaming.
int logError(Display *display, XErrorEvent *error)
{
    char text[128] = "";
    XGetErrorText(display, error->error_code, text, sizeof text);
    logger.debug("X request failed",
                 {{"error", text},
                  {"request", std::to_string(error->request_code)}});
    return 0;
}

} // namespace

XConnection::XConnection(_XDisplay *display) : display_(display)
{
    source_ = g_unix_fd_add(ConnectionNumber(display_),
                            GIOCondition(G_IO_IN | G_IO_HUP | G_IO_ERR),
                            &XConnection::onSocket, this);
}

XConnection::~XConnection()
{
    g_source_remove(source_);
    XCloseDisplay(display_);
}

std::unique_ptr<XConnection> XConnection::open(const std::string &display,
                                               std::string *error)
{
    Display *opened = XOpenDisplay(display.c_str());
    if (!opened) {
        *error = "cannot open X display " + display;
        return nullptr;
    }
    XSetErrorHandler(&logError);
    return std::unique_ptr<XConnection>(new XConnection(opened));
}

void XConnection::dispatchPending()
{
    while (XPending(display_) > 0) {
        XEvent event;
        XNextEvent(display_, &event);
        for (const Handler &handler : handlers_)
            handler(event);
    }
}

gboolean XConnection::onSocket(gint, GIOCondition, gpointer self)
{
    try {
        static_cast<XConnection *>(self)->dispatchPending();
    } catch (const std::exception &e) {
        logger.error("an X event handler failed", {{"error", e.what()}});
    }
    return G_SOURCE_CONTINUE;
}

} // namespace vmrtc
