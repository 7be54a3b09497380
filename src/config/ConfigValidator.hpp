// Checks resolved settings and turns them into a Config, or into problems.
#pragma once

#include "app/Problem.hpp"
#include "config/Config.hpp"
#include "config/SettingsLoader.hpp"

#include <initializer_list>
#include <string>
#include <string_view>

namespace vmrtc {

struct ValidationContext {
    bool underSupervisor = false; // SUPERVISOR_ENABLED is set
    std::string defaultEnvFile;   // as given to SettingsLoader
    bool displayRequired = true;  // false when the pipeline captures no X
};

struct Validation {
    Config config;     // meaningful only when problems is empty
    Problems problems; // every problem found, not only the first
};

class ConfigValidator {
public:
    static Validation validate(const LoadedSettings &loaded,
                               const ValidationContext &context);

    static bool validSessionId(std::string_view id);
    static bool validDisplay(std::string_view display);

    // ws(s) URL for a http(s) controller URL: the scheme swapped and
    // /api/webrtc/signalling appended to its path. Empty if not derivable.
    static std::string deriveSignallingUrl(std::string_view controllerUrl);

    // A bad value made safe to quote in a message: at most 40 bytes,
    // with its full length when cut.
    static std::string quote(std::string_view value);

private:
    Validation run(const LoadedSettings &loaded,
                   const ValidationContext &context);
    void checkRequired(const LoadedSettings &loaded,
                       const ValidationContext &context);
    void checkUrls(const Settings &settings);
    void checkToken(const Settings &settings);
    void checkIceServers(const Settings &settings);
    void checkNumbers(const Settings &settings);
    void checkPortRange(const Settings &settings);
    bool number(const Settings &settings, std::string_view name, int min,
                int max, int *out);
    void checkChoices(const Settings &settings);
    int choice(const Settings &settings, std::string_view name,
               std::initializer_list<std::string_view> allowed);

    Validation result_;
};

} // namespace vmrtc
