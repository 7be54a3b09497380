// Which keycode types a keysym, binding spare keycodes for the ones the
// VM's keymap lacks.
#pragma once

#include <deque>
#include <utility>
#include <vector>

struct _XDisplay;

namespace vmrtc {

// A copy of the X keymap and the spare keycodes (those with no keysym at
// all) found when it was first read. A character the keymap lacks (é, €,
// any character of a password) is bound to a spare keycode on both shift
// levels, so it types the same whatever modifiers the viewer holds; a
// binding is kept and reused, the oldest given up when every spare is
// taken, and all are undone by the destructor. Main thread only; works on
// the injector's connection, which outlives it.
class Keyboard {
public:
    explicit Keyboard(_XDisplay *display);
    ~Keyboard();

    Keyboard(const Keyboard &) = delete;
    Keyboard &operator=(const Keyboard &) = delete;

    // The keycode to press so that keysym is typed while Shift is (or is
    // not) down; 0 when none can be found or bound.
    unsigned keycodeFor(unsigned long keysym, bool shiftDown);

    // Every keycode that types keysym on either shift level.
    std::vector<unsigned> keycodesTyping(unsigned long keysym) const;

    // Reads the keymap again, after any client changed it.
    void reload();

private:
    unsigned long symAt(unsigned code, int column) const;
    unsigned long typed(unsigned code, bool shiftDown) const;
    unsigned findInKeymap(unsigned long keysym, bool shiftDown) const;
    unsigned findBound(unsigned long keysym);
    unsigned bindSpare(unsigned long keysym);
    void setRow(unsigned code, unsigned long keysym);

    _XDisplay *display_;
    int minCode_ = 0;
    int maxCode_ = 0;
    int perCode_ = 0;
    std::vector<unsigned long> map_; // perCode_ keysyms for each keycode
    std::vector<unsigned> spares_;
    // FIXME: a binding given up for a new one changes what its keycode
    // types; a client that reads its keymap only after that (as many new
    // characters later as there are spares) sees the new character. Typing
    // that many distinct missing characters at once is not expected.
    std::deque<std::pair<unsigned long, unsigned>> bound_; // oldest first
};

} // namespace vmrtc
