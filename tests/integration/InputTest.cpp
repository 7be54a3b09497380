// Remote control end to end: a receiver's "control" data channel drives
// XTest input into an X client on the test's Xvfb, and sets its clipboard.
// Runs inside a network namespace (tests/support/netns-run).
#include "catch.hpp"

#include "InputRecorder.hpp"
#include "LoopbackServer.hpp"
#include "loopback/SignallingServer.hpp"
#include "WebRtcReceiver.hpp"
#include "XvfbServer.hpp"
#include "util/GRef.hpp"

#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include <csignal>
#include <cmath>
#include <cstdlib>

using namespace vmrtc::test;
using namespace std::chrono_literals;

namespace {

constexpr long shiftMask = 1, button1Mask = 1 << 8;

std::string quoted(const std::string &text)
{
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "\"";
}

// The "error" of a ControlResponseMessage: empty when it is null.
std::string replyError(const std::string &reply)
{
    vmrtc::GRef<JsonParser> parser =
        vmrtc::GRef<JsonParser>::adopt(json_parser_new());
    if (!json_parser_load_from_data(parser.get(), reply.c_str(), -1, nullptr))
        return "unparsable reply: " + reply;
    JsonObject *o = json_node_get_object(json_parser_get_root(parser.get()));
    if (std::string(json_object_get_string_member(o, "type")) !=
        "ControlResponseMessage")
        return "not a ControlResponseMessage: " + reply;
    JsonNode *error = json_object_get_member(o, "error");
    return JSON_NODE_HOLDS_NULL(error) ? "" : json_node_get_string(error);
}

// Requests as gstwebrtc-api's RemoteController writes them, numbered.
class Control {
public:
    explicit Control(WebRtcReceiver &viewer) : viewer_(viewer) {}

    // Sends a request body; returns the reply's error ("" when none).
    std::string request(const std::string &body)
    {
        long id = next_++;
        viewer_.sendControl("{\"id\":" + std::to_string(id) +
                            ",\"request\":" + body + "}");
        std::optional<std::string> reply = viewer_.waitForReply(id, 5s);
        return reply ? replyError(*reply) : "no reply";
    }

    std::string navigation(const std::string &event)
    {
        return request("{\"type\":\"navigationEvent\",\"event\":" + event +
                       "}");
    }

    std::string key(const char *kind, const std::string &keysym)
    {
        return navigation("{\"event\":\"" + std::string(kind) +
                          "\",\"key\":" + quoted(keysym) +
                          ",\"modifier_state\":\"\"}");
    }

    std::string mouse(const char *kind, double x, double y, int button = 0)
    {
        std::string b =
            button ? ",\"button\":" + std::to_string(button) : std::string();
        return navigation("{\"event\":\"" + std::string(kind) +
                          "\",\"x\":" + std::to_string(x) +
                          ",\"y\":" + std::to_string(y) + b + "}");
    }

    std::string scroll(double x, double y, double dx, double dy)
    {
        return navigation("{\"event\":\"MouseScroll\",\"x\":" +
                          std::to_string(x) + ",\"y\":" + std::to_string(y) +
                          ",\"delta_x\":" + std::to_string(dx) +
                          ",\"delta_y\":" + std::to_string(dy) + "}");
    }

    std::string clipboard(const std::string &text)
    {
        return request("{\"type\":\"clipboard\",\"text\":" + quoted(text) +
                       "}");
    }

    // Types one character as a browser reports it: its keysym, with Shift
    // around it when the viewer's keyboard needs Shift for it.
    void type(const std::string &keysym, bool shifted)
    {
        if (shifted)
            CHECK(key("KeyPress", "Shift_L").empty());
        CHECK(key("KeyPress", keysym).empty());
        CHECK(key("KeyRelease", keysym).empty());
        if (shifted)
            CHECK(key("KeyRelease", "Shift_L").empty());
    }

private:
    WebRtcReceiver &viewer_;
    long next_ = 0;
};

// An Xvfb of 1280x720 with the recorder's window over all of it, the
// server streaming it at half size, and one receiver with its channel.
struct Rig {
    explicit Rig(ChildProcess::Env env = {})
        : xvfb(1280, 720), recorder(xvfb.display()),
          server(xvfb.display(), "it-input", withVideoSize(std::move(env))),
          viewer(server.signallingUrl()), control(viewer)
    {
        gst_init(nullptr, nullptr);
        REQUIRE(viewer.start("it-input", 10s));
        REQUIRE(viewer.waitForControl(10s));
    }

    static ChildProcess::Env withVideoSize(ChildProcess::Env env)
    {
        env["VIDEO_WIDTH"] = "640";
        env["VIDEO_HEIGHT"] = "360";
        return env;
    }

