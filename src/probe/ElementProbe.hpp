// Checks that the GStreamer elements the server needs are installed.
#pragma once

#include "app/Problem.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vmrtc {

class ElementProbe {
public:
    // Elements the signalling and WebRTC side always needs.
    static std::span<const std::string_view> webrtcElements();

    // The Debian package that ships an element, or empty when unknown.
    static std::string_view debianPackage(std::string_view element);

    // One GST_ELEMENT_MISSING problem per element gst cannot find.
    // Needs gst_init().
    static Problems probe(const std::vector<std::string> &elements);
};

} // namespace vmrtc
