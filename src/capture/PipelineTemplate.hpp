// A capture-and-encode chain kept as a gst-launch text template with named
// placeholders, so operators tune it without recompiling.
#pragma once

#include "app/Problem.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace vmrtc {

// Template files live in pipelines/; '#' starts a comment line. The chain
// must end in an element named "payloader" giving application/x-rtp.
// Placeholders: {display} {fps} {width} {height} {bitrate_bps}
// {bitrate_kbps} {keyframe_dist}.
class PipelineTemplate {
public:
    static constexpr std::string_view payloaderName = "payloader";
    static constexpr size_t maxBytes = 64 * 1024;

    // Finds a template: a path, or a bare name ("x11-vp8") looked up in the
    // installed pipelines folder, then in the source tree's.
    static std::string resolve(const std::string &nameOrPath);

    // Reads a template file; PIPELINE_INVALID when it cannot.
    static std::optional<PipelineTemplate> load(const std::string &path,
                                                Problem *problem);

    static PipelineTemplate fromText(std::string path, std::string text);

    const std::string &path() const { return path_; }
    bool uses(std::string_view placeholder) const;

    // The gst-launch description with every placeholder replaced; an
    // unknown or unset placeholder is a PIPELINE_INVALID problem.
    std::optional<std::string>
    substitute(const std::map<std::string, std::string> &values,
               Problem *problem) const;

    // Parses a description into a bin and checks it has what the server
    // needs. Needs gst_init(). Missing elements are GST_ELEMENT_MISSING.
    static bool check(const std::string &description, const std::string &path,
                      Problems *problems);

private:
    std::string path_;
    std::string body_; // comments removed, lines joined
};

} // namespace vmrtc