    XvfbServer xvfb;
    InputRecorder recorder;
    LoopbackServer server;
    WebRtcReceiver viewer;
    Control control;
};

bool near(int actual, double expected)
{
    return std::abs(actual - expected) <= 1.0;
}

} // namespace

TEST_CASE("typed text, shifted and not ASCII, arrives exactly", "[input]")
{
    Rig rig;
    const std::vector<std::pair<std::string, bool>> keys{
        {"H", true},      {"e", false},     {"l", false},      {"l", false},
        {"o", false},     {"comma", false}, {"space", false},  {"W", true},
        {"o", false},     {"r", false},     {"l", false},      {"d", false},
        {"exclam", true}, {"space", false}, {"eacute", false}, {"EuroSign", false},
    };
    for (const auto &[keysym, shifted] : keys)
        rig.control.type(keysym, shifted);

    const std::string expected = "Hello, World! é€";
    rig.recorder.waitFor(
        [&](const auto &) { return rig.recorder.typedText() == expected; },
        3s);
    CHECK(rig.recorder.typedText() == expected);
}

TEST_CASE("a character typed while Shift is held comes out as sent",
          "[input]")
{
    Rig rig;
    // A viewer whose layout has "/" on Shift+7 sends Shift_L, then slash.
    CHECK(rig.control.key("KeyPress", "Shift_L").empty());
    rig.control.type("slash", false);
    rig.control.type("a", false);
    CHECK(rig.control.key("KeyRelease", "Shift_L").empty());

    rig.recorder.waitFor(
        [&](const auto &) { return rig.recorder.typedText() == "/a"; }, 3s);
    CHECK(rig.recorder.typedText() == "/a");
}

TEST_CASE("a click at the scaled video size lands within a pixel", "[input]")
{
    Rig rig; // 640x360 video of a 1280x720 screen
    CHECK(rig.control.mouse("MouseMove", 321.5, 180.25).empty());
    CHECK(rig.control.mouse("MouseButtonPress", 321.5, 180.25, 1).empty());
    CHECK(rig.control.mouse("MouseButtonRelease", 321.5, 180.25, 1).empty());

    rig.recorder.waitFor(
        [&](const auto &) {
            return !rig.recorder.events("button-release").empty();
        },
        3s);
    std::vector<XInputEvent> presses = rig.recorder.events("button-press");
    REQUIRE(presses.size() == 1);
    CHECK(presses[0].button == 1);
    CHECK(near(presses[0].x, 643.0));
    CHECK(near(presses[0].y, 360.5));
    CHECK(rig.recorder.events("button-release").size() == 1);

    // The far corner of the video is the last screen pixel.
    CHECK(rig.control.mouse("MouseMove", 640, 360).empty());
    std::optional<XInputEvent> pointer = rig.recorder.ask("pointer", "pointer", 3s);
    REQUIRE(pointer);
    CHECK(pointer->x == 1279);
    CHECK(pointer->y == 719);
}

TEST_CASE("scrolling clicks the wheel buttons; a drag moves with the button "
          "down",
          "[input]")
{
    Rig rig;
    CHECK(rig.control.scroll(100, 100, 0, -100).empty()); // two clicks down
    CHECK(rig.control.scroll(100, 100, 50, 0).empty());   // one click left

    CHECK(rig.control.mouse("MouseButtonPress", 10, 10, 1).empty());
    CHECK(rig.control.mouse("MouseMove", 100, 75).empty());
    CHECK(rig.control.mouse("MouseMove", 200, 150).empty());
    CHECK(rig.control.mouse("MouseButtonRelease", 200, 150, 1).empty());

    rig.recorder.waitFor(
        [&](const auto &) {
            return rig.recorder.events("button-release").size() == 4;
        },
        3s);
    std::vector<int> buttons;
    for (const XInputEvent &e : rig.recorder.events("button-press"))
        buttons.push_back(e.button);
    CHECK(buttons == std::vector<int>{5, 5, 6, 1});

    std::vector<XInputEvent> releases = rig.recorder.events("button-release");
    REQUIRE(releases.size() == 4);
    CHECK(releases.back().x == 400);
    CHECK(releases.back().y == 300);
    bool draggedThrough = false;
    for (const XInputEvent &e : rig.recorder.events("motion"))
        draggedThrough |= e.x == 200 && e.y == 150 && (e.state & button1Mask);
    CHECK(draggedThrough);
}

