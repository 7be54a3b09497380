// Peak signal-to-noise ratio of a decoded frame against the screen.
#pragma once

#include <gst/gst.h>

#include <optional>
#include <vector>

namespace vmrtc::bench {

// On luma (BT.601 weights of R, G, B, full range), in dB: decoded is RGBx
// rows of width * 4 bytes, screen width * height pixels of 0xRRGGBB.
// Empty when the sizes differ; 99 dB when the pictures are equal.
std::optional<double> lumaPsnr(const std::vector<guint8> &decoded,
                               const std::vector<unsigned long> &screen,
                               int width, int height);

} // namespace vmrtc::bench
