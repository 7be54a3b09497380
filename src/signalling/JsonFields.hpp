// Typed, bounded reads of the members of one JSON object from outside.
#pragma once

#include <json-glib/json-glib.h>

#include <cstddef>
#include <string>
#include <vector>

namespace vmrtc {

// Each read checks that the member is there with the right JSON type and
// within its bounds. The first failure is kept in *error, as a sentence
// naming the member, and makes every later read fail too, so a parser can
// read all it needs and check ok() once. The object is borrowed.
class JsonFields {
public:
    JsonFields(JsonObject *object, std::string *error)
        : object_(object), error_(error)
    {}

    bool ok() const { return error_->empty(); }
    bool has(const char *name) const;

    bool string(const char *name, size_t maxBytes, std::string *out);
    bool nonEmptyString(const char *name, size_t maxBytes, std::string *out);

    // An array of at most maxEntries strings.
    bool strings(const char *name, size_t maxEntries,
                 std::vector<std::string> *out);

    // An object or null (absent counts as null), as JSON text.
    bool meta(const char *name, size_t maxBytes, std::string *out);

    JsonObject *object(const char *name);

    // An integer 0-255.
    bool index(const char *name, unsigned *out);

    // An integer from min to max.
    bool integer(const char *name, gint64 min, gint64 max, gint64 *out);

    // Any finite JSON number, integer or not.
    bool number(const char *name, double *out);

    bool boolean(const char *name, bool *out);

    // Records why (unless a failure is already kept); returns false.
    bool fail(std::string why);

private:
    JsonNode *member(const char *name);
    bool holdsValue(JsonNode *node, GType type) const;

    JsonObject *object_;
    std::string *error_;
};

} // namespace vmrtc
