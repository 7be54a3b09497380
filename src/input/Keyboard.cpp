// Keyboard: keysym to keycode, with spare keycodes for missing keysyms.
#include "input/Keyboard.hpp"

#include <X11/Xlib.h>
#include <X11/Xutil.h>

#include <algorithm>

namespace vmrtc {

namespace {

// Keysyms below the function-key block, and Unicode keysyms, stand for
// characters; the rest (modifiers, arrows, F-keys, keypad, ISO keys) are
// pressed as they are, whatever Shift does to them.
bool isCharacter(KeySym keysym)
{
    return keysym < 0xfe00 || keysym >= 0x01000000;
}

} // namespace

Keyboard::Keyboard(Display *display) : display_(display)
{
    XDisplayKeycodes(display_, &minCode_, &maxCode_);
    reload();
    for (int code = minCode_; code <= maxCode_; code++) {
        bool empty = true;
        for (int column = 0; column < perCode_; column++)
            empty = empty && symAt(code, column) == NoSymbol;
        if (empty)
            spares_.push_back(static_cast<unsigned>(code));
    }
}

Keyboard::~Keyboard()
{
    KeySym none[2] = {NoSymbol, NoSymbol};
    for (const auto &[keysym, code] : bound_)
        XChangeKeyboardMapping(display_, static_cast<int>(code), 2, none, 1);
    XFlush(display_);
}

void Keyboard::reload()
{
    int count = maxCode_ - minCode_ + 1;
    KeySym *syms = XGetKeyboardMapping(display_, static_cast<KeyCode>(minCode_),
                                       count, &perCode_);
    map_.assign(syms, syms + count * perCode_);
    XFree(syms);
}

unsigned long Keyboard::symAt(unsigned code, int column) const
{
    if (column >= perCode_ || code < unsigned(minCode_) ||
        code > unsigned(maxCode_))
        return NoSymbol;
    return map_[(code - minCode_) * perCode_ + column];
}

// What the core protocol's rules make a keycode type: the second column
// with Shift, the first without; a lone letter gets its upper case.
unsigned long Keyboard::typed(unsigned code, bool shiftDown) const
{
    KeySym plain = symAt(code, 0);
    KeySym shifted = symAt(code, 1);
    if (!shiftDown)
        return plain;
    if (shifted != NoSymbol)
        return shifted;

    KeySym lower = NoSymbol, upper = NoSymbol;
    XConvertCase(plain, &lower, &upper);
    return upper;
}

unsigned Keyboard::findInKeymap(unsigned long keysym, bool shiftDown) const
{
    for (int code = minCode_; code <= maxCode_; code++) {
        auto c = static_cast<unsigned>(code);
        if (!isCharacter(keysym) && symAt(c, 0) == keysym)
            return c;
        if (isCharacter(keysym) && typed(c, shiftDown) == keysym)
            return c;
    }
    return 0;
}

unsigned Keyboard::findBound(unsigned long keysym)
{
    auto it = std::find_if(bound_.begin(), bound_.end(),
                           [&](const auto &b) { return b.first == keysym; });
    if (it == bound_.end())
        return 0;

    auto binding = *it; // most recently used goes last
    bound_.erase(it);
    bound_.push_back(binding);
    return binding.second;
}

unsigned Keyboard::keycodeFor(unsigned long keysym, bool shiftDown)
{
    if (keysym == NoSymbol)
        return 0;
    if (unsigned code = findBound(keysym))
        return code;
    if (unsigned code = findInKeymap(keysym, shiftDown))
        return code;
    return bindSpare(keysym);
}

std::vector<unsigned> Keyboard::keycodesTyping(unsigned long keysym) const
{
    std::vector<unsigned> codes;
    for (int code = minCode_; code <= maxCode_; code++) {
        auto c = static_cast<unsigned>(code);
        if (symAt(c, 0) == keysym || typed(c, true) == keysym)
            codes.push_back(c);
    }
    return codes;
}

unsigned Keyboard::bindSpare(unsigned long keysym)
{
    if (spares_.empty())
        return 0;

    unsigned code = 0;
    if (bound_.size() < spares_.size()) {
        code = spares_[bound_.size()];
    } else {
        code = bound_.front().second;
        bound_.pop_front();
    }

    KeySym both[2] = {keysym, keysym};
    XChangeKeyboardMapping(display_, static_cast<int>(code), 2, both, 1);
    setRow(code, keysym);
    bound_.emplace_back(keysym, code);
    return code;
}

void Keyboard::setRow(unsigned code, unsigned long keysym)
{
    auto row = map_.begin() + (code - minCode_) * perCode_;
    std::fill(row, row + perCode_, NoSymbol);
    row[0] = keysym;
    if (perCode_ > 1)
        row[1] = keysym;
}

} // namespace vmrtc
