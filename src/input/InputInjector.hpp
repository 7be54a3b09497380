// Turns viewers' navigation events into X input with XTest.
#pragma once

#include "input/ControlRequest.hpp"
#include "input/Keyboard.hpp"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace vmrtc {

class XConnection;

// Injects pointer, button, scroll and key events on the server's own X
// connection. Positions arrive in video pixels and are mapped to screen
// pixels, since the pipeline may scale. What each viewer holds down is
// kept in its Held, so that it can all be released when the viewer goes.
// Main thread only; the connection outlives it.
class InputInjector {
public:
    struct Held {
        std::set<unsigned> buttons;           // X buttons
        std::map<std::string, unsigned> keys; // keysym name -> keycode
        std::optional<gint64> touch;          // the touch that drives the pointer
        double scrollX = 0;                   // pixels not yet scrolled
        double scrollY = 0;
    };

    // Pixels of wheel movement that make one click of a scroll button.
    static constexpr double scrollStep = 50;
    static constexpr int maxClicksPerEvent = 20;

    // Null with *error when the X server lacks XTEST.
    static std::unique_ptr<InputInjector> create(XConnection &x,
                                                 int videoWidth,
                                                 int videoHeight,
                                                 std::string *error);

    // Injects one event of a viewer; returns why nothing was injected, or
    // an empty string.
    std::string inject(const NavigationEvent &event, Held &held);

    // Releases every key and button held.
    void release(Held &held);

    // Keeps the keymap copy current (MappingNotify).
    void keymapChanged() { keyboard_.reload(); }

private:
    InputInjector(XConnection &x, int videoWidth, int videoHeight);

    std::string moveTo(const NavigationEvent &event);
    std::string button(const NavigationEvent &event, Held &held);
    std::string scroll(const NavigationEvent &event, Held &held);
    std::string key(const NavigationEvent &event, Held &held);
    std::string pressKey(const std::string &name, Held &held);
    std::string releaseKey(const std::string &name, Held &held);
    std::string touch(const NavigationEvent &event, Held &held);
    void clickScroll(unsigned up, unsigned down, double *pending, double delta);
    void pressButton(unsigned button, bool down);
    bool shiftDown() const;

    XConnection &x_;
    Keyboard keyboard_;
    int screenWidth_;
    int screenHeight_;
    int videoWidth_;
    int videoHeight_;
};

} // namespace vmrtc
