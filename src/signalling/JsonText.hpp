// A check of JSON text that json-glib 1.6 would mishandle.
#pragma once

#include "util/GRef.hpp"

#include <string>
#include <string_view>

namespace vmrtc {

// False for text that json-glib 1.6 mishandles, to be refused before
// parsing: more than one JSON value (json-glib parses each, keeps the last
// and leaks the others), text where it may see more than one (it also
// reads comments and 'quoted' strings), escapes JSON lacks (octal ones make
// invalid UTF-8) and \u escapes of surrogates outside a high-low pair (it
// leaks, or makes invalid UTF-8). Otherwise a peer could make the server
// leak at will.
bool isSafeJsonText(std::string_view text);

// Parses text that must be one JSON object and safe as above. On failure
// returns null and sets *error to "<what> is not valid JSON" or "<what> is
// not a JSON object".
GRef<JsonNode> parseJsonObject(std::string_view text, const char *what,
                               std::string *error);

} // namespace vmrtc
