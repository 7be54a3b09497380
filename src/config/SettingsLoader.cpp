// SettingsLoader: layer the sources of settings in precedence order.
#include "config/SettingsLoader.hpp"

#include "config/EnvFile.hpp"

namespace vmrtc {

namespace {

void applyMap(Settings &settings, const std::map<std::string, std::string> &m,
              Origin origin)
{
    for (const SettingSpec &spec : Settings::specs()) {
        auto it = m.find(std::string(spec.name));
        if (it != m.end() && !it->second.empty())
            settings.set(spec.name, {it->second, origin, {}});
    }
}

void applyEntries(Settings &settings, const EnvFile &file,
                  const std::string &path, bool onlyMissingRequired)
{
    for (const SettingSpec &spec : Settings::specs()) {
        if (onlyMissingRequired && (!spec.required || settings.get(spec.name)))
            continue;
        const EnvEntry *entry = file.find(spec.name);
        if (!entry || entry->value.empty())
            continue;
        std::string where = path + ':' + std::to_string(entry->line);
        settings.set(spec.name, {entry->value, Origin::EnvFile, where});
    }
}

void collectBadLines(LoadedSettings &out, const EnvFile &file,
                     const std::string &path)
{
    for (const EnvLineError &e : file.errors)
        out.badLines.push_back({path, e.line, e.reason});
}

} // namespace

LoadedSettings SettingsLoader::load(const SettingsSources &sources)
{
    LoadedSettings out;
    for (const SettingSpec &spec : Settings::specs()) {
        if (!spec.fallback.empty())
            out.settings.set(spec.name, {std::string(spec.fallback)});
    }

    for (const std::string &path : sources.envFiles)
        applyEnvFile(out, path);
    applyMap(out.settings, sources.environment, Origin::Environment);
    applyMap(out.settings, sources.commandLine, Origin::CommandLine);

    if (sources.envFiles.empty() && !sources.defaultEnvFile.empty())
        applyDefaultFile(out, sources.defaultEnvFile);
    return out;
}

void SettingsLoader::applyEnvFile(LoadedSettings &out, const std::string &path)
{
    std::string why;
    std::optional<EnvFile> file = EnvFile::load(path, &why);
    if (!file) {
        out.problems.push_back(
            {"ENV_FILE_UNREADABLE", "cannot use env file " + path + ": " + why,
             "fix the path given to --env-file, or make the file a readable "
             "KEY=VALUE text file",
             ExitCode::Config, "env files"});
        return;
    }

    collectBadLines(out, *file, path);
    applyEntries(out.settings, *file, path, false);
}

void SettingsLoader::applyDefaultFile(LoadedSettings &out,
                                      const std::string &path)
{
    for (const SettingSpec &spec : Settings::specs()) {
        if (spec.required && !out.settings.get(spec.name))
            out.lookedUpInDefaultFile.emplace_back(spec.name);
    }
    if (out.lookedUpInDefaultFile.empty())
        return;

    std::optional<EnvFile> file = EnvFile::load(path, &out.defaultFileError);
    if (!file)
        return;

    collectBadLines(out, *file, path);
    applyEntries(out.settings, *file, path, true);
}

} // namespace vmrtc
