// Psnr: mean squared error of luma, as 10 log10(255² / MSE).
#include "Psnr.hpp"

#include <cmath>

namespace vmrtc::bench {

namespace {

double luma(double r, double g, double b)
{
    return 0.299 * r + 0.587 * g + 0.114 * b;
}

} // namespace

std::optional<double> lumaPsnr(const std::vector<guint8> &decoded,
                               const std::vector<unsigned long> &screen,
                               int width, int height)
{
    size_t pixels = static_cast<size_t>(width) * height;
    if (width <= 0 || height <= 0 || screen.size() != pixels ||
        decoded.size() < pixels * 4)
        return std::nullopt;

    double sum = 0;
    for (size_t i = 0; i < pixels; i++) {
        const guint8 *d = &decoded[i * 4];
        unsigned long s = screen[i];
        double error = luma(d[0], d[1], d[2]) -
                       luma((s >> 16) & 0xff, (s >> 8) & 0xff, s & 0xff);
        sum += error * error;
    }
    double mse = sum / static_cast<double>(pixels);
    if (mse <= 0)
        return 99.0;
    return 10.0 * std::log10(255.0 * 255.0 / mse);
}

} // namespace vmrtc::bench
