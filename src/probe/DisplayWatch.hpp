// Keeps a connection to the X server and ends the process when it goes.
#pragma once

#include <glib.h>

#include <string>

struct _XDisplay;

namespace vmrtc {

// Without its X server the server has nothing to stream, and supervisor
// restarts it once X is back: so a lost display is fatal, DISPLAY_LOST,
// exit 69, within a second. Main thread only.
class DisplayWatch {
public:
    DisplayWatch() = default;
    ~DisplayWatch();

    DisplayWatch(const DisplayWatch &) = delete;
    DisplayWatch &operator=(const DisplayWatch &) = delete;

    // Opens the display and watches its socket; false if it cannot open.
    bool start(const std::string &display);

private:
    static gboolean onSocket(gint fd, GIOCondition condition, gpointer self);
    static int onIoError(_XDisplay *display);

    _XDisplay *display_ = nullptr;
    std::string name_;
    guint source_ = 0;
};

} // namespace vmrtc
