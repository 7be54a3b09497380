// Reader for KEY=VALUE environment files (/etc/environment, systemd's
// EnvironmentFile=).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmrtc {

struct EnvEntry {
    std::string key;
    std::string value;
    int line = 0;
};

struct EnvLineError {
    int line = 0;
    std::string reason;
};

// The accepted form: blank lines and lines starting with '#' are skipped;
// an optional "export " prefix; KEY is [A-Za-z_][A-Za-z0-9_]*; VALUE is
// unquoted (to the end of the line, trailing blanks dropped), 'single
// quoted' (taken literally) or "double quoted" (backslash escapes \" \\ \$
// \` \n). Blanks around '=' are allowed; CRLF line ends are accepted.
// A later assignment of a key overrides an earlier one.
class EnvFile {
public:
    static constexpr size_t maxBytes = 1024 * 1024;

    std::vector<EnvEntry> entries;
    std::vector<EnvLineError> errors; // malformed lines, skipped

    static EnvFile parse(std::string_view text);

    // Reads and parses a file. On failure returns nothing and sets *why to
    // the reason (missing, a directory, not text, too large, unreadable).
    static std::optional<EnvFile> load(const std::string &path,
                                       std::string *why);

    // The value of the last assignment of key, if any.
    const EnvEntry *find(std::string_view key) const;

private:
    void parseLine(std::string_view line, int number);
};

} // namespace vmrtc
