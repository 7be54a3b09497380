// x-painter: an X client that fills the screen with a colour and, with
// --moving, bounces a square across it: known content for tests, demos
// and benchmarks. A line "RRGGBB" on stdin changes the colour.
#include <X11/Xlib.h>
#include <X11/Xutil.h>

#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

struct Options {
    const char *display = nullptr;
    unsigned long colour = 0x204080;
    bool moving = false;
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
            o.moving = true;
        else {
            std::fprintf(stderr, "usage: x-painter [--display D] "
                                 "[--colour RRGGBB] [--moving]\n");
            std::exit(64);
        }
    }
    return o;
}

struct Painter {
    Display *dpy;
    Window window;
    GC gc;
    int width;
    int height;
    unsigned long colour;
    int x = 0, y = 0, dx = 7, dy = 5;
    static constexpr int size = 80;

    void fill()
    {
        XSetForeground(dpy, gc, colour);
        XFillRectangle(dpy, window, gc, 0, 0, width, height);
    }

    void step()
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

    XSetWindowAttributes attrs{};
    attrs.override_redirect = True;
    p.window = XCreateWindow(dpy, RootWindow(dpy, screen), 0, 0, p.width,
                             p.height, 0, CopyFromParent, InputOutput,
                             CopyFromParent, CWOverrideRedirect, &attrs);
    XSelectInput(dpy, p.window, ExposureMask);
    XMapRaised(dpy, p.window);
    p.gc = XCreateGC(dpy, p.window, 0, nullptr);

    bool stdinOpen = true;
    for (;;) {
        while (XPending(dpy)) {
            XEvent event;
            XNextEvent(dpy, &event);
            if (event.type == Expose)
                p.fill();
        }
        if (o.moving)
            p.step();
        XFlush(dpy);

        pollfd fds[2] = {{ConnectionNumber(dpy), POLLIN, 0},
                         {STDIN_FILENO, POLLIN, 0}};
        int n = poll(fds, stdinOpen ? 2 : 1, o.moving ? 33 : -1);
        if (n > 0 && stdinOpen && (fds[1].revents & (POLLIN | POLLHUP)))
            stdinOpen = readColour(p);
        if (fds[0].revents & (POLLERR | POLLHUP))
            return 69;
    }
}
