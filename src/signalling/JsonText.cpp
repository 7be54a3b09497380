// isSafeJsonText: a strict scan of JSON text before json-glib parses it.
#include "signalling/JsonText.hpp"

#include <glib.h>

#include <algorithm>

namespace vmrtc {

namespace {

bool isJsonBlank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// The code unit of the \uXXXX escape at text[at]; -1 if none is there.
int unicodeEscape(std::string_view text, size_t at)
{
    if (text.substr(at, 2) != "\\u" || text.size() < at + 6)
        return -1;

    int unit = 0;
    for (char c : text.substr(at + 2, 4)) {
        int digit = g_ascii_xdigit_value(c);
        if (digit < 0)
            return -1;
        unit = unit * 16 + digit;
    }
    return unit;
}

bool isHighSurrogate(int unit)
{
    return unit >= 0xd800 && unit <= 0xdbff;
}

bool isLowSurrogate(int unit)
{
    return unit >= 0xdc00 && unit <= 0xdfff;
}

// Just past the escape whose backslash is text[at]; npos for one that
// JSON lacks, as json-glib 1.6 also reads octal ones ("\222") that make
// invalid UTF-8, and for a \u escape it mishandles: one without four hex
// digits, or a surrogate outside a high-low pair (it leaks, or decodes it
// to invalid UTF-8).
size_t escapeEnd(std::string_view text, size_t at)
{
    if (at + 1 >= text.size())
        return std::string_view::npos;
    constexpr std::string_view shortEscapes = "\"\\/bfnrt";
    if (text[at + 1] != 'u')
        return shortEscapes.find(text[at + 1]) != shortEscapes.npos
                   ? at + 2
                   : std::string_view::npos;

    int unit = unicodeEscape(text, at);
    if (unit < 0 || isLowSurrogate(unit))
        return std::string_view::npos;
    if (!isHighSurrogate(unit))
        return at + 6;
    return isLowSurrogate(unicodeEscape(text, at + 6)) ? at + 12
                                                       : std::string_view::npos;
}

// Just past the string that opens at text[start]; npos when it does not
// close or has an escape json-glib mishandles.
size_t stringEnd(std::string_view text, size_t start)
{
    for (size_t i = start + 1; i < text.size(); i++) {
        if (text[i] == '"')
            return i + 1;
        if (text[i] != '\\')
            continue;

        size_t end = escapeEnd(text, i);
        if (end == std::string_view::npos)
            return end;
        i = end - 1;
    }
    return std::string_view::npos;
}

// Just past the object or array that opens at text[start]; npos when it
// does not close, or has what json-glib reads but JSON lacks (comments,
// 'single-quoted' strings), where the two could see other boundaries.
size_t containerEnd(std::string_view text, size_t start)
{
    size_t depth = 0;
    for (size_t i = start; i < text.size(); i++) {
        char c = text[i];
        if (c == '"') {
            size_t end = stringEnd(text, i);
            if (end == std::string_view::npos)
                return end;
            i = end - 1;
        } else if (c == '\'' || c == '/') {
            return std::string_view::npos;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            return i + 1;
        }
    }
    return std::string_view::npos;
}

} // namespace

bool isSafeJsonText(std::string_view text)
{
    size_t start = 0;
    while (start < text.size() && isJsonBlank(text[start]))
        start++;
    if (start == text.size())
        return true; // nothing: the parser says what is wrong

    size_t end;
    if (text[start] == '"')
        end = stringEnd(text, start);
    else if (text[start] == '{' || text[start] == '[')
        end = containerEnd(text, start);
    else // a number or a bare word
        end = std::min(text.find_first_of(" \t\r\n{}[]\"',:/", start),
                       text.size());
    if (end == std::string_view::npos)
        return false;

    return std::all_of(text.begin() + end, text.end(), isJsonBlank);
}

GRef<JsonNode> parseJsonObject(std::string_view text, const char *what,
                               std::string *error)
{
    GRef<JsonParser> parser = GRef<JsonParser>::adopt(json_parser_new());
    if (!isSafeJsonText(text) ||
        !json_parser_load_from_data(parser.get(), text.data(),
                                    static_cast<gssize>(text.size()),
                                    nullptr)) {
        *error = std::string(what) + " is not valid JSON";
        return {};
    }

    JsonNode *root = json_parser_get_root(parser.get());
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        *error = std::string(what) + " is not a JSON object";
        return {};
    }
    return GRef<JsonNode>::share(root);
}

} // namespace vmrtc
