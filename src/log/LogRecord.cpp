// LogRecord: JSON-line and text renderings of one record.
#include "log/LogRecord.hpp"

#include <glib.h>

#include <cstdio>
#include <ctime>

namespace vmrtc {

namespace {

struct BrokenDownTime {
    struct tm tm {};
    int millis = 0;
};

BrokenDownTime breakDown(int64_t realTimeUs)
{
    BrokenDownTime t;
    time_t seconds = static_cast<time_t>(realTimeUs / G_USEC_PER_SEC);
    gmtime_r(&seconds, &t.tm);
    t.millis = static_cast<int>(realTimeUs % G_USEC_PER_SEC / 1000);
    return t;
}

std::string isoTimestamp(int64_t realTimeUs)
{
    BrokenDownTime t = breakDown(realTimeUs);
    char buf[64];
    snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
             t.tm.tm_year + 1900, t.tm.tm_mon + 1, t.tm.tm_mday, t.tm.tm_hour,
             t.tm.tm_min, t.tm.tm_sec, t.millis);
    return buf;
}

std::string clockTime(int64_t realTimeUs)
{
    BrokenDownTime t = breakDown(realTimeUs);
    char buf[40];
    snprintf(buf, sizeof(buf), "%02d:%02d:%02d.%03d", t.tm.tm_hour, t.tm.tm_min,
             t.tm.tm_sec, t.millis);
    return buf;
}

void appendMember(std::string &out, std::string_view key,
                  std::string_view value)
{
    out += ',';
    appendJsonString(out, key);
    out += ':';
    appendJsonString(out, value);
}

bool needsQuotes(std::string_view value)
{
    if (value.empty())
        return true;
    for (char c : value) {
        if (c == ' ' || c == '"' || c == '=' || c == '\\' ||
            static_cast<unsigned char>(c) < 0x20)
            return true;
    }
    return false;
}

} // namespace

void appendJsonString(std::string &out, std::string_view value)
{
    char *valid =
        g_utf8_make_valid(value.data(), static_cast<gssize>(value.size()));
    out += '"';
    for (const char *p = valid; *p; p++) {
        unsigned char c = static_cast<unsigned char>(*p);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                char esc[8];
                snprintf(esc, sizeof(esc), "\\u%04x", c);
                out += esc;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += '"';
    g_free(valid);
}

std::string LogRecord::toJson() const
{
    std::string out = "{\"ts\":";
    appendJsonString(out, isoTimestamp(realTimeUs));
    appendMember(out, "level", logLevelName(level));
    appendMember(out, "component", component);

    bool messageWritten = false;
    for (const LogField &field : fields) {
        bool leading = field.key == "code";
        if (!leading && !messageWritten) {
            appendMember(out, "message", message);
            messageWritten = true;
        }
        appendMember(out, field.key, field.value);
    }
    if (!messageWritten)
        appendMember(out, "message", message);

    out += "}\n";
    return out;
}

std::string LogRecord::toText() const
{
    std::string level_name{logLevelName(level)};
    for (char &c : level_name)
        c = g_ascii_toupper(c);

    char head[64];
    snprintf(head, sizeof(head), "%s %-7s ", clockTime(realTimeUs).c_str(),
             level_name.c_str());

    std::string out = head + component + ": " + message;
    for (const LogField &field : fields) {
        out += ' ' + field.key + '=';
        if (needsQuotes(field.value))
            appendJsonString(out, field.value);
        else
            out += field.value;
    }

    // Keep the record on one line whatever its content.
    for (char &c : out) {
        if (c == '\n' || c == '\r')
            c = ' ';
    }
    out += '\n';
    return out;
}

} // namespace vmrtc
