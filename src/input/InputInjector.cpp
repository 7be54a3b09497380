// InputInjector: navigation events to XTest requests.
#include "input/InputInjector.hpp"

#include "input/XConnection.hpp"

#include <X11/Xlib.h>
#include <X11/extensions/XTest.h>

#include <algorithm>
#include <cmath>

namespace vmrtc {

namespace {

// Browsers number the buttons left, middle, right, back, forward; X has
// back and forward at 8 and 9, after the four scroll buttons.
constexpr unsigned xButtons[] = {1, 2, 3, 8, 9};

constexpr unsigned scrollUp = 4, scrollDown = 5;
constexpr unsigned scrollLeft = 6, scrollRight = 7;

std::string outside(double x, double y, int width, int height)
{
    return "position " + std::to_string(x) + "," + std::to_string(y) +
           " is outside the " + std::to_string(width) + "x" +
           std::to_string(height) + " video";
}

int toScreen(double at, int video, int screen)
{
    long pixel = std::lround(at * screen / video);
    return static_cast<int>(std::clamp(pixel, 0L, long(screen - 1)));
}

} // namespace

InputInjector::InputInjector(XConnection &x, int videoWidth, int videoHeight)
    : x_(x), keyboard_(x.display()),
      screenWidth_(DisplayWidth(x.display(), DefaultScreen(x.display()))),
      screenHeight_(DisplayHeight(x.display(), DefaultScreen(x.display()))),
      videoWidth_(videoWidth > 0 ? videoWidth : screenWidth_),
      videoHeight_(videoHeight > 0 ? videoHeight : screenHeight_)
{}

std::unique_ptr<InputInjector> InputInjector::create(XConnection &x,
                                                     int videoWidth,
                                                     int videoHeight,
                                                     std::string *error)
{
    int event = 0, firstError = 0, major = 0, minor = 0;
    if (!XTestQueryExtension(x.display(), &event, &firstError, &major,
                             &minor)) {
        *error = "the X server has no XTEST extension";
        return nullptr;
    }
    return std::unique_ptr<InputInjector>(
        new InputInjector(x, videoWidth, videoHeight));
}

std::string InputInjector::inject(const NavigationEvent &event, Held &held)
{
    std::string error;
    switch (event.kind) {
    case NavigationKind::MouseMove:
        error = moveTo(event);
        break;
    case NavigationKind::MouseButtonPress:
    case NavigationKind::MouseButtonRelease:
        error = button(event, held);
        break;
    case NavigationKind::MouseScroll:
        error = scroll(event, held);
        break;
    case NavigationKind::KeyDown:
    case NavigationKind::KeyUp:
        error = key(event, held);
        break;
    default:
        error = touch(event, held);
    }
    XFlush(x_.display());
    return error;
}

void InputInjector::release(Held &held)
{
    for (const auto &[name, code] : held.keys)
        XTestFakeKeyEvent(x_.display(), code, False, CurrentTime);
    for (unsigned b : held.buttons)
        pressButton(b, false);
    held = Held{};
    XFlush(x_.display());
}

std::string InputInjector::moveTo(const NavigationEvent &event)
{
    if (event.x < 0 || event.y < 0 || event.x > videoWidth_ ||
        event.y > videoHeight_)
        return outside(event.x, event.y, videoWidth_, videoHeight_);

    XTestFakeMotionEvent(x_.display(), -1,
                         toScreen(event.x, videoWidth_, screenWidth_),
                         toScreen(event.y, videoHeight_, screenHeight_),
                         CurrentTime);
    return {};
}

std::string InputInjector::button(const NavigationEvent &event, Held &held)
{
    if (std::string error = moveTo(event); !error.empty())
        return error;

    unsigned b = xButtons[event.button - 1];
    bool down = event.kind == NavigationKind::MouseButtonPress;
    if (!down && !held.buttons.contains(b))
        return {}; // never pressed here: not ours to release
    pressButton(b, down);
    if (down)
        held.buttons.insert(b);
    else
        held.buttons.erase(b);
    return {};
}

void InputInjector::pressButton(unsigned button, bool down)
{
    XTestFakeButtonEvent(x_.display(), button, down ? True : False,
                         CurrentTime);
}

std::string InputInjector::scroll(const NavigationEvent &event, Held &held)
{
    if (std::string error = moveTo(event); !error.empty())
        return error;

    clickScroll(scrollUp, scrollDown, &held.scrollY, event.deltaY);
    clickScroll(scrollLeft, scrollRight, &held.scrollX, event.deltaX);
    return {};
}

// Adds delta to what is pending on one axis and clicks the scroll button
// once for each whole step; a positive delta clicks `up` (or left).
void InputInjector::clickScroll(unsigned up, unsigned down, double *pending,
                                double delta)
{
    *pending += delta;
    long clicks = std::lround(*pending / scrollStep);
    *pending -= static_cast<double>(clicks) * scrollStep;
    if (std::labs(clicks) > maxClicksPerEvent) {
        clicks = clicks > 0 ? maxClicksPerEvent : -maxClicksPerEvent;
        *pending = 0;
    }

    unsigned b = clicks > 0 ? up : down;
    for (long i = 0; i < std::labs(clicks); i++) {
        pressButton(b, true);
        pressButton(b, false);
    }
}

std::string InputInjector::key(const NavigationEvent &event, Held &held)
{
    if (event.kind == NavigationKind::KeyDown)
        return pressKey(event.key, held);
    return releaseKey(event.key, held);
}

std::string InputInjector::pressKey(const std::string &name, Held &held)
{
    KeySym keysym = XStringToKeysym(name.c_str());
    if (keysym == NoSymbol)
        return "unknown keysym name";

    // A repeated press (the browser's auto-repeat) presses the same key.
    auto heldKey = held.keys.find(name);
    unsigned code = heldKey != held.keys.end()
                        ? heldKey->second
                        : keyboard_.keycodeFor(keysym, shiftDown());
    if (code == 0)
        return "no keycode can type this keysym";

    XTestFakeKeyEvent(x_.display(), code, True, CurrentTime);
    held.keys[name] = code;
    return {};
}

// A release names the key as the browser sees it then: Shift released
// before "H" makes it "h". Whichever keycode types it and was pressed here
// is released; nothing else is.
std::string InputInjector::releaseKey(const std::string &name, Held &held)
{
    KeySym keysym = XStringToKeysym(name.c_str());
    if (keysym == NoSymbol)
        return "unknown keysym name";

    auto it = held.keys.find(name);
    if (it == held.keys.end()) {
        std::vector<unsigned> codes = keyboard_.keycodesTyping(keysym);
        it = std::find_if(held.keys.begin(), held.keys.end(), [&](auto &k) {
            return std::ranges::find(codes, k.second) != codes.end();
        });
    }
    if (it == held.keys.end())
        return {};

    XTestFakeKeyEvent(x_.display(), it->second, False, CurrentTime);
    held.keys.erase(it);
    return {};
}

bool InputInjector::shiftDown() const
{
    Window root, child;
    int rootX, rootY, x, y;
    unsigned mask = 0;
    XQueryPointer(x_.display(), DefaultRootWindow(x_.display()), &root, &child,
                  &rootX, &rootY, &x, &y, &mask);
    return (mask & ShiftMask) != 0;
}

// The first touch point drives the pointer as button 1; other fingers
// are ignored.
std::string InputInjector::touch(const NavigationEvent &event, Held &held)
{
    bool first = !held.touch && event.kind == NavigationKind::TouchDown;
    bool driving = held.touch == event.touchId;
    if (event.kind == NavigationKind::TouchFrame || (!first && !driving))
        return {};

    bool ends = event.kind == NavigationKind::TouchUp ||
                event.kind == NavigationKind::TouchCancel;
    std::string error;
    if (event.kind != NavigationKind::TouchCancel)
        error = moveTo(event);
    if (!error.empty() && !ends)
        return error;

    if (first) {
        held.touch = event.touchId;
        pressButton(1, true);
        held.buttons.insert(1);
    } else if (ends) {
        held.touch.reset();
        pressButton(1, false);
        held.buttons.erase(1);
    }
    return error;
}

} // namespace vmrtc
