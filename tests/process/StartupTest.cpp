// Process-level tests: the built program with bad and good environments,
// checked through its JSON log lines, its stdout and its exit status.
#include "catch.hpp"

#include "ChildProcess.hpp"
#include "JsonLine.hpp"
#include "TempDir.hpp"
#include "XvfbServer.hpp"

#include <gio/gio.h>
#include <glib.h>

#include <csignal>
#include <fstream>
#include <sys/stat.h>

using namespace vmrtc::test;
using namespace std::chrono_literals;

namespace {

// Tests never let the server near the production controller address, and
// leave the default health port to whatever else runs on this machine.
const ChildProcess::Env safeBase{
    {"MASTER_CONTROLLER_URL", "http://127.0.0.1:9"},
    {"HEALTH_PORT", "0"},
};


struct Run {
    int exit = -1;
    double seconds = 0;
    std::vector<JsonLine> lines;
    std::vector<std::string> notJson;
    std::string out;
};

Run runToExit(std::vector<std::string> args, ChildProcess::Env env)
{
    args.insert(args.begin(), ChildProcess::serverBinary());
    auto start = ChildProcess::Clock::now();
    ChildProcess child(args, env);
    Run run;
    run.exit = child.wait(20s);
    run.seconds =
        std::chrono::duration<double>(ChildProcess::Clock::now() - start)
            .count();
    run.lines = parseJsonLines(child.stderrLines(), &run.notJson);
    run.out = child.stdoutText();
    return run;
}

std::vector<JsonLine> withLevel(const Run &run, const std::string &level)
{
    std::vector<JsonLine> out;
    for (const JsonLine &line : run.lines) {
        if (line.at("level") == level)
            out.push_back(line);
    }
    return out;
}

const JsonLine *findMessage(const std::vector<JsonLine> &lines,
                            const std::string &message)
{
    for (const JsonLine &line : lines) {
        if (line.count("message") && line.at("message") == message)
            return &line;
    }
    return nullptr;
}

bool defaultEnvFileDefinesRequired()
{
    std::ifstream in("/etc/environment");
    std::string line;
    while (std::getline(in, line)) {
        if (line.find("SESSION_ID") != std::string::npos ||
            line.find("DISPLAY") != std::string::npos)
            return true;
    }
    return false;
}

std::string freeDisplay()
{
    for (int n = 64990; n > 64900; n--) {
        std::string socket = "/tmp/.X11-unix/X" + std::to_string(n);
        struct stat st {};
        if (stat(socket.c_str(), &st) != 0)
            return ":" + std::to_string(n);
    }
    FAIL("no free display number");
    return {};
}

void checkFatal(const JsonLine &line, const std::string &code,
                const std::string &exit)
{
    CHECK(line.at("level") == "fatal");
    CHECK(line.at("component") == "config");
    CHECK(line.at("code") == code);
    CHECK_FALSE(line.at("message").empty());
    CHECK_FALSE(line.at("hint").empty());
    CHECK(line.at("exit") == exit);
    CHECK(line.count("ts") == 1);
}

} // namespace

TEST_CASE("an empty environment: two fatal lines, exit 78", "[startup]")
{
    std::vector<std::string> args;
    TempDir dir("vmrtc-process");
    if (defaultEnvFileDefinesRequired()) {
        WARN("/etc/environment defines SESSION_ID or DISPLAY here; using an "
             "empty --env-file instead");
        args = {"--env-file", dir.write("empty.env", "")};
    }

    Run run = runToExit(args, {});
    INFO("seconds to exit: " << run.seconds);
    CHECK(run.exit == 78);
    CHECK(run.notJson.empty());

    std::vector<JsonLine> fatal = withLevel(run, "fatal");
    REQUIRE(fatal.size() == 2);
    checkFatal(fatal[0], "SESSION_ID_MISSING", "78");
    checkFatal(fatal[1], "DISPLAY_MISSING", "78");
    CHECK(fatal[0].at("hint").find("--env-file") != std::string::npos);

    if (args.empty()) {
        const JsonLine *note = findMessage(
            run.lines, "required settings missing from the environment were "
                       "looked up in the default env file");
        REQUIRE(note != nullptr);
        CHECK(note->at("file") == "/etc/environment");
        CHECK(note->at("settings") == "SESSION_ID,DISPLAY");
    }
}

