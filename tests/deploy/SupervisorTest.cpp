// The shipped supervisord program section, run by a real supervisord: the
// server it starts streams to a viewer, a configuration error ends FATAL
// after a bounded number of retries, and when the X server dies the server
// is started again and streams. Runs inside a network namespace
// (tests/support/netns-run).
#include "catch.hpp"

#include "ChildProcess.hpp"
#include "JsonLine.hpp"
#include "TempDir.hpp"
#include "Supervisord.hpp"
#include "WebRtcReceiver.hpp"
#include "XvfbServer.hpp"
#include "loopback/SignallingServer.hpp"

#include <glib.h>
#include <gst/gst.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

using namespace vmrtc::test;
using namespace std::chrono_literals;
using vmrtc::SignallingServer;

namespace {

const std::string program = "vm-webrtc-server";
constexpr int tolerance = 40; // VP8 is lossy; flat colours stay close

std::string readFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string fromMeson(const char *name)
{
    const char *value = g_getenv(name);
    if (!value)
        FAIL(name << " is not set (run the test through meson)");
    return value;
}


// The test fails when the shipped file no longer holds `from` exactly once.
void replaceOnce(std::string &text, const std::string &from,
                 const std::string &to)
{
    INFO("the shipped program section must hold \"" << from << "\" once");
    size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    REQUIRE(text.find(from, at + 1) == std::string::npos);
    text.replace(at, from.size(), to);
}

// The program section meson installs, changed only where a test machine
// must differ: the binary is the build's, the env file and the log are
// the test's.
std::string shippedSection(const TempDir &dir, const std::string &envFile)
{
    std::string text = readFile(fromMeson("VMRTC_SUPERVISOR_CONF"));
    REQUIRE(text.find("[program:" + program + "]") != std::string::npos);

    replaceOnce(text, "command=" + fromMeson("VMRTC_INSTALLED_BINARY") + " ",
                "command=" + ChildProcess::serverBinary() + " ");
    replaceOnce(text, " --env-file /etc/environment ",
                " --env-file " + envFile + " ");
    replaceOnce(text, "=/var/log/supervisor/vm-webrtc-server.log\n",
                "=" + dir.path + "/vm-webrtc-server.log\n");
    REQUIRE(text.find("/var/log/") == std::string::npos);
    return text;
}

// A number setting of the shipped section, e.g. startretries.
int shippedNumber(const std::string &key)
{
    std::string text = readFile(fromMeson("VMRTC_SUPERVISOR_CONF"));
    std::smatch match;
    REQUIRE(std::regex_search(text, match,
                              std::regex("\n" + key + "=([0-9]+)\n")));
    return std::stoi(match[1]);
}

std::vector<JsonLine> programLog(const TempDir &dir)
{
    std::istringstream in(readFile(dir.path + "/vm-webrtc-server.log"));
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    std::vector<std::string> bad;
    std::vector<JsonLine> parsed = parseJsonLines(lines, &bad);
    for (const std::string &line : bad)
        UNSCOPED_INFO("not a JSON line: " << line);
    CHECK(bad.empty());
    return parsed;
}

size_t count(const std::vector<JsonLine> &lines, const std::string &key,
             const std::string &value)
{
    size_t n = 0;
    for (const JsonLine &line : lines)
        n += line.count(key) && line.at(key) == value;
    return n;
}

size_t occurrences(const std::string &text, const std::string &part)
{
    size_t n = 0;
    for (size_t at = text.find(part); at != std::string::npos;
         at = text.find(part, at + 1))
        n++;
    return n;
}

// The controller: a signalling server in this process, on loopback.
struct Controller {
    SignallingServer server;

    Controller()
    {
        std::string error;
        REQUIRE(server.start("127.0.0.1", 0, &error));
    }

    std::string url()
    {
        return "ws://127.0.0.1:" + std::to_string(server.port()) +
               "/signalling";
    }
};

std::string envFile(const std::string &session, const std::string &display,
                    const std::string &signallingUrl)
{
    std::string text = "# written by the supervisord test\n"
                       "DISPLAY=" + display + "\n"
                       "SIGNALLING_URL=" + signallingUrl + "\n"
                       "MASTER_CONTROLLER_URL=http://127.0.0.1:9\n";
    if (!session.empty())
        text += "SESSION_ID=" + session + "\n";
    return text;
}

bool isState(const Supervisord::Status &s, const std::string &state)
{
    return s.state == state;
}

// A display number no X server here holds now, for an Xvfb that must keep
// its number across restarts (-displayfd picks a new one each time).
int freeDisplayNumber()
{
    constexpr int first = 400;
    constexpr int span = 500;
    int start = g_random_int_range(0, span);
    for (int i = 0; i < span; i++) {
        int number = first + (start + i) % span;
        std::string lock = "/tmp/.X" + std::to_string(number) + "-lock";
        std::string socket = "/tmp/.X11-unix/X" + std::to_string(number);
        if (!g_file_test(lock.c_str(), G_FILE_TEST_EXISTS) &&
            !g_file_test(socket.c_str(), G_FILE_TEST_EXISTS))
            return number;
    }
    FAIL("no free X display number from " << first);
    return -1;
}

// Fills the root window, retrying while the X server is still starting.
void paint(const std::string &display, const std::string &colour)
{
    bool painted = WebRtcReceiver::pump(
        [&] {
            ChildProcess xsetroot({"/usr/bin/xsetroot", "-display", display,
                                   "-solid", colour},
                                  {});
            if (xsetroot.wait(10s) == 0)
                return true;
            g_usleep(200 * 1000);
            return false;
        },
        20s);
    REQUIRE(painted);
}

} // namespace

