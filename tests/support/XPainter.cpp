// x-painter: an X client that fills the screen with a colour and animates
// known content on it, for tests, demos and benchmarks:
//   --moving  an 80x80 square bounces across it, 30 steps a second
//   --caret   a 20x30 block is shown and hidden, twice a second each
//   --scroll  the whole screen scrolls a pattern, 60 steps a second, so
//             that a 30 fps capture sees a new picture every time
// A line "RRGGBB" on stdin changes the colour (and fills the screen).
#include <X11/Xlib.h>
#include <X11/Xutil.h>

#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

enum class Motion { Still, Moving, Caret, Scroll };

struct Options {
    const char *display = nullptr;
    unsigned long colour = 0x204080;
    Motion motion = Motion::Still;
};

Options parse(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; i++) {
        if (!std::strcmp(argv[i], "--display") && i + 1 < argc)
            o.display = argv[++i];
        else if (!std::strcmp(argv[i], "--colour") && i + 1 < argc)
            o.colour = std::strtoul(argv[++i], nullptr, 16);
        else if (!std::strcmp(argv[i], "--moving"))
            o.motion = Motion::Moving;
        else if (!std::strcmp(argv[i], "--caret"))
            o.motion = Motion::Caret;
        else if (!std::strcmp(argv[i], "--scroll"))
            o.motion = Motion::Scroll;
        else {
            std::fprintf(stderr, "usage: x-painter [--display D] "
                                 "[--colour RRGGBB] "
                                 "[--moving | --caret | --scroll]\n");
            std::exit(64);
        }
    }
    return o;
}

// Milliseconds between two steps of a motion; -1 for none.
int periodMs(Motion motion)
{
    switch (motion) {
    case Motion::Moving:
        return 33;
    case Motion::Caret:
        return 500;
    case Motion::Scroll:
        return 16;
    case Motion::Still:
        break;
    }
    return -1;
}

long long nowMs()
{
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

struct Painter {
    Display *dpy;
    Window window;
    GC gc;
    int width;
    int height;
    unsigned long colour;
    Motion motion = Motion::Still;
    int x = 0, y = 0, dx = 7, dy = 5;
    static constexpr int size = 80;
    bool caretShown = false;
    Pixmap pattern = 0; // twice the screen's height, for --scroll
    int offset = 0;

    void fill()
    {
        XSetForeground(dpy, gc, colour);
        XFillRectangle(dpy, window, gc, 0, 0, width, height);
    }

    void step()
    {
        if (motion == Motion::Moving)
            moveSquare();
        else if (motion == Motion::Caret)
            toggleCaret();
        else if (motion == Motion::Scroll)
            scroll();
    }

    void moveSquare()
    {
        XSetForeground(dpy, gc, colour);
        XFillRectangle(dpy, window, gc, x, y, size, size);
        x += dx;
        y += dy;
        if (x < 0 || x + size > width)
            dx = -dx, x += 2 * dx;
        if (y < 0 || y + size > height)
            dy = -dy, y += 2 * dy;
        XSetForeground(dpy, gc, 0xffffff ^ colour);
        XFillRectangle(dpy, window, gc, x, y, size, size);
    }

    void toggleCaret()
    {
        caretShown = !caretShown;
        XSetForeground(dpy, gc, caretShown ? 0xffffff ^ colour : colour);
        XFillRectangle(dpy, window, gc, 200, 150, 20, 30);
    }

    // Rows of blocks in many colours, repeating every screen height, so
    // that every step moves every pixel.
    void makePattern()
    {
        int depth = DefaultDepth(dpy, DefaultScreen(dpy));
        pattern = XCreatePixmap(dpy, window, width, 2 * height, depth);
        for (int row = 0; row * 24 < height; row++) {
            for (int col = 0; col * 40 < width; col++) {
                unsigned long c = (row * 0x3b1d5u + col * 0x1f3a7u) & 0xffffff;
                XSetForeground(dpy, gc, c);
                for (int copy = 0; copy < 2; copy++)
                    XFillRectangle(dpy, pattern, gc, col * 40,
                                   row * 24 + copy * height, 40, 24);
            }
        }
    }

    void scroll()
    {
        if (!pattern)
            makePattern();
        offset = (offset + 6) % height;
        XCopyArea(dpy, pattern, window, gc, 0, offset, width, height, 0, 0);
    }
};

bool readColour(Painter &p)
{
    char line[64];
    ssize_t n = read(STDIN_FILENO, line, sizeof(line) - 1);
    if (n <= 0)
        return false;
    line[n] = '\0';
    p.colour = std::strtoul(line, nullptr, 16);
    p.fill();
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    Options o = parse(argc, argv);
    Display *dpy = XOpenDisplay(o.display);
    if (!dpy) {
        std::fprintf(stderr, "x-painter: cannot open the display\n");
        return 69;
    }
    int screen = DefaultScreen(dpy);
    Painter p{dpy,
              0,
              nullptr,
              DisplayWidth(dpy, screen),
              DisplayHeight(dpy, screen),
              o.colour};
    p.motion = o.motion;

    XSetWindowAttributes attrs{};
    attrs.override_redirect = True;
    p.window = XCreateWindow(dpy, RootWindow(dpy, screen), 0, 0, p.width,
                             p.height, 0, CopyFromParent, InputOutput,
                             CopyFromParent, CWOverrideRedirect, &attrs);
    XSelectInput(dpy, p.window, ExposureMask);
    XMapRaised(dpy, p.window);
    p.gc = XCreateGC(dpy, p.window, 0, nullptr);

    bool stdinOpen = true;
    const int period = periodMs(o.motion);
    long long next = nowMs();
    for (;;) {
        while (XPending(dpy)) {
            XEvent event;
            XNextEvent(dpy, &event);
            if (event.type == Expose)
                p.fill();
        }
        if (period > 0 && nowMs() >= next) {
            p.step();
            next += period;
            if (next < nowMs()) // fell behind: no burst to catch up
                next = nowMs();
        }
        XFlush(dpy);

        pollfd fds[2] = {{ConnectionNumber(dpy), POLLIN, 0},
                         {STDIN_FILENO, POLLIN, 0}};
        int wait = period > 0 ? static_cast<int>(next - nowMs()) : -1;
        int n = poll(fds, stdinOpen ? 2 : 1, period > 0 && wait < 0 ? 0 : wait);
        if (n > 0 && stdinOpen && (fds[1].revents & (POLLIN | POLLHUP)))
            stdinOpen = readColour(p);
        if (fds[0].revents & (POLLERR | POLLHUP))
            return 69;
    }
}