TEST_CASE("under supervisord the hint names both fixes", "[startup]")
{
    TempDir dir("vmrtc-process");
    Run run = runToExit({"--env-file", dir.write("empty.env", "")},
                        {{"SUPERVISOR_ENABLED", "1"}});
    CHECK(run.exit == 78);
    std::vector<JsonLine> fatal = withLevel(run, "fatal");
    REQUIRE(fatal.size() == 2);
    const std::string &hint = fatal[0].at("hint");
    CHECK(hint.find("does not read /etc/environment") != std::string::npos);
    CHECK(hint.find("environment=SESSION_ID=") != std::string::npos);
    CHECK(hint.find("--env-file") != std::string::npos);
}

TEST_CASE("no X server on DISPLAY: DISPLAY_UNREACHABLE, exit 69", "[startup]")
{
    std::string display = freeDisplay();
    ChildProcess::Env env = safeBase;
    env["SESSION_ID"] = "vm-1";
    env["DISPLAY"] = display;

    Run run = runToExit({}, env);
    INFO("seconds to exit: " << run.seconds);
    CHECK(run.exit == 69);
    std::vector<JsonLine> fatal = withLevel(run, "fatal");
    REQUIRE(fatal.size() == 1);
    checkFatal(fatal[0], "DISPLAY_UNREACHABLE", "69");
    CHECK(fatal[0].at("message").find(display) != std::string::npos);
}

TEST_CASE("settings from an env file only: starts, says where each came "
          "from, stops on SIGTERM with exit 0",
          "[startup]")
{
    XvfbServer xvfb;
    TempDir dir("vmrtc-process");
    std::string envFile =
        dir.write("vm.env", "# written by the VM image\r\n"
                            "export SESSION_ID=\"vm-42\"\r\n"
                            "DISPLAY=" +
                                xvfb.display() +
                                "\r\n"
                                "this line is broken\r\n"
                                "MASTER_CONTROLLER_URL=http://127.0.0.1:9\r\n"
                                "HEALTH_PORT=0\r\n");

    ChildProcess child({ChildProcess::serverBinary(), "--env-file", envFile},
                       {});
    REQUIRE(child.waitForStderr("\"message\":\"started\"", 10s));
    std::this_thread::sleep_for(1500ms);
    REQUIRE(child.running());

    auto stopAt = ChildProcess::Clock::now();
    child.signal(SIGTERM);
    int exit = child.wait(10s);
    double seconds =
        std::chrono::duration<double>(ChildProcess::Clock::now() - stopAt)
            .count();
    INFO("seconds from SIGTERM to exit: " << seconds);
    CHECK(exit == 0);

    std::vector<std::string> bad;
    std::vector<JsonLine> lines = parseJsonLines(child.stderrLines(), &bad);
    CHECK(bad.empty());

    const JsonLine *settings = findMessage(lines, "settings");
    REQUIRE(settings != nullptr);
    CHECK(settings->at("session_id") == "vm-42 (env file " + envFile + ":2)");
    CHECK(settings->at("display") ==
          xvfb.display() + " (env file " + envFile + ":3)");
    CHECK(settings->at("video_fps") == "30 (default)");
    CHECK(settings->at("signalling_url") ==
          "ws://127.0.0.1:9/api/webrtc/signalling (derived)");

    const JsonLine *skipped =
        findMessage(lines, "skipped a malformed env-file line");
    REQUIRE(skipped != nullptr);
    CHECK(skipped->at("code") == "ENV_FILE_LINE_INVALID");
    CHECK(skipped->at("file") == envFile);
    CHECK(skipped->at("line") == "4");

    const JsonLine *stopped = findMessage(lines, "stopped");
    REQUIRE(stopped != nullptr);
    CHECK(stopped->at("signal") == "TERM");
}

