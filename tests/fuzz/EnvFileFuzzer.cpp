// libFuzzer target: EnvFile::parse and IceServerUrl::parse on any text,
// checking that what they accept is well formed and what they refuse is
// refused with a proper reason.
#include "config/EnvFile.hpp"
#include "config/IceServerUrl.hpp"

#include <glib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

using namespace vmrtc;

namespace {

// Put among the credentials of a URL; a reason must never repeat it.
constexpr std::string_view secretMarker = "\x01secret\x01";

void check(bool ok, const char *what, std::string_view input)
{
    if (ok)
        return;
    std::fprintf(stderr, "fuzz-envfile: %s\n  input: %.*s\n", what,
                 static_cast<int>(input.size()), input.data());
    std::abort();
}

bool isKey(const std::string &key)
{
    if (key.empty() || !(g_ascii_isalpha(key[0]) || key[0] == '_'))
        return false;
    for (char c : key) {
        if (!g_ascii_isalnum(c) && c != '_')
            return false;
    }
    return true;
}

int lineCount(std::string_view text)
{
    int lines = 0;
    for (size_t at = 0; at < text.size(); lines++) {
        size_t end = text.find('\n', at);
        at = end == std::string_view::npos ? text.size() : end + 1;
    }
    return lines;
}

// Line numbers rise strictly, lie in the text, and no line is both an
// entry and an error.
void checkLines(const EnvFile &file, std::string_view text)
{
    int lines = lineCount(text);
    int last = 0;
    for (const EnvEntry &entry : file.entries) {
        check(entry.line > last && entry.line <= lines, "entry line", text);
        check(isKey(entry.key), "entry key", text);
        last = entry.line;
    }

    last = 0;
    for (const EnvLineError &error : file.errors) {
        check(error.line > last && error.line <= lines, "error line", text);
        check(!error.reason.empty(), "error without a reason", text);
        for (const EnvEntry &entry : file.entries)
            check(entry.line != error.line, "line both entry and error", text);
        last = error.line;
    }
}

// The entries written again, every value double quoted and escaped.
std::string requoted(const EnvFile &file)
{
    std::string out;
    for (const EnvEntry &entry : file.entries) {
        out += entry.key + "=\"";
        for (char c : entry.value) {
            if (c == '\n')
                out += "\\n";
            else if (c == '"' || c == '\\' || c == '$' || c == '`')
                out += {'\\', c};
            else
                out += c;
        }
        out += "\"\n";
    }
    return out;
}

EnvFile checkEnvFile(std::string_view text)
{
    EnvFile file = EnvFile::parse(text);
    checkLines(file, text);
    for (const EnvEntry &entry : file.entries) {
        const EnvEntry *last = file.find(entry.key);
        check(last && last->key == entry.key && last->line >= entry.line,
              "find() misses the last assignment", text);
    }

    std::string again = requoted(file);
    EnvFile reparsed = EnvFile::parse(again);
    check(reparsed.errors.empty(), "quoted values refused", again);
    check(reparsed.entries.size() == file.entries.size(), "entries lost",
          again);
    for (size_t i = 0; i < file.entries.size(); i++) {
        check(reparsed.entries[i].key == file.entries[i].key, "key changed",
              again);
        check(reparsed.entries[i].value == file.entries[i].value,
              "value changed", again);
    }
    return file;
}

bool sameUrl(const IceServerUrl &a, const IceServerUrl &b)
{
    return a.scheme == b.scheme && a.user == b.user &&
           a.password == b.password && a.host == b.host && a.port == b.port &&
           a.transport == b.transport;
}

void checkAccepted(const IceServerUrl &url, std::string_view text)
{
    bool turn = url.scheme == "turn" || url.scheme == "turns";
    check(turn || url.scheme == "stun", "scheme", text);
    check(url.port >= 1 && url.port <= 65535, "port", text);
    check(!url.host.empty(), "host", text);
    check(turn == !url.user.empty() && turn == !url.password.empty(),
          "credentials", text);
    check(url.transport.empty() || url.transport == "udp" ||
              url.transport == "tcp",
          "transport", text);

    std::string why;
    std::optional<IceServerUrl> again =
        IceServerUrl::parse(url.toString(), &why);
    check(again && sameUrl(*again, url), "toString() does not parse back",
          text);
}

void checkRefused(const std::string &why, std::string_view text)
{
    check(!why.empty(), "refused without a reason", text);
    check(g_utf8_validate(why.data(), static_cast<gssize>(why.size()), nullptr),
          "reason is not UTF-8", text);
    check(why.find('\n') == std::string::npos, "reason spans lines", text);
    check(why.find(secretMarker) == std::string::npos,
          "reason repeats the credentials", text);
}

void checkIceUrl(std::string_view text)
{
    std::string why;
    std::optional<IceServerUrl> url = IceServerUrl::parse(text, &why);
    if (url)
        checkAccepted(*url, text);
    else
        checkRefused(why, text);
}

// The text again with the marker just before its last '@', where a TURN
// URL's password ends.
std::optional<std::string> withSecret(std::string_view text)
{
    size_t at = text.rfind('@');
    if (at == std::string_view::npos)
        return std::nullopt;
    return std::string(text.substr(0, at)) + std::string(secretMarker) +
           std::string(text.substr(at));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::string_view text(reinterpret_cast<const char *>(data), size);
    EnvFile file = checkEnvFile(text);

    checkIceUrl(text);
    if (std::optional<std::string> secret = withSecret(text))
        checkIceUrl(*secret);
    for (const EnvEntry &entry : file.entries)
        checkIceUrl(entry.value);
    return 0;
}
