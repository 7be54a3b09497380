// Resolves settings from the command line, the environment and env files.
#pragma once

#include "app/Problem.hpp"
#include "config/Settings.hpp"

#include <map>
#include <string>
#include <vector>

namespace vmrtc {

struct SettingsSources {
    std::map<std::string, std::string> commandLine; // by setting name
    std::map<std::string, std::string> environment; // the process's
    std::vector<std::string> envFiles;              // --env-file, in order
    // Read for required settings still missing when no --env-file is given.
    std::string defaultEnvFile;
};

struct EnvFileLineError {
    std::string path;
    int line = 0;
    std::string reason;
};

struct LoadedSettings {
    Settings settings;
    Problems problems; // ENV_FILE_UNREADABLE
    std::vector<EnvFileLineError> badLines;
    // Required settings looked up in the default env file, if it was read.
    std::vector<std::string> lookedUpInDefaultFile;
    std::string defaultFileError; // why the default file could not be read
};

// Precedence, highest first: command line, environment, env files (a later
// file overrides an earlier one), defaults. An empty value counts as unset.
class SettingsLoader {
public:
    static LoadedSettings load(const SettingsSources &sources);

private:
    static void applyEnvFile(LoadedSettings &out, const std::string &path);
    static void applyDefaultFile(LoadedSettings &out, const std::string &path);
};

} // namespace vmrtc
