// A connection of the server's own to the X display, read by the main loop.
#pragma once

#include <glib.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

struct _XDisplay;
union _XEvent;

namespace vmrtc {

// Owns one Xlib connection and hands every event that arrives on it to the
// handlers added, in order. Losing the X server ends the process through
// DisplayWatch's I/O error handler. Main thread only.
class XConnection {
public:
    using Handler = std::function<void(const _XEvent &)>;

    ~XConnection();
    XConnection(const XConnection &) = delete;
    XConnection &operator=(const XConnection &) = delete;

    // Null with *error when the display cannot be opened.
    static std::unique_ptr<XConnection> open(const std::string &display,
                                             std::string *error);

    _XDisplay *display() const { return display_; }
    void addHandler(Handler handler) { handlers_.push_back(std::move(handler)); }

    // Reads and dispatches what is queued; for callers that waited on a
    // reply and may have queued events meanwhile.
    void dispatchPending();

private:
    explicit XConnection(_XDisplay *display);
    static gboolean onSocket(gint fd, GIOCondition condition, gpointer self);

    _XDisplay *display_;
    guint source_ = 0;
    std::vector<Handler> handlers_;
};

} // namespace vmrtc
