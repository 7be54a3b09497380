// EnvFile: parse KEY=VALUE files line by line; a bad line never stops it.
#include "config/EnvFile.hpp"

#include <glib.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vmrtc {

namespace {

bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

std::string_view trimLeft(std::string_view s)
{
    while (!s.empty() && isBlank(s.front()))
        s.remove_prefix(1);
    return s;
}

std::string_view trimRight(std::string_view s)
{
    while (!s.empty() && isBlank(s.back()))
        s.remove_suffix(1);
    return s;
}

bool isKeyStart(char c)
{
    return g_ascii_isalpha(c) || c == '_';
}

bool isKeyChar(char c)
{
    return g_ascii_isalnum(c) || c == '_';
}

// After a closing quote only blanks or a comment may follow.
bool onlyCommentLeft(std::string_view rest)
{
    rest = trimLeft(rest);
    return rest.empty() || rest.front() == '#';
}

struct Unquoted {
    std::string value;
    const char *error = nullptr;
};

Unquoted unquoteSingle(std::string_view raw)
{
    size_t end = raw.find('\'', 1);
    if (end == std::string_view::npos)
        return {{}, "unterminated single quote"};
    if (!onlyCommentLeft(raw.substr(end + 1)))
        return {{}, "text after the closing quote"};
    return {std::string(raw.substr(1, end - 1))};
}

Unquoted unquoteDouble(std::string_view raw)
{
    std::string value;
    for (size_t i = 1; i < raw.size(); i++) {
        char c = raw[i];
        if (c == '"') {
            if (!onlyCommentLeft(raw.substr(i + 1)))
                return {{}, "text after the closing quote"};
            return {value};
        }
        if (c == '\\' && i + 1 < raw.size()) {
            char next = raw[++i];
            if (next == 'n')
                value += '\n';
            else if (std::strchr("\"\\$`", next))
                value += next;
            else
                value += {'\\', next};
            continue;
        }
        value += c;
    }
    return {{}, "unterminated double quote"};
}

} // namespace

EnvFile EnvFile::parse(std::string_view text)
{
    EnvFile file;
    int number = 0;
    while (!text.empty()) {
        size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{}
                                             : text.substr(end + 1);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        file.parseLine(line, ++number);
    }
    return file;
}

void EnvFile::parseLine(std::string_view line, int number)
{
    line = trimRight(trimLeft(line));
    if (line.empty() || line.front() == '#')
        return;

    if (line.starts_with("export") && line.size() > 6 && isBlank(line[6]))
        line = trimLeft(line.substr(6));

    size_t keyEnd = 0;
    while (keyEnd < line.size() && isKeyChar(line[keyEnd]))
        keyEnd++;
    std::string_view key = line.substr(0, keyEnd);
    std::string_view rest = trimLeft(line.substr(keyEnd));
    if (key.empty() || !isKeyStart(key.front()) || rest.empty() ||
        rest.front() != '=') {
        errors.push_back({number, "expected KEY=VALUE"});
        return;
    }

    std::string_view raw = trimLeft(rest.substr(1));
    Unquoted value;
    if (!raw.empty() && raw.front() == '\'')
        value = unquoteSingle(raw);
    else if (!raw.empty() && raw.front() == '"')
        value = unquoteDouble(raw);
    else
        value.value = std::string(raw);

    if (value.error) {
        errors.push_back({number, value.error});
        return;
    }
    entries.push_back({std::string(key), std::move(value.value), number});
}

std::optional<EnvFile> EnvFile::load(const std::string &path, std::string *why)
{
    why->clear();
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        *why = std::strerror(errno);
        return std::nullopt;
    }

    struct stat st {};
    std::string text;
    if (fstat(fd, &st) != 0) {
        *why = std::strerror(errno);
    } else if (S_ISDIR(st.st_mode)) {
        *why = "it is a directory";
    } else if (!S_ISREG(st.st_mode)) {
        *why = "it is not a regular file";
    } else if (static_cast<size_t>(st.st_size) > maxBytes) {
        *why = "it is larger than 1 MiB";
    } else {
        text.resize(static_cast<size_t>(st.st_size));
        ssize_t n = read(fd, text.data(), text.size());
        if (n < 0)
            *why = std::strerror(errno);
        else
            text.resize(static_cast<size_t>(n));
    }
    close(fd);

    if (!why->empty())
        return std::nullopt;
    if (text.find('\0') != std::string::npos) {
        *why = "it contains NUL bytes (a binary file, not KEY=VALUE text)";
        return std::nullopt;
    }
    return parse(text);
}

const EnvEntry *EnvFile::find(std::string_view key) const
{
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        if (it->key == key)
            return &*it;
    }
    return nullptr;
}

} // namespace vmrtc