TEST_CASE("pasted text becomes the X clipboard", "[input]")
{
    Rig rig;
    const std::string text = "pasted ü € \"quoted\"";
    CHECK(rig.control.clipboard(text).empty());

    for (const char *selection : {"CLIPBOARD", "PRIMARY"}) {
        INFO(selection);
        auto utf8 = rig.recorder.ask(
            std::string("selection ") + selection + " UTF8_STRING", "selection",
            3s);
        REQUIRE(utf8);
        CHECK(utf8->error.empty());
        CHECK(utf8->text == text);
    }

    auto latin1 = rig.recorder.ask("selection CLIPBOARD STRING", "selection", 3s);
    REQUIRE(latin1);
    CHECK(latin1->text == "pasted ü ? \"quoted\"");

    auto targets =
        rig.recorder.ask("selection CLIPBOARD TARGETS", "selection", 3s);
    REQUIRE(targets);
    for (const char *target : {"TARGETS", "UTF8_STRING", "STRING"})
        CHECK(std::find(targets->targets.begin(), targets->targets.end(),
                        target) != targets->targets.end());
}

TEST_CASE("a viewer that leaves holding Shift and a button leaves nothing "
          "pressed",
          "[input]")
{
    Rig rig;
    CHECK(rig.control.key("KeyPress", "Shift_L").empty());
    CHECK(rig.control.mouse("MouseButtonPress", 50, 50, 1).empty());

    auto held = rig.recorder.ask("pointer", "pointer", 3s);
    REQUIRE(held);
    CHECK((held->mask & (shiftMask | button1Mask)) == (shiftMask | button1Mask));

    rig.viewer.stop();
    REQUIRE(rig.server.logSays("released what the viewer held"));
    auto after = rig.recorder.ask("pointer", "pointer", 3s);
    REQUIRE(after);
    CHECK((after->mask & (shiftMask | button1Mask)) == 0);
    auto keys = rig.recorder.ask("keys", "keys", 3s);
    REQUIRE(keys);
    CHECK(keys->down.empty());
}

TEST_CASE("with INPUT=none every request is refused and nothing injected",
          "[input]")
{
    Rig rig(ChildProcess::Env{{"INPUT", "none"}});
    CHECK_FALSE(rig.control.key("KeyPress", "a").empty());
    CHECK_FALSE(rig.control.key("KeyRelease", "a").empty());
    CHECK_FALSE(rig.control.mouse("MouseButtonPress", 50, 50, 1).empty());
    CHECK_FALSE(rig.control.mouse("MouseButtonRelease", 50, 50, 1).empty());
    CHECK_FALSE(rig.control.clipboard("secret").empty());

    WebRtcReceiver::pump([] { return false; }, 500ms);
    CHECK(rig.recorder.events("key-press").empty());
    CHECK(rig.recorder.events("button-press").empty());
    auto clipboard =
        rig.recorder.ask("selection CLIPBOARD UTF8_STRING", "selection", 3s);
    REQUIRE(clipboard);
    CHECK(clipboard->text.empty());
}

TEST_CASE("with INPUT=granted a session the signalling server did not grant "
          "is refused",
          "[input]")
{
    Rig rig(ChildProcess::Env{{"INPUT", "granted"}});
    std::string error = rig.control.key("KeyPress", "a");
    CHECK(error == "this session may not control the VM");
    WebRtcReceiver::pump([] { return false; }, 300ms);
    CHECK(rig.recorder.events("key-press").empty());
}

TEST_CASE("with INPUT=granted a session the signalling server granted may "
          "control",
          "[input]")
{
    gst_init(nullptr, nullptr);
    XvfbServer xvfb(1280, 720);
    InputRecorder recorder(xvfb.display());

    // A signalling server that grants control, as the master controller
    // does for the viewers it allows to drive the VM.
    vmrtc::SignallingServer signalling;
    signalling.setGrantControl(true);
    std::string error;
    REQUIRE(signalling.start("127.0.0.1", 0, &error));
    std::string url =
        "ws://127.0.0.1:" + std::to_string(signalling.port()) + "/signalling";
    ChildProcess server({ChildProcess::serverBinary()},
                        {{"DISPLAY", xvfb.display()},
                         {"SESSION_ID", "it-granted"},
                         {"HEALTH_PORT", "0"},
                         {"SIGNALLING_URL", url},
                         {"INPUT", "granted"}});
    REQUIRE(WebRtcReceiver::pump(
        [&] { return !signalling.producerIds().empty(); }, 10s));

    WebRtcReceiver viewer(url);
    REQUIRE(viewer.start("it-granted", 10s));
    REQUIRE(viewer.waitForControl(10s));
    Control control(viewer);
    control.type("a", false);
    CHECK(recorder.waitFor(
        [&](const auto &) { return recorder.typedText() == "a"; }, 3s));

    viewer.stop();
    server.signal(SIGTERM);
    CHECK(server.wait(5s) == 0);
}

