// One log record as the writer sees it, and its two textual renderings.
#pragma once

#include "log/Logger.hpp"

#include <cstdint>
#include <string>

namespace vmrtc {

struct LogRecord {
    int64_t realTimeUs = 0; // microseconds since the Unix epoch
    LogLevel level = LogLevel::Info;
    std::string component;
    std::string message;
    LogFields fields; // code and hint first when present, then context

    // {"ts":…,"level":…,"component":…,"code":…,"message":…,…} on one line.
    std::string toJson() const;

    // "18:31:29.123 INFO  config: message key=value" on one line.
    std::string toText() const;
};

// Appends value to out as a JSON string literal; bytes that are not UTF-8
// become U+FFFD so a line is always valid JSON.
void appendJsonString(std::string &out, std::string_view value);

} // namespace vmrtc
