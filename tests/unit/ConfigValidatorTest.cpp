// Unit tests of every validation rule and its problem code.
#include "catch.hpp"

#include "config/ConfigValidator.hpp"

using namespace vmrtc;

namespace {

LoadedSettings withValues(std::map<std::string, std::string> env)
{
    SettingsSources sources;
    env.try_emplace("SESSION_ID", "vm-1");
    env.try_emplace("DISPLAY", ":5");
    for (auto it = env.begin(); it != env.end();) {
        if (it->second == "<unset>")
            it = env.erase(it);
        else
            ++it;
    }
    sources.environment = env;
    return SettingsLoader::load(sources);
}

Validation validate(std::map<std::string, std::string> env,
                    ValidationContext context = {})
{
    return ConfigValidator::validate(withValues(std::move(env)), context);
}

std::vector<std::string> codes(const Validation &v)
{
    std::vector<std::string> out;
    for (const Problem &p : v.problems)
        out.push_back(p.code);
    return out;
}

Problem only(const Validation &v)
{
    REQUIRE(v.problems.size() == 1);
    return v.problems[0];
}

} // namespace

TEST_CASE("a complete configuration validates", "[validate]")
{
    Validation v = validate({{"VIDEO_FPS", "25"},
                             {"VIDEO_BITRATE_KBPS", "3000"},
                             {"VIDEO_WIDTH", "1280"},
                             {"VIDEO_HEIGHT", "720"},
                             {"SIGNALLING_TOKEN", "s3cret"}});
    CHECK(v.problems.empty());
    CHECK(v.config.sessionId == "vm-1");
    CHECK(v.config.display == ":5");
    CHECK(v.config.fps == 25);
    CHECK(v.config.bitrateKbps == 3000);
    CHECK(v.config.width == 1280);
    CHECK(v.config.height == 720);
    CHECK(v.config.signallingUrl ==
          "ws://192.168.100.1:4000/api/webrtc/signalling");
}

TEST_CASE("SESSION_ID_MISSING and DISPLAY_MISSING together", "[validate]")
{
    Validation v =
        validate({{"SESSION_ID", "<unset>"}, {"DISPLAY", "<unset>"}});
    CHECK(codes(v) ==
          std::vector<std::string>{"SESSION_ID_MISSING", "DISPLAY_MISSING"});
    for (const Problem &p : v.problems) {
        CHECK(p.exit == ExitCode::Config);
        CHECK(p.hint.find("--env-file") != std::string::npos);
        CHECK(p.hint.find("supervisord") == std::string::npos);
    }
}

TEST_CASE("under supervisor the hint explains /etc/environment", "[validate]")
{
    ValidationContext context;
    context.underSupervisor = true;
    Validation v = validate({{"SESSION_ID", "<unset>"}}, context);
    Problem p = only(v);
    CHECK(p.code == "SESSION_ID_MISSING");
    CHECK(p.hint.find("does not read /etc/environment") != std::string::npos);
    CHECK(p.hint.find("environment=SESSION_ID=") != std::string::npos);
    CHECK(p.hint.find("--env-file") != std::string::npos);
}

TEST_CASE("SESSION_ID_INVALID", "[validate]")
{
    for (std::string bad :
         {std::string("-leading-dash"), std::string(".dot"),
          std::string("has space"), std::string("slash/y"),
          std::string(129, 'a'), std::string(1000000, 'x'),
          std::string("caf\xc3\xa9"), std::string("bad\xff\xfe")}) {
        Validation v = validate({{"SESSION_ID", bad}});
        Problem p = only(v);
        CHECK(p.code == "SESSION_ID_INVALID");
        // The message quotes at most a short, printable prefix.
        CHECK(p.message.size() < 200);
        for (char c : p.message)
            CHECK(static_cast<unsigned char>(c) >= 0x20);
    }
    for (std::string good : {std::string("a"), std::string("A.b_c-d"),
                             std::string("9"), std::string(128, 'z')})
        CHECK(validate({{"SESSION_ID", good}}).problems.empty());
}

TEST_CASE("DISPLAY_INVALID", "[validate]")
{
    for (const char *bad :
         {"0", "host", ":", ":x", ":1.", ":1.x", "a b:1", ":123456", "::1"}) {
        INFO(bad);
        CHECK(only(validate({{"DISPLAY", bad}})).code == "DISPLAY_INVALID");
    }
    for (const char *good :
         {":0", ":99", ":1.0", "localhost:10.2", "10.0.0.1:0", "unix:3"}) {
        INFO(good);
        CHECK(validate({{"DISPLAY", good}}).problems.empty());
    }
}

TEST_CASE("CONTROLLER_URL_INVALID", "[validate]")
{
    for (const char *bad : {"ftp://h:4000", "not a url", "http://", "ws://h",
                            "http//missing-colon"}) {
        INFO(bad);
        CHECK(only(validate({{"MASTER_CONTROLLER_URL", bad}})).code ==
              "CONTROLLER_URL_INVALID");
    }
    for (const char *bad : {"http://h/x", "wss//h", "ws://"}) {
        INFO(bad);
        CHECK(only(validate({{"SIGNALLING_URL", bad}})).code ==
              "CONTROLLER_URL_INVALID");
    }
}

TEST_CASE("the signalling URL is derived from the controller URL", "[validate]")
{
    CHECK(ConfigValidator::deriveSignallingUrl("http://h:4000") ==
          "ws://h:4000/api/webrtc/signalling");
    CHECK(ConfigValidator::deriveSignallingUrl("https://h/base/") ==
          "wss://h/base/api/webrtc/signalling");
    CHECK(ConfigValidator::deriveSignallingUrl("ftp://h").empty());

    Validation v = validate({{"SIGNALLING_URL", "wss://sig.example:443/s"}});
    CHECK(v.problems.empty());
    CHECK(v.config.signallingUrl == "wss://sig.example:443/s");
}