TEST_CASE("with CLIPBOARD_OUT=on what the VM copies reaches the viewer",
          "[input]")
{
    Rig rig(ChildProcess::Env{{"CLIPBOARD_OUT", "on"}});
    auto copied = rig.recorder.ask("copy copied in the VM ü", "copy", 3s);
    REQUIRE(copied);

    const std::string notice = R"({"type":"InfoMessage","info":{"type":)"
                               R"("clipboard","text":"copied in the VM ü"}})";
    auto received = [&] {
        for (const std::string &m : rig.viewer.controlMessages()) {
            if (m == notice)
                return true;
        }
        return false;
    };
    CHECK(WebRtcReceiver::pump(received, 3s));

    // What a viewer pastes is not sent back to it.
    size_t before = rig.viewer.controlMessages().size();
    CHECK(rig.control.clipboard("from the viewer").empty());
    WebRtcReceiver::pump([] { return false; }, 500ms);
    CHECK(rig.viewer.controlMessages().size() == before + 1); // the reply
}

TEST_CASE("by default what the VM copies stays in the VM", "[input]")
{
    Rig rig;
    REQUIRE(rig.recorder.ask("copy a password", "copy", 3s));
    WebRtcReceiver::pump([] { return false; }, 1s);
    for (const std::string &m : rig.viewer.controlMessages())
        CHECK(m.find("a password") == std::string::npos);
}

TEST_CASE("bad requests are answered with an error and inject nothing",
          "[input]")
{
    Rig rig;
    const std::vector<std::string> bad{
        R"({"type":"bogus"})",
        R"({"type":"navigationEvent"})",
        R"({"type":"navigationEvent","event":{"event":"Teleport"}})",
        R"({"type":"navigationEvent","event":{"event":"MouseMove","x":1}})",
        R"({"type":"navigationEvent","event":{"event":"MouseMove","x":"1","y":1}})",
        R"({"type":"navigationEvent","event":{"event":"MouseMove","x":641,"y":1}})",
        R"({"type":"navigationEvent","event":{"event":"MouseMove","x":-1,"y":1}})",
        R"({"type":"navigationEvent","event":{"event":"MouseButtonPress","x":1,"y":1,"button":9}})",
        R"({"type":"navigationEvent","event":{"event":"KeyPress","key":"NoSuchKeysym"}})",
        R"({"type":"navigationEvent","event":{"event":"KeyPress"}})",
        R"({"type":"clipboard","text":5})",
        R"({"type":"clipboard"})",
    };
    for (const std::string &body : bad) {
        INFO(body);
        CHECK_FALSE(rig.control.request(body).empty());
    }

    // Not JSON, and no id: the reply says so with a null id.
    rig.viewer.sendControl("not json at all");
    CHECK(WebRtcReceiver::pump(
        [&] {
            for (const std::string &m : rig.viewer.controlMessages()) {
                if (m.find("\"id\":null") != std::string::npos)
                    return true;
            }
            return false;
        },
        3s));

    WebRtcReceiver::pump([] { return false; }, 300ms);
    CHECK(rig.recorder.events("key-press").empty());
    CHECK(rig.recorder.events("button-press").empty());
    CHECK(rig.recorder.events("motion").empty());

    // The channel still works.
    rig.control.type("a", false);
    CHECK(rig.recorder.waitFor(
        [&](const auto &) { return rig.recorder.typedText() == "a"; }, 3s));
    CHECK(rig.server.process().running());
}

TEST_CASE("a flood of requests is capped and logged once", "[input]")
{
    Rig rig;
    // Sent without waiting for replies: as fast as the channel goes.
    const int sent = 600;
    for (int i = 0; i < sent; i++)
        rig.viewer.sendControl(
            "{\"id\":" + std::to_string(1000 + i) +
            R"(,"request":{"type":"navigationEvent","event":{"event":"MouseMove","x":)" +
            std::to_string(i % 600) + R"(,"y":10}}})");
    REQUIRE(rig.viewer.waitForReply(1000 + sent - 1, 10s));

    int refused = 0;
    for (const std::string &m : rig.viewer.controlMessages())
        refused += m.find("requests a second") != std::string::npos;
    WARN(refused << " of " << sent << " requests refused");
    CHECK(refused < sent);
    size_t warnings = 0;
    for (const std::string &line : rig.server.process().stderrLines())
        warnings += line.find("faster than allowed") != std::string::npos;
    CHECK(warnings <= 3);
#if defined(__SANITIZE_ADDRESS__)
    // Sanitized, the server may handle fewer than 250 requests a second
    // (in one CI run, none of the 600 was refused), so the cap need not
    // bite at all; this run checks that the flood is answered and leaves
    // the server up. The unsanitized run and RateLimiterTest judge the cap.
#else
    CHECK(refused >= sent - 2 * 250);
    CHECK(warnings >= 1);
#endif
    CHECK(rig.server.process().running());
}
