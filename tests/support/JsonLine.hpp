// Reading the server's JSON log lines in tests.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vmrtc::test {

// The string members of one JSON log line; nothing when the line is not a
// JSON object of strings.
using JsonLine = std::map<std::string, std::string>;

std::optional<JsonLine> parseJsonLine(const std::string &line);

// Every line that parses; the lines that do not are returned in *bad.
std::vector<JsonLine> parseJsonLines(const std::vector<std::string> &lines,
                                     std::vector<std::string> *bad);

} // namespace vmrtc::test
