// TextScreen: an override-redirect window of text over the whole screen.
#include "TextScreen.hpp"

#include <X11/Xutil.h>

#include <stdexcept>

namespace vmrtc::bench {

namespace {

// Words of varied length, so lines look like prose and code.
const char *const words[] = {
    "the",    "server", "captures", "display", "frame",  "VP8",
    "encode", "x",      "if",       "return",  "{",      "};",
    "int",    "width",  "height",   "=",       "0x1f",   "session",
    "viewer", "ICE",    "candidate", "offer",  "answer", "12345",
};
constexpr int wordCount = sizeof(words) / sizeof(words[0]);

} // namespace

TextScreen::TextScreen(const std::string &display)
{
    dpy_ = XOpenDisplay(display.c_str());
    if (!dpy_)
        throw std::runtime_error("TextScreen: cannot open " + display);
    int screen = DefaultScreen(dpy_);
    width_ = DisplayWidth(dpy_, screen);
    height_ = DisplayHeight(dpy_, screen);

    XSetWindowAttributes attrs{};
    attrs.override_redirect = True;
    window_ = XCreateWindow(dpy_, RootWindow(dpy_, screen), 0, 0, width_,
                            height_, 0, CopyFromParent, InputOutput,
                            CopyFromParent, CWOverrideRedirect, &attrs);
    XMapRaised(dpy_, window_);
    gc_ = XCreateGC(dpy_, window_, 0, nullptr);
    font_ = XLoadQueryFont(dpy_, "fixed");
    if (font_)
        XSetFont(dpy_, gc_, font_->fid);
    XSync(dpy_, False);
}

TextScreen::~TextScreen()
{
    if (font_)
        XFreeFont(dpy_, font_);
    XFreeGC(dpy_, gc_);
    XDestroyWindow(dpy_, window_);
    XCloseDisplay(dpy_);
}

void TextScreen::draw(int page)
{
    XSetForeground(dpy_, gc_, 0xffffff);
    XFillRectangle(dpy_, window_, gc_, 0, 0, width_, height_);
    XSetForeground(dpy_, gc_, 0x101010);
    if (!font_) {
        drawBlocks(page);
        XSync(dpy_, False);
        return;
    }

    int lineHeight = font_->ascent + font_->descent + 1;
    unsigned seed = static_cast<unsigned>(page) * 7919u + 17u;
    for (int y = lineHeight; y < height_; y += lineHeight) {
        std::string line;
        int indent = static_cast<int>(seed % 4) * 2;
        line.append(static_cast<size_t>(indent), ' ');
        while (XTextWidth(font_, line.c_str(), static_cast<int>(line.size())) <
               width_ - 60) {
            seed = seed * 1103515245u + 12345u;
            line += words[(seed >> 16) % wordCount];
            line += ' ';
        }
        XDrawString(dpy_, window_, gc_, 4, y, line.c_str(),
                    static_cast<int>(line.size()));
    }
    XSync(dpy_, False);
}

// Glyph-sized marks, 6x13 cells like the "fixed" font's, in a pattern
// that differs per page.
void TextScreen::drawBlocks(int page)
{
    unsigned seed = static_cast<unsigned>(page) * 7919u + 17u;
    for (int y = 2; y + 13 < height_; y += 14) {
        for (int x = 4; x + 6 < width_; x += 6) {
            seed = seed * 1103515245u + 12345u;
            unsigned bits = seed >> 8;
            for (int dot = 0; dot < 8; dot++) {
                if (bits & (1u << dot))
                    XFillRectangle(dpy_, window_, gc_, x + dot % 2 * 2,
                                   y + dot / 2 * 3, 2, 3);
            }
        }
    }
}

void TextScreen::fill(unsigned long rgb)
{
    XSetForeground(dpy_, gc_, rgb);
    XFillRectangle(dpy_, window_, gc_, 0, 0, width_, height_);
    XSync(dpy_, False);
}

std::vector<unsigned long> TextScreen::grab() const
{
    XImage *image = XGetImage(dpy_, RootWindow(dpy_, DefaultScreen(dpy_)), 0,
                              0, width_, height_, AllPlanes, ZPixmap);
    std::vector<unsigned long> pixels;
    if (!image)
        return pixels;
    pixels.reserve(static_cast<size_t>(width_) * height_);
    for (int y = 0; y < height_; y++) {
        for (int x = 0; x < width_; x++)
            pixels.push_back(XGetPixel(image, x, y) & 0xffffff);
    }
    XDestroyImage(image);
    return pixels;
}

} // namespace vmrtc::bench
