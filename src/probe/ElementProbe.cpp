// ElementProbe: look up element factories and name the package to install.
#include "probe/ElementProbe.hpp"

#include "util/GRef.hpp"

#include <gst/gst.h>

#include <array>
#include <utility>

namespace vmrtc {

namespace {

using Shipped = std::pair<std::string_view, std::string_view>;

constexpr std::array<Shipped, 24> packages{{
    {"queue", "libgstreamer1.0-0"},
    {"tee", "libgstreamer1.0-0"},
    {"capsfilter", "libgstreamer1.0-0"},
    {"fakesink", "libgstreamer1.0-0"},
    {"videoconvert", "gstreamer1.0-plugins-base"},
    {"videoscale", "gstreamer1.0-plugins-base"},
    {"videorate", "gstreamer1.0-plugins-base"},
    {"videotestsrc", "gstreamer1.0-plugins-base"},
    {"appsrc", "gstreamer1.0-plugins-base"},
    {"appsink", "gstreamer1.0-plugins-base"},
    {"ximagesrc", "gstreamer1.0-plugins-good"},
    {"vp8enc", "gstreamer1.0-plugins-good"},
    {"vp8dec", "gstreamer1.0-plugins-good"},
    {"rtpvp8pay", "gstreamer1.0-plugins-good"},
    {"rtpvp8depay", "gstreamer1.0-plugins-good"},
    {"rtpbin", "gstreamer1.0-plugins-good"},
    {"rtprtxsend", "gstreamer1.0-plugins-good"},
    {"webrtcbin", "gstreamer1.0-plugins-bad"},
    {"dtlssrtpenc", "gstreamer1.0-plugins-bad"},
    {"dtlssrtpdec", "gstreamer1.0-plugins-bad"},
    {"srtpenc", "gstreamer1.0-plugins-bad"},
    {"srtpdec", "gstreamer1.0-plugins-bad"},
    {"nicesrc", "gstreamer1.0-nice"},
    {"nicesink", "gstreamer1.0-nice"},
}};

constexpr std::array<std::string_view, 9> webrtc{
    "webrtcbin", "dtlssrtpenc", "dtlssrtpdec", "srtpenc",    "srtpdec",
    "nicesrc",   "nicesink",    "rtpbin",      "rtprtxsend",
};

} // namespace

std::span<const std::string_view> ElementProbe::webrtcElements()
{
    return webrtc;
}

std::string_view ElementProbe::debianPackage(std::string_view element)
{
    for (const Shipped &s : packages) {
        if (s.first == element)
            return s.second;
    }
    return {};
}

Problems ElementProbe::probe(const std::vector<std::string> &elements)
{
    Problems problems;
    for (const std::string &name : elements) {
        GRef<GstElementFactory> factory = GRef<GstElementFactory>::adopt(
            gst_element_factory_find(name.c_str()));
        if (factory)
            continue;

        std::string_view package = debianPackage(name);
        std::string hint =
            package.empty()
                ? "install the GStreamer plugin that provides " + name
                : "apt-get install " + std::string(package) +
                      " (or run scripts/install-deps --runtime)";
        problems.push_back({"GST_ELEMENT_MISSING",
                            "GStreamer element " + name + " is not installed",
                            hint, ExitCode::Config, "GStreamer elements"});
    }
    return problems;
}

} // namespace vmrtc