TEST_CASE("SIGINT stops the server with exit 0", "[startup]")
{
    XvfbServer xvfb;
    ChildProcess::Env env = safeBase;
    env["SESSION_ID"] = "vm-1";
    env["DISPLAY"] = xvfb.display();
    ChildProcess child({ChildProcess::serverBinary()}, env);
    REQUIRE(child.waitForStderr("\"message\":\"started\"", 10s));
    child.signal(SIGINT);
    CHECK(child.wait(10s) == 0);
}

TEST_CASE("secrets never reach the log", "[startup]")
{
    XvfbServer xvfb;
    ChildProcess::Env env = safeBase;
    env["SESSION_ID"] = "vm-1";
    env["DISPLAY"] = xvfb.display();
    env["SIGNALLING_TOKEN"] = "tok-SECRET-1";
    env["TURN_SERVERS"] = "turn://user:pw-SECRET-2@relay:3478";
    ChildProcess child({ChildProcess::serverBinary(), "--log-level=trace"},
                       env);
    REQUIRE(child.waitForStderr("\"message\":\"started\"", 10s));
    child.signal(SIGTERM);
    CHECK(child.wait(10s) == 0);

    std::vector<std::string> bad;
    std::vector<JsonLine> lines = parseJsonLines(child.stderrLines(), &bad);
    const JsonLine *settings = findMessage(lines, "settings");
    REQUIRE(settings != nullptr);
    CHECK(settings->at("signalling_token") == "*** (environment)");
    CHECK(settings->at("turn_servers") == "*** (environment)");
    for (const std::string &line : child.stderrLines()) {
        CHECK(line.find("SECRET") == std::string::npos);
    }

    env["TURN_SERVERS"] = "turn://user:pw-SECRET-3@";
    Run invalid = runToExit({}, env);
    CHECK(invalid.exit == 78);
    for (const JsonLine &line : invalid.lines) {
        for (const auto &[key, value] : line)
            CHECK(value.find("SECRET") == std::string::npos);
    }
}

TEST_CASE("bad input gets a clear error, never a crash", "[startup]")
{
    TempDir dir("vmrtc-process");
    ChildProcess::Env env = safeBase;
    env["DISPLAY"] = freeDisplay();

    SECTION("a 100 KiB SESSION_ID in the environment")
    {
        env["SESSION_ID"] = std::string(100 * 1024, 'a');
        Run run = runToExit({}, env);
        CHECK(run.exit == 78);
        std::vector<JsonLine> fatal = withLevel(run, "fatal");
        REQUIRE_FALSE(fatal.empty());
        checkFatal(fatal[0], "SESSION_ID_INVALID", "78");
        CHECK(fatal[0].at("message").size() < 300);
    }
    SECTION("a 1 MB SESSION_ID in an env file")
    {
        std::string path =
            dir.write("big.env", "SESSION_ID=" + std::string(1000000, 'x'));
        Run run = runToExit({"--env-file", path}, safeBase);
        std::vector<JsonLine> fatal = withLevel(run, "fatal");
        REQUIRE_FALSE(fatal.empty());
        checkFatal(fatal[0], "SESSION_ID_INVALID", "78");
    }
    SECTION("bytes that are not UTF-8")
    {
        env["SESSION_ID"] = "caf\xe9\xff";
        Run run = runToExit({}, env);
        CHECK(run.exit == 78);
        CHECK(run.notJson.empty());
        std::vector<JsonLine> fatal = withLevel(run, "fatal");
        REQUIRE_FALSE(fatal.empty());
        checkFatal(fatal[0], "SESSION_ID_INVALID", "78");
    }
    SECTION("a binary env file and an env file that is a directory")
    {
        std::string binary = dir.write("bin.env", std::string("\x7f"
                                                              "ELF\0\0\x01\x02",
                                                              8));
        Run run =
            runToExit({"--env-file", binary, "--env-file", dir.path}, env);
        CHECK(run.exit == 78);
        std::vector<JsonLine> fatal = withLevel(run, "fatal");
        REQUIRE(fatal.size() >= 2);
        checkFatal(fatal[0], "ENV_FILE_UNREADABLE", "78");
        checkFatal(fatal[1], "ENV_FILE_UNREADABLE", "78");
        CHECK(fatal[0].at("message").find("NUL") != std::string::npos);
        CHECK(fatal[1].at("message").find("directory") != std::string::npos);
    }
    SECTION("numbers out of range and a bad URL, all reported")
    {
        env["SESSION_ID"] = "vm-1";
        env["VIDEO_FPS"] = "1000";
        env["VIDEO_BITRATE_KBPS"] = "lots";
        env["MASTER_CONTROLLER_URL"] = "ftp://127.0.0.1";
        env["DISPLAY"] = "not-a-display";
        Run run = runToExit({}, env);
        CHECK(run.exit == 78);
        std::vector<std::string> codes;
        for (const JsonLine &line : withLevel(run, "fatal"))
            codes.push_back(line.at("code"));
        CHECK(codes == std::vector<std::string>{
                           "DISPLAY_INVALID", "CONTROLLER_URL_INVALID",
                           "SETTING_INVALID", "SETTING_INVALID"});
    }
}