TEST_CASE("SETTING_INVALID for numbers out of range", "[validate]")
{
    for (auto [name, bad] : std::vector<std::pair<std::string, std::string>>{
             {"VIDEO_FPS", "0"},
             {"VIDEO_FPS", "121"},
             {"VIDEO_FPS", "thirty"},
             {"VIDEO_FPS", "30fps"},
             {"VIDEO_FPS", "99999999999999999999999"},
             {"VIDEO_BITRATE_KBPS", "99"},
             {"VIDEO_BITRATE_KBPS", "-5"},
             {"VIDEO_WIDTH", "8193"},
             {"VIDEO_HEIGHT", "15"},
             {"HEALTH_PORT", "65536"},
             {"HEALTH_PORT", "-1"},
             {"HEALTH_PORT", "90 90"}}) {
        INFO(name << "=" << bad);
        Problem p = only(validate({{name, bad}}));
        CHECK(p.code == "SETTING_INVALID");
        CHECK(p.message.find(name) != std::string::npos);
        CHECK(p.subject == name);
    }
}

TEST_CASE("HEALTH_PORT defaults to 9090; 0 turns the endpoint off",
          "[validate]")
{
    CHECK(validate({}).config.healthPort == 9090);
    Validation off = validate({{"HEALTH_PORT", "0"}});
    CHECK(off.problems.empty());
    CHECK(off.config.healthPort == 0);
    CHECK(validate({{"HEALTH_PORT", "19090"}}).config.healthPort == 19090);
}

TEST_CASE("INPUT and CLIPBOARD_OUT take one of their words", "[validate]")
{
    Validation defaults = validate({});
    CHECK(defaults.config.input == InputPolicy::All);
    CHECK_FALSE(defaults.config.clipboardOut);

    Validation set = validate({{"INPUT", "granted"}, {"CLIPBOARD_OUT", "on"}});
    CHECK(set.problems.empty());
    CHECK(set.config.input == InputPolicy::Granted);
    CHECK(set.config.clipboardOut);
    CHECK(validate({{"INPUT", "none"}}).config.input == InputPolicy::Off);

    for (auto [name, bad] : std::vector<std::pair<std::string, std::string>>{
             {"INPUT", "some"}, {"INPUT", "ALL"}, {"CLIPBOARD_OUT", "yes"}}) {
        INFO(name << "=" << bad);
        Problem p = only(validate({{name, bad}}));
        CHECK(p.code == "SETTING_INVALID");
        CHECK(p.subject == name);
        CHECK(p.message.find("is not one of") != std::string::npos);
    }
}

TEST_CASE("STUN and TURN settings are checked; credentials never quoted",
          "[validate]")
{
    Validation ok =
        validate({{"STUN_SERVER", "stun://stun.example:3478"},
                  {"TURN_SERVERS",
                   "turn://u:p@t1:3478, turns://u2:p2@t2?transport=tcp"}});
    CHECK(ok.problems.empty());
    CHECK(ok.config.stunServer == "stun://stun.example:3478");
    CHECK(ok.config.turnServers ==
          std::vector<std::string>{"turn://u:p@t1:3478",
                                   "turns://u2:p2@t2:5349?transport=tcp"});

    Problem stun = only(validate({{"STUN_SERVER", "turn://u:p@h"}}));
    CHECK(stun.code == "SETTING_INVALID");

    Validation turn = validate(
        {{"TURN_SERVERS", "turn://user:hunter2@ok:1,turn://nopass@h:1"}});
    Problem p = only(turn);
    CHECK(p.code == "SETTING_INVALID");
    CHECK(p.message.find("entry 2") != std::string::npos);
    CHECK(p.message.find("hunter2") == std::string::npos);
    CHECK(p.message.find("nopass") == std::string::npos);
}

TEST_CASE("every problem is reported, not only the first", "[validate]")
{
    Validation v = validate({{"SESSION_ID", "<unset>"},
                             {"DISPLAY", "nope"},
                             {"MASTER_CONTROLLER_URL", "gopher://x"},
                             {"VIDEO_FPS", "0"},
                             {"VIDEO_BITRATE_KBPS", "x"}});
    CHECK(codes(v) ==
          std::vector<std::string>{"SESSION_ID_MISSING", "DISPLAY_INVALID",
                                   "CONTROLLER_URL_INVALID", "SETTING_INVALID",
                                   "SETTING_INVALID"});
    CHECK(exitCodeFor(v.problems) == ExitCode::Config);
}

TEST_CASE("quote keeps messages short and printable", "[validate]")
{
    CHECK(ConfigValidator::quote("abc") == "\"abc\"");
    CHECK(ConfigValidator::quote("a\nb") == "\"a\\x0ab\"");
    std::string q = ConfigValidator::quote(std::string(1000, 'x'));
    CHECK(q.find("(1000 bytes)") != std::string::npos);
    CHECK(q.size() < 70);
}

TEST_CASE("SIGNALLING_TOKEN reaches the config; control bytes are refused",
          "[validate]")
{
    Validation ok = validate({{"SIGNALLING_TOKEN", "abc.DEF-123"}});
    CHECK(ok.problems.empty());
    CHECK(ok.config.signallingToken == "abc.DEF-123");

    Problem bad = only(validate({{"SIGNALLING_TOKEN", "abc\r\nX-Evil: 1"}}));
    CHECK(bad.code == "SETTING_INVALID");
    CHECK(bad.message.find("Evil") == std::string::npos);
}
