// A full-screen window of the benchmark's own on an X display, filled with
// lines of text in X core fonts: the settled screen whose decoded picture
// the benchmark compares with what X holds.
#pragma once

#include <X11/Xlib.h>

#include <string>
#include <vector>

namespace vmrtc::bench {

class TextScreen {
public:
    explicit TextScreen(const std::string &display);
    ~TextScreen();

    TextScreen(const TextScreen &) = delete;
    TextScreen &operator=(const TextScreen &) = delete;

    // Draws page `page` (each page's text differs) and waits until the X
    // server has done it.
    void draw(int page);

    // Fills the screen with one colour, 0xRRGGBB, and waits likewise.
    void fill(unsigned long rgb);

    // The screen as X holds it: width * height pixels of 0xRRGGBB.
    std::vector<unsigned long> grab() const;

    // False when the display has no core font: the pages are then rows of
    // glyph-like blocks instead.
    bool hasFont() const { return font_ != nullptr; }

private:
    void drawBlocks(int page);

    Display *dpy_ = nullptr;
    Window window_ = 0;
    GC gc_ = nullptr;
    XFontStruct *font_ = nullptr;
    int width_ = 0;
    int height_ = 0;
};

} // namespace vmrtc::bench
