// Unit tests of settings precedence and env-file handling.
#include "catch.hpp"

#include "config/SettingsLoader.hpp"

#include <glib.h>

#include <fstream>

using namespace vmrtc;

namespace {

struct TempFiles {
    std::string dir;
    TempFiles()
    {
        char *made = g_dir_make_tmp("vmrtc-loader-XXXXXX", nullptr);
        REQUIRE(made != nullptr);
        dir = made;
        g_free(made);
    }
    ~TempFiles()
    {
        std::string command = "rm -rf '" + dir + "'";
        (void)std::system(command.c_str());
    }
    std::string write(const char *name, const std::string &content) const
    {
        std::string path = dir + "/" + name;
        std::ofstream(path) << content;
        return path;
    }
};

std::string valueOf(const LoadedSettings &loaded, const char *name)
{
    const SettingValue *v = loaded.settings.get(name);
    REQUIRE(v != nullptr);
    return v->value;
}

Origin originOf(const LoadedSettings &loaded, const char *name)
{
    const SettingValue *v = loaded.settings.get(name);
    REQUIRE(v != nullptr);
    return v->origin;
}

} // namespace

TEST_CASE("command line beats environment beats env file", "[settings]")
{
    TempFiles files;
    SettingsSources sources;
    sources.envFiles = {
        files.write("a.env", "SESSION_ID=file\nDISPLAY=:7\nVIDEO_FPS=10\n")};
    sources.environment = {{"SESSION_ID", "env"}, {"VIDEO_FPS", "20"}};
    sources.commandLine = {{"VIDEO_FPS", "25"}};

    LoadedSettings loaded = SettingsLoader::load(sources);
    CHECK(loaded.problems.empty());
    CHECK(valueOf(loaded, "SESSION_ID") == "env");
    CHECK(originOf(loaded, "SESSION_ID") == Origin::Environment);
    CHECK(valueOf(loaded, "DISPLAY") == ":7");
    CHECK(loaded.settings.get("DISPLAY")->where == sources.envFiles[0] + ":2");
    CHECK(valueOf(loaded, "VIDEO_FPS") == "25");
    CHECK(originOf(loaded, "VIDEO_FPS") == Origin::CommandLine);
}

TEST_CASE("defaults apply when nothing sets a value", "[settings]")
{
    LoadedSettings loaded = SettingsLoader::load({});
    CHECK(valueOf(loaded, "MASTER_CONTROLLER_URL") ==
          "http://192.168.100.1:4000");
    CHECK(originOf(loaded, "MASTER_CONTROLLER_URL") == Origin::Default);
    CHECK(valueOf(loaded, "VIDEO_FPS") == "30");
    CHECK(valueOf(loaded, "VIDEO_BITRATE_KBPS") == "2000");
    CHECK(loaded.settings.get("SESSION_ID") == nullptr);
}

TEST_CASE("a later env file overrides an earlier one", "[settings]")
{
    TempFiles files;
    SettingsSources sources;
    sources.envFiles = {files.write("1.env", "SESSION_ID=one\nDISPLAY=:1\n"),
                        files.write("2.env", "SESSION_ID=two\n")};
    LoadedSettings loaded = SettingsLoader::load(sources);
    CHECK(valueOf(loaded, "SESSION_ID") == "two");
    CHECK(valueOf(loaded, "DISPLAY") == ":1");
}

TEST_CASE("an empty value counts as unset", "[settings]")
{
    TempFiles files;
    SettingsSources sources;
    sources.envFiles = {files.write("a.env", "SESSION_ID=file\n")};
    sources.environment = {{"SESSION_ID", ""}, {"DISPLAY", ""}};
    LoadedSettings loaded = SettingsLoader::load(sources);
    CHECK(valueOf(loaded, "SESSION_ID") == "file");
    CHECK(loaded.settings.get("DISPLAY") == nullptr);
}