TEST_CASE("bad command lines exit 64", "[startup]")
{
    for (std::vector<std::string> args :
         {std::vector<std::string>{"--no-such-option"},
          std::vector<std::string>{"--log-level=loud"},
          std::vector<std::string>{"--log-format=xml"},
          std::vector<std::string>{"stray-argument"}}) {
        INFO(args[0]);
        Run run = runToExit(args, {});
        CHECK(run.exit == 64);
        std::vector<JsonLine> fatal = withLevel(run, "fatal");
        REQUIRE(fatal.size() == 1);
        CHECK(fatal[0].at("code") == "USAGE_INVALID");
    }
}

TEST_CASE("--version and --help", "[startup]")
{
    Run version = runToExit({"--version"}, {});
    CHECK(version.exit == 0);
    CHECK(version.out.rfind("vm-webrtc-server ", 0) == 0);

    Run help = runToExit({"--help"}, {});
    CHECK(help.exit == 0);
    for (const char *option : {"--session-id", "--display", "--env-file",
                               "--check", "--log-format", "--log-level"})
        CHECK(help.out.find(option) != std::string::npos);
}

TEST_CASE("--check prints one line per check", "[startup]")
{
    XvfbServer xvfb;
    ChildProcess::Env env = safeBase;
    env["SESSION_ID"] = "vm-1";
    env["DISPLAY"] = xvfb.display();

    Run good = runToExit({"--check"}, env);
    CHECK(good.exit == 0);
    CHECK(good.out.find("ok    SESSION_ID") != std::string::npos);
    CHECK(good.out.find("ok    X server               1280x720") !=
          std::string::npos);
    CHECK(good.out.find("ok    GStreamer elements") != std::string::npos);
    CHECK(good.out.find("FAIL") == std::string::npos);

    env.erase("SESSION_ID");
    env["VIDEO_FPS"] = "0";
    TempDir dir("vmrtc-process");
    Run bad =
        runToExit({"--check", "--env-file", dir.write("empty.env", "")}, env);
    CHECK(bad.exit == 78);
    CHECK(bad.out.find("FAIL  SESSION_ID             SESSION_ID_MISSING") !=
          std::string::npos);
    CHECK(bad.out.find("FAIL  VIDEO_FPS              SETTING_INVALID") !=
          std::string::npos);
    CHECK(bad.out.find("ok    DISPLAY") != std::string::npos);
}