TEST_CASE("supervisord starts the shipped program and it streams",
          "[supervisor]")
{
    gst_init(nullptr, nullptr);
    XvfbServer xvfb(640, 360);
    xvfb.paint("#00ff00");
    Controller controller;
    TempDir dir("vmrtc-deploy");
    std::string env = dir.write("environment",
                                envFile("deploy-stream", xvfb.display(),
                                        controller.url()));
    Supervisord supervisord(dir.path, shippedSection(dir, env));

    auto running = supervisord.waitFor(
        program, [](auto &s) { return isState(s, "RUNNING"); }, 60s);
    REQUIRE(running.state == "RUNNING");

    WebRtcReceiver viewer(controller.url());
    REQUIRE(viewer.start("deploy-stream", 15s));
    REQUIRE(viewer.waitForFrames(3, 15s));
    CHECK(viewer.waitForColour({0, 255, 0}, tolerance, 5s));

    // Stopping sends SIGTERM: the viewer's session ends and the exit is 0.
    supervisord.control({"stop", program});
    auto stopped = supervisord.waitFor(
        program, [](auto &s) { return isState(s, "STOPPED"); }, 30s);
    CHECK(stopped.state == "STOPPED");
    CHECK(WebRtcReceiver::pump([&] { return viewer.sessionEnded(); }, 5s));
    CHECK(occurrences(supervisord.log(), "stopped: " + program +
                                             " (exit status 0)") == 1);

    // The program's log is JSON lines, in the file the section names; its
    // settings came from the env file on the command= line.
    std::vector<JsonLine> log = programLog(dir);
    CHECK(count(log, "message", "started") == 1);
    CHECK(count(log, "message", "stopped") == 1);
    CHECK(count(log, "signal", "TERM") >= 1);
    CHECK(count(log, "level", "fatal") == 0);
    CHECK(count(log, "session_id",
                "deploy-stream (env file " + env + ":5)") == 1);
}

TEST_CASE("a missing SESSION_ID ends FATAL after at most startretries "
          "restarts",
          "[supervisor]")
{
    XvfbServer xvfb(320, 240);
    TempDir dir("vmrtc-deploy");
    std::string env = dir.write(
        "environment", envFile("", xvfb.display(), "ws://127.0.0.1:9/x"));
    Supervisord supervisord(dir.path, shippedSection(dir, env));

    // EXITED too would be final: the program ran past startsecs.
    auto fatal = supervisord.waitFor(
        program,
        [](auto &s) { return isState(s, "FATAL") || isState(s, "EXITED"); },
        120s);
    REQUIRE(fatal.state == "FATAL");

    int retries = shippedNumber("startretries");
    size_t spawned = occurrences(supervisord.log(), "spawned: '" + program);
    CHECK(spawned >= 1);
    CHECK(spawned <= static_cast<size_t>(retries) + 1);
    CHECK(occurrences(supervisord.log(), "gave up: " + program) == 1);

    // One SESSION_ID_MISSING line per start, each naming the fix.
    std::vector<JsonLine> log = programLog(dir);
    CHECK(count(log, "code", "SESSION_ID_MISSING") == spawned);
    CHECK(count(log, "message", "started") == 0);
    for (const JsonLine &line : log) {
        if (!line.count("code") || line.at("code") != "SESSION_ID_MISSING")
            continue;
        CHECK(line.at("exit") == "78");
        CHECK(line.at("hint").find("supervisord") != std::string::npos);
    }
}

TEST_CASE("after the X server dies, supervisord restarts the server and it "
          "streams again",
          "[supervisor]")
{
    gst_init(nullptr, nullptr);
    Controller controller;
    TempDir dir("vmrtc-deploy");
    std::string display = ":" + std::to_string(freeDisplayNumber());
    std::string env = dir.write(
        "environment", envFile("deploy-x-lost", display, controller.url()));
    // The X server as a VM runs it: a program of its own, started first.
    std::string xvfb = "[program:xvfb]\n"
                       "command=/usr/bin/Xvfb " + display +
                       " -screen 0 640x360x24 -nolisten tcp -noreset\n"
                       "priority=100\n"
                       "autorestart=true\n"
                       "startsecs=1\n"
                       "redirect_stderr=true\n"
                       "stdout_logfile=" + dir.path + "/xvfb.log\n\n";
    Supervisord supervisord(dir.path, xvfb + shippedSection(dir, env));

    auto first = supervisord.waitFor(
        program, [](auto &s) { return isState(s, "RUNNING"); }, 60s);
    REQUIRE(first.state == "RUNNING");
    paint(display, "#ff0000");
    {
        WebRtcReceiver viewer(controller.url());
        REQUIRE(viewer.start("deploy-x-lost", 15s));
        CHECK(viewer.waitForColour({255, 0, 0}, tolerance, 15s));
    }

    supervisord.control({"signal", "KILL", "xvfb"});
    auto second = supervisord.waitFor(
        program,
        [&](auto &s) { return isState(s, "RUNNING") && s.pid != first.pid; },
        90s);
    REQUIRE(second.state == "RUNNING");
    CHECK(occurrences(supervisord.log(),
                      "exited: " + program +
                          " (exit status 69; not expected)") >= 1);

    std::vector<JsonLine> log = programLog(dir);
    CHECK(count(log, "code", "DISPLAY_LOST") >= 1);
    CHECK(count(log, "message", "started") >= 2);

    paint(display, "#0000ff");
    WebRtcReceiver viewer(controller.url());
    REQUIRE(viewer.start("deploy-x-lost", 15s));
    CHECK(viewer.waitForColour({0, 0, 255}, tolerance, 15s));
}
