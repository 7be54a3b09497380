// Logger: turns a record into GLib structured-log fields.
#include "log/Logger.hpp"

#include "log/LogWriter.hpp"

#include <glib.h>

#include <array>
#include <cctype>

namespace vmrtc {

namespace {

constexpr std::array levelNames{"trace",   "debug", "info",
                                "warning", "error", "fatal"};

GLogLevelFlags glibLevel(LogLevel level)
{
    switch (level) {
    case LogLevel::Trace:
    case LogLevel::Debug:
        return G_LOG_LEVEL_DEBUG;
    case LogLevel::Info:
        return G_LOG_LEVEL_INFO;
    case LogLevel::Warning:
        return G_LOG_LEVEL_WARNING;
    case LogLevel::Error:
    case LogLevel::Fatal:
        break;
    }
    // CRITICAL rather than ERROR: GLib aborts the process on ERROR.
    return G_LOG_LEVEL_CRITICAL;
}

std::string upperKey(std::string_view key)
{
    std::string upper;
    for (char c : key)
        upper += std::isalnum(static_cast<unsigned char>(c))
                     ? static_cast<char>(std::toupper(c))
                     : '_';
    return upper;
}

GLogField textField(const char *key, std::string_view value)
{
    return {key, value.data(), static_cast<gssize>(value.size())};
}

} // namespace

std::string_view logLevelName(LogLevel level)
{
    return levelNames[static_cast<size_t>(level)];
}

std::optional<LogLevel> parseLogLevel(std::string_view name)
{
    for (size_t i = 0; i < levelNames.size(); i++) {
        if (name == levelNames[i])
            return static_cast<LogLevel>(i);
    }
    return std::nullopt;
}

bool Logger::enabled(LogLevel level)
{
    return level >= LogWriter::threshold();
}

void Logger::log(LogLevel level, std::string_view message,
                 const LogFields &fields) const
{
    if (!enabled(level))
        return;

    std::vector<std::string> keys;
    keys.reserve(fields.size());
    for (const LogField &field : fields)
        keys.push_back(upperKey(field.key));

    std::vector<GLogField> glibFields{
        textField("MESSAGE", message),
        textField("GLIB_DOMAIN", "vm-webrtc-server"),
        textField("VMRTC_LEVEL", logLevelName(level)),
        textField("COMPONENT", component_),
    };
    for (size_t i = 0; i < fields.size(); i++)
        glibFields.push_back(textField(keys[i].c_str(), fields[i].value));

    g_log_structured_array(glibLevel(level), glibFields.data(),
                           glibFields.size());
}

} // namespace vmrtc
