// Unit tests of log record rendering and the GLib field mapping.
#include "catch.hpp"

#include "log/LogWriter.hpp"

#include <json-glib/json-glib.h>

#include <memory>

using namespace vmrtc;

namespace {

// Parses one JSON line; fails the test if it is not a JSON object.
std::shared_ptr<JsonParser> parse(const std::string &line)
{
    std::shared_ptr<JsonParser> parser(json_parser_new(), g_object_unref);
    GError *error = nullptr;
    bool ok = json_parser_load_from_data(
        parser.get(), line.c_str(), static_cast<gssize>(line.size()), &error);
    INFO((error ? error->message : ""));
    g_clear_error(&error);
    REQUIRE(ok);
    REQUIRE(JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser.get())));
    return parser;
}

std::string member(const std::shared_ptr<JsonParser> &parser, const char *key)
{
    JsonObject *o = json_node_get_object(json_parser_get_root(parser.get()));
    REQUIRE(json_object_has_member(o, key));
    return json_object_get_string_member(o, key);
}

LogRecord sample()
{
    LogRecord r;
    r.realTimeUs = 1'700'000'000'123'456;
    r.level = LogLevel::Fatal;
    r.component = "config";
    r.message = "SESSION_ID is not set";
    r.fields = {{"code", "SESSION_ID_MISSING"}, {"hint", "set it"}};
    return r;
}

} // namespace

TEST_CASE("a record renders as one JSON line in a fixed order", "[log]")
{
    std::string line = sample().toJson();
    CHECK(line.back() == '\n');
    CHECK(line.find('\n') == line.size() - 1);
    CHECK(line == "{\"ts\":\"2023-11-14T22:13:20.123Z\",\"level\":\"fatal\","
                  "\"component\":\"config\",\"code\":\"SESSION_ID_MISSING\","
                  "\"message\":\"SESSION_ID is not set\",\"hint\":\"set it\"}"
                  "\n");
}

TEST_CASE("JSON lines stay valid whatever the content", "[log]")
{
    LogRecord r = sample();
    r.message = "quote \" backslash \\ newline \n tab \t ctl \x01 del \x7f";
    r.fields = {{"bytes", "not utf-8: \xff\xfe caf\xe9"},
                {"utf8", "caf\xc3\xa9 \xe2\x82\xac"}};
    auto parsed = parse(r.toJson());
    CHECK(member(parsed, "message") == std::string(r.message));
    CHECK(member(parsed, "utf8") == "caf\xc3\xa9 \xe2\x82\xac");
    CHECK(member(parsed, "bytes").find("\xef\xbf\xbd") != std::string::npos);
}

TEST_CASE("text rendering is one readable line", "[log]")
{
    LogRecord r = sample();
    r.message = "two\nlines";
    r.fields.push_back({"file", "/etc/my env"});
    std::string line = r.toText();
    CHECK(line.find("FATAL") != std::string::npos);
    CHECK(line.find("config: two lines") != std::string::npos);
    CHECK(line.find("code=SESSION_ID_MISSING") != std::string::npos);
    CHECK(line.find("file=\"/etc/my env\"") != std::string::npos);
    CHECK(line.find('\n') == line.size() - 1);
}

TEST_CASE("GLib fields map to a record", "[log]")
{
    const GLogField ours[] = {
        {"MESSAGE", "hello", -1},     {"GLIB_DOMAIN", "vm-webrtc-server", -1},
        {"VMRTC_LEVEL", "trace", -1}, {"COMPONENT", "session", -1},
        {"SESSION", "abc", -1},       {"CODE_FILE", "x.c", -1},
        {"CODE", "X_Y", -1},
    };
    LogRecord r = LogWriter::toRecord(G_LOG_LEVEL_DEBUG, ours, 7);
    CHECK(r.level == LogLevel::Trace);
    CHECK(r.component == "session");
    CHECK(r.message == "hello");
    REQUIRE(r.fields.size() == 2);
    CHECK(r.fields[0].key == "code");
    CHECK(r.fields[1].key == "session");

    const GLogField foreign[] = {{"MESSAGE", "soup says", -1},
                                 {"GLIB_DOMAIN", "libsoup", -1}};
    LogRecord f = LogWriter::toRecord(G_LOG_LEVEL_WARNING, foreign, 2);
    CHECK(f.level == LogLevel::Warning);
    CHECK(f.component == "libsoup");
}

TEST_CASE("level and format names", "[log]")
{
    CHECK(parseLogLevel("warning") == LogLevel::Warning);
    CHECK_FALSE(parseLogLevel("verbose"));
    CHECK(logLevelName(LogLevel::Trace) == "trace");
    CHECK(parseLogFormat("journal") == LogFormat::Journal);
    CHECK_FALSE(parseLogFormat("xml"));
}
