// x-input-recorder: an X client that covers the screen and reports, one JSON
// object per line on stdout, every pointer and key event it receives, so
// tests can see what input really reaches an application on their Xvfb. On
// stdin it answers commands that read the X clipboard ("selection NAME
// TARGET") and the server's pointer and keyboard state ("pointer", "keys"),
// and takes the clipboard with text as an application copying it would
// ("copy TEXT").
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

const char *parseDisplay(int argc, char **argv)
{
    const char *display = nullptr;
    for (int i = 1; i < argc; i++) {
        if (!std::strcmp(argv[i], "--display") && i + 1 < argc) {
            display = argv[++i];
        } else {
            std::fprintf(stderr, "usage: x-input-recorder [--display D]\n");
            std::exit(64);
        }
    }
    return display;
}

std::string quote(std::string_view text)
{
    std::string out = "\"";
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20 || byte == 0x7f) {
            char escape[8];
            std::snprintf(escape, sizeof(escape), "\\u%04x", byte);
            out += escape;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

// One output line. Tests read stdout through a pipe, so each line is
// flushed at once rather than when a stdio buffer happens to fill.
class JsonLine {
public:
    explicit JsonLine(std::string_view event)
        : text_("{\"event\":" + quote(event))
    {}

    JsonLine &number(const char *key, unsigned long long value)
    {
        return raw(key, std::to_string(value));
    }

    JsonLine &signedNumber(const char *key, long long value)
    {
        return raw(key, std::to_string(value));
    }

    JsonLine &string(const char *key, std::string_view value)
    {
        return raw(key, quote(value));
    }

    JsonLine &raw(const char *key, const std::string &json)
    {
        text_ += ",";
        text_ += quote(key);
        text_ += ":";
        text_ += json;
        return *this;
    }

    void print()
    {
        text_ += "}\n";
        std::fputs(text_.c_str(), stdout);
        std::fflush(stdout);
    }

private:
    std::string text_;
};

void appendUtf8(std::string &out, unsigned long cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

std::string latin1ToUtf8(std::string_view bytes)
{
    std::string out;
    for (char c : bytes)
        appendUtf8(out, static_cast<unsigned char>(c));
    return out;
}

// The keysym-to-Unicode rule of the X protocol's keysym encoding; returns 0
// for keysyms that stand for no character.
unsigned long keysymCodePoint(KeySym sym)
{
    if ((sym >= 0x20 && sym <= 0x7e) || (sym >= 0xa0 && sym <= 0xff))
        return sym;

    // The legacy currency keysyms (EuroSign and friends) were numbered
    // after their code points.
    if (sym >= 0x20a0 && sym <= 0x20ac)
        return sym;

    if (sym < 0x01000020 || sym > 0x0110ffff)
        return 0;
    unsigned long cp = sym - 0x01000000;
    bool control = cp >= 0x7f && cp < 0xa0;
    bool surrogate = cp >= 0xd800 && cp < 0xe000;
    return control || surrogate ? 0 : cp;
}

// What a client would get from Xutf8LookupString: the keysym's character,
// except that XLookupString's control characters (Return, Tab, Ctrl+letter)
// and its text for keypad keys are kept, since real clients see those too.
std::string keyText(KeySym sym, const char *bytes, int count)
{
    auto first = static_cast<unsigned char>(bytes[0]);
    if (count == 1 && (first < 0x20 || first == 0x7f))
        return std::string(bytes, 1);

    std::string text;
    if (unsigned long cp = keysymCodePoint(sym))
        appendUtf8(text, cp);
    else if (count > 0)
        text = latin1ToUtf8(std::string_view(bytes, count));
    return text;
}

std::string keysymName(KeySym sym)
{
    if (sym == NoSymbol)
        return "NoSymbol";
    if (const char *name = XKeysymToString(sym))
        return name;
    char hex[32];
    std::snprintf(hex, sizeof(hex), "0x%lx", sym);
    return hex;
}

constexpr long eventMask = KeyPressMask | KeyReleaseMask | ButtonPressMask |
                           ButtonReleaseMask | PointerMotionMask |
                           StructureNotifyMask | FocusChangeMask;

struct Recorder {
    Display *dpy = nullptr;
    Window root = 0;
    Window window = 0;
    int width = 0;
    int height = 0;
    Atom property = None;
    std::string input;
    std::string copied; // what "copy" made the CLIPBOARD, served from here
};

void printKey(XKeyEvent &key)
{
    char bytes[64] = {};
    KeySym sym = NoSymbol;
    int count = XLookupString(&key, bytes, sizeof(bytes) - 1, &sym, nullptr);

    JsonLine(key.type == KeyPress ? "key-press" : "key-release")
        .number("keycode", key.keycode)
        .string("keysym", keysymName(sym))
        .string("text", keyText(sym, bytes, count))
        .number("state", key.state)
        .print();
}

void printButton(const XButtonEvent &button)
{
    JsonLine(button.type == ButtonPress ? "button-press" : "button-release")
        .number("button", button.button)
        .signedNumber("x", button.x)
        .signedNumber("y", button.y)
        .number("state", button.state)
        .print();
}

void printMotion(const XMotionEvent &motion)
{
    JsonLine("motion")
        .signedNumber("x", motion.x)
        .signedNumber("y", motion.y)
        .number("state", motion.state)
        .print();
}

// As an X client that copied text does: TARGETS and UTF8_STRING.
void serveCopied(Recorder &r, const XSelectionRequestEvent &request)
{
    Atom utf8 = XInternAtom(r.dpy, "UTF8_STRING", False);
    Atom targets = XInternAtom(r.dpy, "TARGETS", False);
    XEvent reply{};
    reply.xselection.type = SelectionNotify;
    reply.xselection.requestor = request.requestor;
    reply.xselection.selection = request.selection;
    reply.xselection.target = request.target;
    reply.xselection.time = request.time;
    reply.xselection.property = request.property;

    if (request.target == targets) {
        Atom offered[] = {targets, utf8};
        XChangeProperty(r.dpy, request.requestor, request.property, XA_ATOM,
                        32, PropModeReplace,
                        reinterpret_cast<unsigned char *>(offered), 2);
    } else if (request.target == utf8) {
        XChangeProperty(r.dpy, request.requestor, request.property, utf8, 8,
                        PropModeReplace,
                        reinterpret_cast<const unsigned char *>(r.copied.data()),
                        static_cast<int>(r.copied.size()));
    } else {
        reply.xselection.property = None;
    }
    XSendEvent(r.dpy, request.requestor, False, 0, &reply);
    XFlush(r.dpy);
}

void handleEvent(Recorder &r, XEvent &event)
{
    switch (event.type) {
    case SelectionRequest:
        serveCopied(r, event.xselectionrequest);
        break;
    case KeyPress:
    case KeyRelease:
        printKey(event.xkey);
        break;
    case ButtonPress:
    case ButtonRelease:
        printButton(event.xbutton);
        break;
    case MotionNotify:
        printMotion(event.xmotion);
        break;
    case MappingNotify:
        // Key events queued after this one must be looked up in the new
        // keymap, or rebound spare keycodes would read as the old keysyms.
        XRefreshKeyboardMapping(&event.xmapping);
        JsonLine("mapping").print();
        break;
    default:
        break;
    }
}

void drainEvents(Recorder &r)
{
    while (XPending(r.dpy)) {
        XEvent event;
        XNextEvent(r.dpy, &event);
        handleEvent(r, event);
    }
}

void takeFocus(Recorder &r)
{
    XSetInputFocus(r.dpy, r.window, RevertToParent, CurrentTime);
    XSync(r.dpy, False);
}

void createWindow(Recorder &r)
{
    int screen = DefaultScreen(r.dpy);
    r.root = RootWindow(r.dpy, screen);
    r.width = DisplayWidth(r.dpy, screen);
    r.height = DisplayHeight(r.dpy, screen);
    r.property = XInternAtom(r.dpy, "X_INPUT_RECORDER_SELECTION", False);

    // Override-redirect keeps the window at 0,0 with no window manager, so
    // window coordinates are screen coordinates.
    XSetWindowAttributes attrs{};
    attrs.override_redirect = True;
    attrs.background_pixel = WhitePixel(r.dpy, screen);
    r.window = XCreateWindow(r.dpy, r.root, 0, 0, r.width, r.height, 0,
                             CopyFromParent, InputOutput, CopyFromParent,
                             CWOverrideRedirect | CWBackPixel, &attrs);
    XSelectInput(r.dpy, r.window, eventMask);
    XMapRaised(r.dpy, r.window);

    // Focus can only go to a viewable window.
    XEvent event;
    do
        XWindowEvent(r.dpy, r.window, StructureNotifyMask, &event);
    while (event.type != MapNotify);
    takeFocus(r);
}

// Xlib loads the keymap, and starts following its changes, at the first
// key lookup. A keycode the server rebinds before that is never seen
// changed, so the recorder loads it at start, as toolkits do.
void loadKeymap(Recorder &r)
{
    int minCode = 0, maxCode = 0;
    XDisplayKeycodes(r.dpy, &minCode, &maxCode);
    XKeyEvent probe{};
    probe.type = KeyPress;
    probe.display = r.dpy;
    probe.window = r.window;
    probe.keycode = static_cast<unsigned>(minCode);
    char bytes[8];
    KeySym sym = NoSymbol;
    XLookupString(&probe, bytes, sizeof(bytes), &sym, nullptr);
    XSync(r.dpy, False);
}

int millisecondsUntil(std::chrono::steady_clock::time_point deadline)
{
    using namespace std::chrono;
    auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

using Deadline = std::chrono::steady_clock::time_point;

Deadline twoSecondsFromNow()
{
    return std::chrono::steady_clock::now() + std::chrono::seconds(2);
}

// Input keeps being reported while the owner answers, so a test that types
// and pastes at once still sees every event in order.
template <typename Match>
bool waitForEvent(Recorder &r, Deadline deadline, Match match, XEvent &found)
{
    for (;;) {
        while (XPending(r.dpy)) {
            XNextEvent(r.dpy, &found);
            if (match(found))
                return true;
            handleEvent(r, found);
        }

        int timeout = millisecondsUntil(deadline);
        if (timeout == 0)
            return false;
        pollfd fd{ConnectionNumber(r.dpy), POLLIN, 0};
        poll(&fd, 1, timeout);
    }
}

struct Property {
    Atom type = None;
    int format = 0;
    std::string bytes;
    std::vector<unsigned long> items;
};

// Xlib hands 16- and 32-bit items back as arrays of short and long.
void appendItems(Property &p, const unsigned char *data, unsigned long count)
{
    if (p.format == 8) {
        p.bytes.append(reinterpret_cast<const char *>(data), count);
    } else if (p.format == 16) {
        auto shorts = reinterpret_cast<const unsigned short *>(data);
        p.items.insert(p.items.end(), shorts, shorts + count);
    } else if (p.format == 32) {
        auto longs = reinterpret_cast<const unsigned long *>(data);
        p.items.insert(p.items.end(), longs, longs + count);
    }
}

// Reads in chunks so that multi-megabyte values need no single huge reply.
Property readProperty(Recorder &r)
{
    constexpr long chunk = 256 * 1024;
    Property p;
    long offset = 0;
    for (;;) {
        unsigned long count = 0, after = 0;
        unsigned char *data = nullptr;
        int status = XGetWindowProperty(r.dpy, r.window, r.property, offset,
                                        chunk, False, AnyPropertyType, &p.type,
                                        &p.format, &count, &after, &data);
        if (status != Success)
            p.type = None;
        if (data) {
            appendItems(p, data, count);
            XFree(data);
        }
        if (p.type == None || after == 0)
            break;
        offset += static_cast<long>(count) * p.format / 32;
    }

    XDeleteProperty(r.dpy, r.window, r.property);
    return p;
}

std::string atomList(Display *dpy, const std::vector<unsigned long> &items)
{
    std::string json = "[";
    for (unsigned long atom : items) {
        char *name = XGetAtomName(dpy, atom);
        if (json.size() > 1)
            json += ",";
        json += quote(name ? name : "");
        if (name)
            XFree(name);
    }
    return json + "]";
}

// Owners switch to INCR for large values (xclip already does at a few
// hundred KiB), so chunks are collected until the empty one that ends it.
bool readIncr(Recorder &r, Property &total)
{
    auto newChunk = [&r](const XEvent &e) {
        return e.type == PropertyNotify && e.xproperty.window == r.window &&
               e.xproperty.atom == r.property &&
               e.xproperty.state == PropertyNewValue;
    };
    total = Property{};
    for (;;) {
        XEvent event;
        if (!waitForEvent(r, twoSecondsFromNow(), newChunk, event))
            return false;
        Property chunk = readProperty(r);
        if (chunk.bytes.empty() && chunk.items.empty())
            return true;
        total.type = chunk.type;
        total.format = chunk.format;
        total.bytes += chunk.bytes;
        total.items.insert(total.items.end(), chunk.items.begin(),
                           chunk.items.end());
    }
}

void printProperty(Recorder &r, JsonLine &line, const Property &p,
                   const std::string &target)
{
    if (p.type == None)
        line.string("error", "refused");
    else if (target == "TARGETS")
        line.raw("targets", atomList(r.dpy, p.items));
    else if (target == "STRING")
        line.string("text", latin1ToUtf8(p.bytes));
    else
        line.string("text", p.bytes);
    line.print();
}

// Returns the error to report, or nullptr once p holds the value.
const char *receiveSelection(Recorder &r, Atom selection, Atom target,
                             Property &p)
{
    auto reply = [&r, selection, target](const XEvent &e) {
        const XSelectionEvent &s = e.xselection;
        return e.type == SelectionNotify && s.requestor == r.window &&
               s.selection == selection && s.target == target;
    };
    XEvent event;
    if (!waitForEvent(r, twoSecondsFromNow(), reply, event))
        return "timeout";
    if (event.xselection.property == None)
        return "refused";

    p = readProperty(r);
    if (p.type == XInternAtom(r.dpy, "INCR", False) && !readIncr(r, p))
        return "timeout";
    return nullptr;
}

void handleSelection(Recorder &r, const std::string &name,
                     const std::string &target)
{
    Atom selection = XInternAtom(r.dpy, name.c_str(), False);
    Atom targetAtom = XInternAtom(r.dpy, target.c_str(), False);

    // INCR chunks are announced by PropertyNotify, which must be selected
    // before the owner can see the property deleted.
    XSelectInput(r.dpy, r.window, eventMask | PropertyChangeMask);
    XDeleteProperty(r.dpy, r.window, r.property);
    XConvertSelection(r.dpy, selection, targetAtom, r.property, r.window,
                      CurrentTime);
    Property p;
    const char *error = receiveSelection(r, selection, targetAtom, p);
    XSelectInput(r.dpy, r.window, eventMask);

    JsonLine line("selection");
    line.string("selection", name).string("target", target);
    if (error)
        line.string("error", error).print();
    else
        printProperty(r, line, p, target);
}

void handlePointer(Recorder &r)
{
    Window root = 0, child = 0;
    int rootX = 0, rootY = 0, x = 0, y = 0;
    unsigned int mask = 0;
    XQueryPointer(r.dpy, r.root, &root, &child, &rootX, &rootY, &x, &y, &mask);
    JsonLine("pointer")
        .signedNumber("x", rootX)
        .signedNumber("y", rootY)
        .number("mask", mask)
        .print();
}

void handleKeys(Recorder &r)
{
    char keys[32] = {};
    XQueryKeymap(r.dpy, keys);

    std::string down = "[";
    for (int keycode = 0; keycode < 256; keycode++) {
        if (!(keys[keycode / 8] & (1 << (keycode % 8))))
            continue;
        if (down.size() > 1)
            down += ",";
        down += std::to_string(keycode);
    }
    JsonLine("keys").raw("down", down + "]").print();
}

// Takes the CLIPBOARD with text, as "copy" in an X application does.
void handleCopy(Recorder &r, const std::string &text)
{
    r.copied = text;
    Atom clipboard = XInternAtom(r.dpy, "CLIPBOARD", False);
    XSetSelectionOwner(r.dpy, clipboard, r.window, CurrentTime);
    bool owner = XGetSelectionOwner(r.dpy, clipboard) == r.window;
    JsonLine("copy").raw("owner", owner ? "true" : "false").print();
}

void handleCommand(Recorder &r, const std::string &line)
{
    std::istringstream words(line);
    std::string command, first, second, extra;
    words >> command >> first >> second >> extra;
    if (command.empty())
        return;

    if (command == "copy" && !first.empty())
        handleCopy(r, line.substr(line.find(' ') + 1));
    else if (command == "selection" && !second.empty() && extra.empty())
        handleSelection(r, first, second);
    else if (command == "pointer" && first.empty())
        handlePointer(r);
    else if (command == "keys" && first.empty())
        handleKeys(r);
    else if (command == "focus" && first.empty()) {
        takeFocus(r);
        JsonLine("focus").print();
    } else {
        JsonLine("error").string("message", "unknown command " + line).print();
    }
}

// Returns false once stdin has ended; any unterminated last line still
// counts as a command.
bool readCommands(Recorder &r)
{
    char buffer[4096];
    ssize_t n = read(STDIN_FILENO, buffer, sizeof(buffer));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (n > 0)
        r.input.append(buffer, static_cast<size_t>(n));
    else if (!r.input.empty())
        r.input += '\n';

    size_t end;
    while ((end = r.input.find('\n')) != std::string::npos) {
        std::string line = r.input.substr(0, end);
        r.input.erase(0, end + 1);
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        handleCommand(r, line);
    }
    return n > 0;
}

int run(Recorder &r)
{
    for (;;) {
        drainEvents(r);

        pollfd fds[2] = {{ConnectionNumber(r.dpy), POLLIN, 0},
                         {STDIN_FILENO, POLLIN, 0}};
        poll(fds, 2, -1);
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            if (!readCommands(r))
                return 0;
        }
        if (fds[0].revents & (POLLERR | POLLHUP)) {
            std::fprintf(stderr, "x-input-recorder: lost the display\n");
            return 1;
        }
    }
}

} // namespace

int main(int argc, char **argv)
{
    const char *display = parseDisplay(argc, argv);
    Recorder r;
    r.dpy = XOpenDisplay(display);
    if (!r.dpy) {
        std::fprintf(stderr, "x-input-recorder: cannot open display %s\n",
                     XDisplayName(display));
        return 1;
    }

    createWindow(r);
    loadKeymap(r);
    JsonLine("ready")
        .signedNumber("width", r.width)
        .signedNumber("height", r.height)
        .number("window", r.window)
        .print();
    int status = run(r);

    // Closing a display that went away would only end in Xlib's error.
    if (status == 0)
        XCloseDisplay(r.dpy);
    return status;
}
