// The process's single GLib log writer: JSON lines, text or journald.
#pragma once

#include "log/LogRecord.hpp"

#include <glib.h>

#include <optional>
#include <string_view>

namespace vmrtc {

enum class LogFormat { Auto, Text, Json, Journal };

std::optional<LogFormat> parseLogFormat(std::string_view name);

// Installed once, first thing in main(); every record of the process
// (ours, GLib's, libsoup's, GStreamer's through GstLogBridge) passes here.
// Thread-safe: records may come from streaming threads.
class LogWriter {
public:
    // Installs the writer with the default format (auto) and level (info).
    static void install();

    // Auto picks text for a terminal on stderr and JSON otherwise.
    static void configure(LogFormat format, LogLevel threshold);

    static LogLevel threshold();

    // Builds the record a set of GLib fields describes.
    static LogRecord toRecord(GLogLevelFlags flags, const GLogField *fields,
                              gsize count);

private:
    static GLogWriterOutput write(GLogLevelFlags flags, const GLogField *fields,
                                  gsize count, gpointer data);
    static GLogWriterOutput writeJournal(const LogRecord &record,
                                         const GLogField *fields, gsize count);
};

} // namespace vmrtc
