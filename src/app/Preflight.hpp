// Every check that must pass before the server touches the network.
#pragma once

#include "app/CommandLine.hpp"
#include "capture/PipelineTemplate.hpp"
#include "config/ConfigValidator.hpp"
#include "config/SettingsLoader.hpp"
#include "probe/DisplayProbe.hpp"

#include <map>
#include <string>

namespace vmrtc {

// Runs in order: settings resolution, validation, the X display probe and
// the GStreamer element probe. Problems are collected, never thrown.
class Preflight {
public:
    Preflight(const CommandLine &commandLine,
              std::map<std::string, std::string> environment);

    void run();

    const LoadedSettings &loaded() const { return loaded_; }
    const Config &config() const { return validation_.config; }
    const Problems &problems() const { return problems_; }
    const std::optional<DisplayInfo> &display() const { return display_; }

    // The capture chain with every placeholder filled in, and its file.
    const std::string &pipelineDescription() const { return description_; }
    const std::string &pipelinePath() const { return pipelinePath_; }

    // Writes the settings lookups and skipped env-file lines to the log.
    void logNotes() const;

    // One line per check on stdout, for --check.
    void printReport() const;

    // The process environment as a map, for the constructor.
    static std::map<std::string, std::string> processEnvironment();

private:
    void loadTemplate();
    void probeDisplay();
    void fillTemplate();
    void probeElements();

    bool loopback_ = false;
    SettingsSources sources_;
    ValidationContext context_;
    LoadedSettings loaded_;
    Validation validation_;
    std::optional<DisplayInfo> display_;
    Problems problems_;
    std::optional<PipelineTemplate> template_;
    std::string pipelinePath_;
    std::string description_;
};

} // namespace vmrtc