TEST_CASE("--log-format=text writes readable lines", "[startup]")
{
    TempDir dir("vmrtc-process");
    Run run = runToExit(
        {"--log-format=text", "--env-file", dir.write("empty.env", "")}, {});
    CHECK(run.exit == 78);
    CHECK(run.lines.empty());
    REQUIRE(run.notJson.size() == 2);
    CHECK(run.notJson[0].find("FATAL") != std::string::npos);
    CHECK(run.notJson[0].find("code=SESSION_ID_MISSING") != std::string::npos);
}

TEST_CASE("a pipeline that captures no X needs no DISPLAY", "[startup]")
{
    TempDir dir("vmrtc-process");
    ChildProcess::Env env = safeBase;
    env["SESSION_ID"] = "vm-1";
    env["PIPELINE"] = "test-pattern-vp8";
    Run run = runToExit({"--check", "--env-file", dir.write("e.env", "")}, env);
    CHECK(run.exit == 0);
    CHECK(run.out.find("ok    pipeline") != std::string::npos);
    CHECK(run.out.find("test-pattern-vp8.pipeline") != std::string::npos);
}

TEST_CASE("a broken pipeline template is PIPELINE_INVALID", "[startup]")
{
    TempDir dir("vmrtc-process");
    XvfbServer xvfb;
    ChildProcess::Env env = safeBase;
    env["SESSION_ID"] = "vm-1";
    env["DISPLAY"] = xvfb.display();

    SECTION("missing file")
    {
        env["PIPELINE"] = dir.path + "/missing.pipeline";
    }
    SECTION("no payloader")
    {
        env["PIPELINE"] = dir.write("bad.pipeline", "videotestsrc ! fakesink");
    }
    SECTION("unknown placeholder")
    {
        env["PIPELINE"] =
            dir.write("bad.pipeline", "videotestsrc ! {nope} name=payloader");
    }
    Run run = runToExit({}, env);
    CHECK(run.exit == 78);
    std::vector<JsonLine> fatal = withLevel(run, "fatal");
    REQUIRE(fatal.size() == 1);
    checkFatal(fatal[0], "PIPELINE_INVALID", "78");
}

TEST_CASE("loopback mode on a port in use: LOOPBACK_PORT_UNAVAILABLE, 69",
          "[startup]")
{
    XvfbServer xvfb;
    ChildProcess::Env env = safeBase;
    env["DISPLAY"] = xvfb.display();
    ChildProcess first(
        {ChildProcess::serverBinary(), "--loopback", "--port", "0"}, env);
    REQUIRE(first.waitForStderr("open the viewer page", 10s));
    std::vector<std::string> bad;
    std::string port;
    for (const JsonLine &line : parseJsonLines(first.stderrLines(), &bad)) {
        if (line.count("url"))
            port = line.at("url").substr(line.at("url").rfind(':') + 1);
    }
    port = port.substr(0, port.find('/'));
    REQUIRE_FALSE(port.empty());

    Run second = runToExit({"--loopback", "--port", port}, env);
    CHECK(second.exit == 69);
    std::vector<JsonLine> fatal = withLevel(second, "fatal");
    REQUIRE(fatal.size() == 1);
    CHECK(fatal[0].at("code") == "LOOPBACK_PORT_UNAVAILABLE");
    first.signal(SIGTERM);
    CHECK(first.wait(10s) == 0);
}

TEST_CASE("the health port in use: HEALTH_PORT_UNAVAILABLE, 69", "[startup]")
{
    GSocketListener *holder = g_socket_listener_new();
    GInetAddress *loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *any = g_inet_socket_address_new(loopback, 0);
    GSocketAddress *bound = nullptr;
    bool listening = g_socket_listener_add_address(
        holder, any, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, nullptr,
        &bound, nullptr);
    g_object_unref(any);
    g_object_unref(loopback);
    REQUIRE(listening);
    guint16 port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
    g_object_unref(bound);

    XvfbServer xvfb;
    ChildProcess::Env env = safeBase;
    env["SESSION_ID"] = "vm-1";
    env["DISPLAY"] = xvfb.display();
    env["HEALTH_PORT"] = std::to_string(port);
    Run run = runToExit({}, env);
    g_socket_listener_close(holder);
    g_object_unref(holder);

    CHECK(run.exit == 69);
    std::vector<JsonLine> fatal = withLevel(run, "fatal");
    REQUIRE(fatal.size() == 1);
    CHECK(fatal[0].at("code") == "HEALTH_PORT_UNAVAILABLE");
    CHECK(fatal[0].at("port") == std::to_string(port));
    CHECK(fatal[0].at("hint").find("HEALTH_PORT") != std::string::npos);
    CHECK(fatal[0].at("exit") == "69");
}

