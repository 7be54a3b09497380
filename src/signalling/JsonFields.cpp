// JsonFields: checked reads of JSON members, one failure kept.
#include "signalling/JsonFields.hpp"

#include "util/GRef.hpp"

#include <cmath>
#include <string_view>

namespace vmrtc {

bool JsonFields::has(const char *name) const
{
    return json_object_has_member(object_, name);
}

bool JsonFields::string(const char *name, size_t maxBytes, std::string *out)
{
    JsonNode *node = member(name);
    if (!node)
        return false;
    if (!holdsValue(node, G_TYPE_STRING))
        return fail(std::string(name) + " must be a string");

    const char *text = json_node_get_string(node);
    if (std::string_view(text).size() > maxBytes)
        return fail(std::string(name) + " is longer than " +
                    std::to_string(maxBytes) + " bytes");
    *out = text;
    return true;
}

bool JsonFields::nonEmptyString(const char *name, size_t maxBytes,
                                std::string *out)
{
    if (!string(name, maxBytes, out))
        return false;
    return !out->empty() || fail(std::string(name) + " is empty");
}

bool JsonFields::strings(const char *name, size_t maxEntries,
                         std::vector<std::string> *out)
{
    JsonNode *node = member(name);
    if (!node)
        return false;
    std::string wrongType = std::string(name) + " must be an array of strings";
    if (!JSON_NODE_HOLDS_ARRAY(node))
        return fail(wrongType);

    JsonArray *array = json_node_get_array(node);
    guint n = json_array_get_length(array);
    if (n > maxEntries)
        return fail(std::string(name) + " has more than " +
                    std::to_string(maxEntries) + " entries");
    for (guint i = 0; i < n; i++) {
        JsonNode *entry = json_array_get_element(array, i);
        if (!holdsValue(entry, G_TYPE_STRING))
            return fail(wrongType);
        out->push_back(json_node_get_string(entry));
    }
    return true;
}

bool JsonFields::meta(const char *name, size_t maxBytes, std::string *out)
{
    if (!has(name))
        return true;
    JsonNode *node = json_object_get_member(object_, name);
    if (JSON_NODE_HOLDS_NULL(node))
        return true;
    if (!JSON_NODE_HOLDS_OBJECT(node))
        return fail(std::string(name) + " must be an object or null");

    GUnique<char> text{json_to_string(node, FALSE)};
    if (std::string_view(text.get()).size() > maxBytes)
        return fail(std::string(name) + " is larger than " +
                    std::to_string(maxBytes / 1024) + " KiB");
    *out = text.get();
    return true;
}

JsonObject *JsonFields::object(const char *name)
{
    JsonNode *node = member(name);
    if (!node)
        return nullptr;
    if (!JSON_NODE_HOLDS_OBJECT(node)) {
        fail(std::string(name) + " must be an object");
        return nullptr;
    }
    return json_node_get_object(node);
}

bool JsonFields::index(const char *name, unsigned *out)
{
    JsonNode *node = member(name);
    if (!node)
        return false;
    if (!holdsValue(node, G_TYPE_INT64) || json_node_get_int(node) < 0 ||
        json_node_get_int(node) > 255)
        return fail(std::string(name) + " must be an integer 0-255");
    *out = static_cast<unsigned>(json_node_get_int(node));
    return true;
}

bool JsonFields::integer(const char *name, gint64 min, gint64 max,
                         gint64 *out)
{
    JsonNode *node = member(name);
    if (!node)
        return false;
    gint64 value = holdsValue(node, G_TYPE_INT64) ? json_node_get_int(node) : 0;
    if (!holdsValue(node, G_TYPE_INT64) || value < min || value > max)
        return fail(std::string(name) + " must be an integer from " +
                    std::to_string(min) + " to " + std::to_string(max));
    *out = value;
    return true;
}

bool JsonFields::number(const char *name, double *out)
{
    JsonNode *node = member(name);
    if (!node)
        return false;
    bool isInteger = holdsValue(node, G_TYPE_INT64);
    if (!isInteger && !holdsValue(node, G_TYPE_DOUBLE))
        return fail(std::string(name) + " must be a number");

    double value = isInteger ? static_cast<double>(json_node_get_int(node))
                             : json_node_get_double(node);
    if (!std::isfinite(value))
        return fail(std::string(name) + " must be a finite number");
    *out = value;
    return true;
}

bool JsonFields::boolean(const char *name, bool *out)
{
    JsonNode *node = member(name);
    if (!node)
        return false;
    if (!holdsValue(node, G_TYPE_BOOLEAN))
        return fail(std::string(name) + " must be true or false");
    *out = json_node_get_boolean(node);
    return true;
}

bool JsonFields::fail(std::string why)
{
    if (ok())
        *error_ = std::move(why);
    return false;
}

JsonNode *JsonFields::member(const char *name)
{
    if (!ok())
        return nullptr;
    JsonNode *node = json_object_get_member(object_, name);
    if (!node)
        fail(std::string("missing ") + name);
    return node;
}

bool JsonFields::holdsValue(JsonNode *node, GType type) const
{
    return JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == type;
}

} // namespace vmrtc
