// Requests of the "control" data channel (docs/protocol.md): strict
// parsing of what a viewer sends, and the replies and notices sent back.
#pragma once

#include <glib.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace vmrtc {

// The GstNavigation events that gstwebrtc-api's RemoteController sends.
enum class NavigationKind {
    MouseMove,
    MouseButtonPress,
    MouseButtonRelease,
    MouseScroll,
    KeyDown, // "KeyPress": X's own names are macros
    KeyUp,   // "KeyRelease"
    TouchDown,
    TouchMotion,
    TouchUp,
    TouchFrame,
    TouchCancel,
};

struct NavigationEvent {
    NavigationKind kind = NavigationKind::MouseMove;
    double x = 0; // video pixels: mouse, scroll and touch events
    double y = 0;
    int button = 0;       // press and release: 1 to 5, as the browser counts
    double deltaX = 0;    // scroll: positive is left, as GstNavigation has it
    double deltaY = 0;    // scroll: positive is up
    std::string key;      // key events: an X keysym name, e.g. "eacute"
    gint64 touchId = 0;   // touch events but TouchFrame
};

struct ClipboardText {
    std::string text; // UTF-8
};

struct ControlRequest {
    static constexpr size_t maxClipboardBytes = 1024 * 1024;
    // Room for a full clipboard written with JSON escapes.
    static constexpr size_t maxMessageBytes = 6 * maxClipboardBytes + 4096;
    static constexpr size_t maxKeyBytes = 64;

    gint64 id = 0;
    std::variant<NavigationEvent, ClipboardText> request;

    // Parses one message of the channel. On failure returns nothing and
    // sets *error to a sentence naming the problem; *id is the request's
    // id whenever the message has a readable one, for the reply.
    static std::optional<ControlRequest> parse(std::string_view text,
                                               std::optional<gint64> *id,
                                               std::string *error);
};

// {"type":"ControlResponseMessage","id":…,"error":null|"…"}; the id is
// null when the request had none that could be read.
std::string controlResponse(std::optional<gint64> id,
                            const std::string &error);

// {"type":"InfoMessage","info":{"type":"clipboard","text":…}}: the VM's
// clipboard changed.
std::string clipboardNotice(const std::string &text);

std::string_view navigationKindName(NavigationKind kind);

} // namespace vmrtc