TEST_CASE("an unreadable env file is a problem; the others still count",
          "[settings]")
{
    TempFiles files;
    SettingsSources sources;
    sources.envFiles = {files.dir + "/missing.env", files.dir,
                        files.write("ok.env", "SESSION_ID=ok\n")};
    LoadedSettings loaded = SettingsLoader::load(sources);
    REQUIRE(loaded.problems.size() == 2);
    for (const Problem &p : loaded.problems) {
        CHECK(p.code == "ENV_FILE_UNREADABLE");
        CHECK(p.exit == ExitCode::Config);
        CHECK_FALSE(p.hint.empty());
    }
    CHECK(loaded.problems[0].message.find("missing.env") != std::string::npos);
    CHECK(loaded.problems[1].message.find("directory") != std::string::npos);
    CHECK(valueOf(loaded, "SESSION_ID") == "ok");
}

TEST_CASE("malformed lines are collected with file and line", "[settings]")
{
    TempFiles files;
    SettingsSources sources;
    std::string path = files.write("a.env", "SESSION_ID=x\noops\n");
    sources.envFiles = {path};
    LoadedSettings loaded = SettingsLoader::load(sources);
    REQUIRE(loaded.badLines.size() == 1);
    CHECK(loaded.badLines[0].path == path);
    CHECK(loaded.badLines[0].line == 2);
    CHECK(valueOf(loaded, "SESSION_ID") == "x");
}

TEST_CASE("the default env file fills only missing required settings",
          "[settings]")
{
    TempFiles files;
    SettingsSources sources;
    sources.defaultEnvFile =
        files.write("environment", "SESSION_ID=default-file\nVIDEO_FPS=5\n"
                                   "DISPLAY=:3\n");
    sources.environment = {{"DISPLAY", ":9"}};
    LoadedSettings loaded = SettingsLoader::load(sources);

    CHECK(loaded.lookedUpInDefaultFile ==
          std::vector<std::string>{"SESSION_ID"});
    CHECK(valueOf(loaded, "SESSION_ID") == "default-file");
    CHECK(originOf(loaded, "SESSION_ID") == Origin::EnvFile);
    CHECK(valueOf(loaded, "DISPLAY") == ":9");
    CHECK(valueOf(loaded, "VIDEO_FPS") == "30");
}

TEST_CASE("the default env file is not read when --env-file is given",
          "[settings]")
{
    TempFiles files;
    SettingsSources sources;
    sources.defaultEnvFile = files.write("environment", "SESSION_ID=x\n");
    sources.envFiles = {files.write("given.env", "DISPLAY=:1\n")};
    LoadedSettings loaded = SettingsLoader::load(sources);
    CHECK(loaded.lookedUpInDefaultFile.empty());
    CHECK(loaded.settings.get("SESSION_ID") == nullptr);
}

TEST_CASE("the default env file is not read when nothing is missing",
          "[settings]")
{
    SettingsSources sources;
    sources.defaultEnvFile = "/nonexistent/environment";
    sources.environment = {{"SESSION_ID", "a"}, {"DISPLAY", ":1"}};
    LoadedSettings loaded = SettingsLoader::load(sources);
    CHECK(loaded.lookedUpInDefaultFile.empty());
    CHECK(loaded.defaultFileError.empty());
}

TEST_CASE("a missing default env file is noted, not a problem", "[settings]")
{
    SettingsSources sources;
    sources.defaultEnvFile = "/nonexistent/environment";
    LoadedSettings loaded = SettingsLoader::load(sources);
    CHECK(loaded.problems.empty());
    CHECK(loaded.lookedUpInDefaultFile.size() == 2);
    CHECK(loaded.defaultFileError == "No such file or directory");
}

TEST_CASE("unknown keys in env files and environment are ignored", "[settings]")
{
    SettingsSources sources;
    sources.environment = {{"PATH", "/bin"}, {"SESSION_IDX", "no"}};
    LoadedSettings loaded = SettingsLoader::load(sources);
    CHECK(loaded.settings.get("SESSION_ID") == nullptr);
    CHECK(loaded.settings.get("PATH") == nullptr);
}