TEST_CASE("a bad HEALTH_PORT is a configuration error", "[startup]")
{
    XvfbServer xvfb;
    ChildProcess::Env env = safeBase;
    env["SESSION_ID"] = "vm-1";
    env["DISPLAY"] = xvfb.display();
    env["HEALTH_PORT"] = "70000";
    Run run = runToExit({}, env);
    CHECK(run.exit == 78);
    std::vector<JsonLine> fatal = withLevel(run, "fatal");
    REQUIRE(fatal.size() == 1);
    checkFatal(fatal[0], "SETTING_INVALID", "78");
    CHECK(fatal[0].at("message").find("HEALTH_PORT") != std::string::npos);
}

TEST_CASE("an unreachable controller: the server retries and stays up",
          "[startup]")
{
    XvfbServer xvfb;
    ChildProcess::Env env{{"SESSION_ID", "vm-1"},
                          {"HEALTH_PORT", "0"},
                          {"DISPLAY", xvfb.display()},
                          {"SIGNALLING_URL", "ws://127.0.0.1:9/signalling"},
                          {"SIGNALLING_TOKEN", "tok-SECRET-4"}};
    ChildProcess child({ChildProcess::serverBinary()}, env);
    REQUIRE(child.waitForStderr("\"message\":\"started\"", 10s));
    std::this_thread::sleep_for(3s);
    REQUIRE(child.running());
    child.signal(SIGTERM);
    CHECK(child.wait(10s) == 0);

    std::vector<std::string> bad;
    std::vector<JsonLine> retries;
    for (const JsonLine &line : parseJsonLines(child.stderrLines(), &bad)) {
        if (line.at("message") == "signalling unavailable, retrying")
            retries.push_back(line);
        for (const auto &[key, value] : line)
            CHECK(value.find("SECRET") == std::string::npos);
    }
    // 250 ms doubling: about four attempts in 3 s, each one line.
    REQUIRE(retries.size() >= 3);
    CHECK(retries.size() <= 8);
    CHECK(retries[0].at("level") == "warning");
    CHECK_FALSE(retries[0].at("reason").empty());
    CHECK(std::stoi(retries[0].at("retry_in_ms")) <= 250);
    CHECK(std::stoi(retries[2].at("retry_in_ms")) >= 500);
}

TEST_CASE("the X server going away: DISPLAY_LOST, exit 69", "[startup]")
{
    XvfbServer xvfb;
    ChildProcess::Env env = safeBase;
    env["SESSION_ID"] = "vm-1";
    env["DISPLAY"] = xvfb.display();
    ChildProcess child({ChildProcess::serverBinary()}, env);
    REQUIRE(child.waitForStderr("\"message\":\"started\"", 10s));

    auto killedAt = ChildProcess::Clock::now();
    xvfb.stop();
    int exit = child.wait(10s);
    double seconds =
        std::chrono::duration<double>(ChildProcess::Clock::now() - killedAt)
            .count();
    INFO("seconds from the X server's death to exit: " << seconds);
    CHECK(exit == 69);

    std::vector<std::string> bad;
    std::vector<JsonLine> lines = parseJsonLines(child.stderrLines(), &bad);
    const JsonLine *lost = findMessage(lines, "the X server went away");
    REQUIRE(lost != nullptr);
    CHECK(lost->at("code") == "DISPLAY_LOST");
    CHECK(lost->at("level") == "fatal");
    CHECK(lost->at("exit") == "69");
    WARN("X server death to exit: " << seconds << " s");
}
