// The logging API every part of the server uses: one Logger per component.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmrtc {

enum class LogLevel { Trace, Debug, Info, Warning, Error, Fatal };

// One piece of context on a log line, e.g. {"session", "4f2a…"}. Keys are
// lower-case words; they become upper-case journald fields.
struct LogField {
    std::string key;
    std::string value;
};

using LogFields = std::vector<LogField>;

std::string_view logLevelName(LogLevel level);
std::optional<LogLevel> parseLogLevel(std::string_view name);

// Writes structured records through GLib's structured logging, so that
// the single writer installed by LogWriter formats them. Levels:
// fatal = the process is about to exit; error = a session or the process is
// lost; warning = degraded but recovered; info = lifecycle;
// debug = negotiation steps; trace = SDP and candidate payloads.
// Never pass a secret (token, TURN credential) in a message or field.
class Logger {
public:
    explicit Logger(std::string_view component) : component_(component) {}

    void log(LogLevel level, std::string_view message,
             const LogFields &fields = {}) const;

    void trace(std::string_view m, const LogFields &f = {}) const
    {
        log(LogLevel::Trace, m, f);
    }
    void debug(std::string_view m, const LogFields &f = {}) const
    {
        log(LogLevel::Debug, m, f);
    }
    void info(std::string_view m, const LogFields &f = {}) const
    {
        log(LogLevel::Info, m, f);
    }
    void warning(std::string_view m, const LogFields &f = {}) const
    {
        log(LogLevel::Warning, m, f);
    }
    void error(std::string_view m, const LogFields &f = {}) const
    {
        log(LogLevel::Error, m, f);
    }
    void fatal(std::string_view m, const LogFields &f = {}) const
    {
        log(LogLevel::Fatal, m, f);
    }

    // False when the writer would drop a record of this level; lets callers
    // skip building expensive context (SDP dumps).
    static bool enabled(LogLevel level);

private:
    std::string component_;
};

} // namespace vmrtc
