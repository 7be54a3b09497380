// LogWriter: the GLib structured-log writer of the process.
#include "log/LogWriter.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include <unistd.h>

namespace vmrtc {

namespace {

std::atomic<LogFormat> activeFormat{LogFormat::Json};
std::atomic<LogLevel> activeThreshold{LogLevel::Info};

LogLevel levelFromFlags(GLogLevelFlags flags)
{
    if (flags & G_LOG_LEVEL_ERROR)
        return LogLevel::Fatal;
    if (flags & G_LOG_LEVEL_CRITICAL)
        return LogLevel::Error;
    if (flags & G_LOG_LEVEL_WARNING)
        return LogLevel::Warning;
    if (flags & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO))
        return LogLevel::Info;
    return LogLevel::Debug;
}

std::string_view fieldText(const GLogField &field)
{
    const char *text = static_cast<const char *>(field.value);
    if (!text)
        return {};
    return field.length < 0 ? std::string_view(text)
                            : std::string_view(text, field.length);
}

bool isBookkeeping(std::string_view key)
{
    return key == "PRIORITY" || key == "CODE_FILE" || key == "CODE_LINE" ||
           key == "CODE_FUNC" || key == "SYSLOG_IDENTIFIER" ||
           key == "MESSAGE_ID" || key == "GLIB_OLD_LOG_API";
}

std::string lowerKey(std::string_view key)
{
    std::string lower{key};
    for (char &c : lower)
        c = g_ascii_tolower(c);
    return lower;
}

void writeAll(int fd, const std::string &text)
{
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        done += static_cast<size_t>(n);
    }
}

const char *syslogPriority(LogLevel level)
{
    switch (level) {
    case LogLevel::Trace:
    case LogLevel::Debug:
        return "7";
    case LogLevel::Info:
        return "6";
    case LogLevel::Warning:
        return "4";
    case LogLevel::Error:
        return "3";
    case LogLevel::Fatal:
        break;
    }
    return "2";
}

} // namespace

std::optional<LogFormat> parseLogFormat(std::string_view name)
{
    if (name == "auto")
        return LogFormat::Auto;
    if (name == "text")
        return LogFormat::Text;
    if (name == "json")
        return LogFormat::Json;
    if (name == "journal")
        return LogFormat::Journal;
    return std::nullopt;
}

void LogWriter::install()
{
    configure(LogFormat::Auto, LogLevel::Info);
    g_log_set_writer_func(&LogWriter::write, nullptr, nullptr);
}

void LogWriter::configure(LogFormat format, LogLevel threshold)
{
    if (format == LogFormat::Auto)
        format = isatty(STDERR_FILENO) ? LogFormat::Text : LogFormat::Json;
    activeFormat = format;
    activeThreshold = threshold;
}

LogLevel LogWriter::threshold()
{
    return activeThreshold;
}

LogRecord LogWriter::toRecord(GLogLevelFlags flags, const GLogField *fields,
                              gsize count)
{
    LogRecord record;
    record.realTimeUs = g_get_real_time();
    record.level = levelFromFlags(flags);

    std::string domain = "glib";
    LogFields context;
    for (gsize i = 0; i < count; i++) {
        std::string_view key = fields[i].key;
        std::string_view text = fieldText(fields[i]);
        if (key == "MESSAGE")
            record.message = text;
        else if (key == "COMPONENT")
            record.component = text;
        else if (key == "GLIB_DOMAIN")
            domain = text;
        else if (key == "VMRTC_LEVEL")
            record.level = parseLogLevel(text).value_or(record.level);
        else if (key == "CODE")
            record.fields.push_back({"code", std::string(text)});
        else if (!isBookkeeping(key))
            context.push_back({lowerKey(key), std::string(text)});
    }

    if (record.component.empty())
        record.component = domain;
    for (LogField &field : context)
        record.fields.push_back(std::move(field));
    return record;
}

GLogWriterOutput LogWriter::write(GLogLevelFlags flags, const GLogField *fields,
                                  gsize count, gpointer)
{
    LogRecord record = toRecord(flags, fields, count);
    if (record.level < activeThreshold)
        return G_LOG_WRITER_HANDLED;

    // Other libraries' debug chatter only when G_MESSAGES_DEBUG asks.
    bool ours = record.component != "glib";
    for (gsize i = 0; i < count && ours; i++) {
        if (std::string_view(fields[i].key) == "GLIB_DOMAIN")
            ours = fieldText(fields[i]) == "vm-webrtc-server";
    }
    if (!ours && record.level <= LogLevel::Info &&
        g_log_writer_default_would_drop(flags, record.component.c_str()))
        return G_LOG_WRITER_HANDLED;

    switch (activeFormat.load()) {
    case LogFormat::Journal:
        if (writeJournal(record, fields, count) == G_LOG_WRITER_HANDLED)
            break;
        [[fallthrough]];
    case LogFormat::Auto:
    case LogFormat::Text:
        writeAll(STDERR_FILENO, record.toText());
        break;
    case LogFormat::Json:
        writeAll(STDERR_FILENO, record.toJson());
        break;
    }
    return G_LOG_WRITER_HANDLED;
}

GLogWriterOutput LogWriter::writeJournal(const LogRecord &record,
                                         const GLogField *fields, gsize count)
{
    std::string message = record.component + ": " + record.message;
    std::vector<GLogField> journal{
        {"MESSAGE", message.c_str(), -1},
        {"PRIORITY", syslogPriority(record.level), -1},
        {"SYSLOG_IDENTIFIER", "vm-webrtc-server", -1},
    };
    for (gsize i = 0; i < count; i++) {
        std::string_view key = fields[i].key;
        if (key != "MESSAGE" && key != "PRIORITY" && key != "SYSLOG_IDENTIFIER")
            journal.push_back(fields[i]);
    }
    return g_log_writer_journald(G_LOG_LEVEL_INFO, journal.data(),
                                 journal.size(), nullptr);
}

} // namespace vmrtc
