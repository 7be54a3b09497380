// JsonLine: json-glib parsing of log lines.
#include "JsonLine.hpp"

#include <json-glib/json-glib.h>

#include <memory>

namespace vmrtc::test {

std::optional<JsonLine> parseJsonLine(const std::string &line)
{
    std::unique_ptr<JsonParser, decltype(&g_object_unref)> parser(
        json_parser_new(), g_object_unref);
    if (!json_parser_load_from_data(parser.get(), line.c_str(),
                                    static_cast<gssize>(line.size()), nullptr))
        return std::nullopt;

    JsonNode *root = json_parser_get_root(parser.get());
    if (!root || !JSON_NODE_HOLDS_OBJECT(root))
        return std::nullopt;

    JsonLine out;
    JsonObject *object = json_node_get_object(root);
    GList *members = json_object_get_members(object);
    for (GList *m = members; m; m = m->next) {
        auto *name = static_cast<const char *>(m->data);
        JsonNode *node = json_object_get_member(object, name);
        if (json_node_get_value_type(node) == G_TYPE_STRING)
            out[name] = json_node_get_string(node);
    }
    g_list_free(members);
    return out;
}

std::vector<JsonLine> parseJsonLines(const std::vector<std::string> &lines,
                                     std::vector<std::string> *bad)
{
    std::vector<JsonLine> out;
    for (const std::string &line : lines) {
        if (auto parsed = parseJsonLine(line))
            out.push_back(*parsed);
        else
            bad->push_back(line);
    }
    return out;
}

} // namespace vmrtc::test
