// ControlRequest: the control channel's JSON, every field checked.
#include "input/ControlRequest.hpp"

#include "signalling/JsonFields.hpp"
#include "signalling/JsonText.hpp"
#include "util/GRef.hpp"

#include <json-glib/json-glib.h>

#include <algorithm>
#include <array>
#include <utility>

namespace vmrtc {

namespace {

using Named = std::pair<std::string_view, NavigationKind>;

constexpr std::array<Named, 11> kindNames{{
    {"MouseMove", NavigationKind::MouseMove},
    {"MouseButtonPress", NavigationKind::MouseButtonPress},
    {"MouseButtonRelease", NavigationKind::MouseButtonRelease},
    {"MouseScroll", NavigationKind::MouseScroll},
    {"KeyPress", NavigationKind::KeyDown},
    {"KeyRelease", NavigationKind::KeyUp},
    {"TouchDown", NavigationKind::TouchDown},
    {"TouchMotion", NavigationKind::TouchMotion},
    {"TouchUp", NavigationKind::TouchUp},
    {"TouchFrame", NavigationKind::TouchFrame},
    {"TouchCancel", NavigationKind::TouchCancel},
}};

// Request ids count up from 0 in gstwebrtc-api; any JSON-safe integer is
// taken.
constexpr gint64 maxId = (gint64{1} << 53) - 1;

bool isButtonEvent(NavigationKind k)
{
    return k == NavigationKind::MouseButtonPress ||
           k == NavigationKind::MouseButtonRelease;
}

bool isKeyEvent(NavigationKind k)
{
    return k == NavigationKind::KeyDown || k == NavigationKind::KeyUp;
}

bool isTouchEvent(NavigationKind k)
{
    return k >= NavigationKind::TouchDown;
}

bool hasPosition(NavigationKind k)
{
    return !isKeyEvent(k) && k != NavigationKind::TouchFrame &&
           k != NavigationKind::TouchCancel;
}

std::optional<NavigationKind> kindNamed(std::string_view name)
{
    auto known = std::find_if(kindNames.begin(), kindNames.end(),
                              [&](const Named &n) { return n.first == name; });
    if (known == kindNames.end())
        return std::nullopt;
    return known->second;
}

void readPosition(JsonFields &fields, NavigationEvent &event)
{
    fields.number("x", &event.x);
    fields.number("y", &event.y);
}

void readDetails(JsonFields &fields, NavigationEvent &event)
{
    if (hasPosition(event.kind))
        readPosition(fields, event);

    gint64 value = 0;
    if (isButtonEvent(event.kind) && fields.integer("button", 1, 5, &value))
        event.button = static_cast<int>(value);
    if (event.kind == NavigationKind::MouseScroll) {
        fields.number("delta_x", &event.deltaX);
        fields.number("delta_y", &event.deltaY);
    }
    if (isKeyEvent(event.kind))
        fields.nonEmptyString("key", ControlRequest::maxKeyBytes, &event.key);

    bool needsTouchId = isTouchEvent(event.kind) &&
                        event.kind != NavigationKind::TouchFrame;
    if (needsTouchId && fields.has("identifier") &&
        fields.integer("identifier", 0, maxId, &value))
        event.touchId = value;
}

bool readNavigation(JsonFields &request, ControlRequest &out,
                    std::string *error)
{
    JsonObject *object = request.object("event");
    if (!object)
        return false;

    JsonFields fields(object, error);
    std::string name;
    if (!fields.nonEmptyString("event", 32, &name))
        return false;
    std::optional<NavigationKind> kind = kindNamed(name);
    if (!kind)
        return fields.fail("unknown navigation event \"" + name + "\"");

    NavigationEvent event;
    event.kind = *kind;
    readDetails(fields, event);
    out.request = std::move(event);
    return fields.ok();
}

bool readClipboard(JsonFields &request, ControlRequest &out)
{
    ClipboardText clipboard;
    if (!request.string("text", ControlRequest::maxClipboardBytes,
                        &clipboard.text))
        return false;
    out.request = std::move(clipboard);
    return true;
}

bool readRequest(JsonFields &fields, ControlRequest &out, std::string *error)
{
    JsonObject *object = fields.object("request");
    if (!object)
        return false;

    JsonFields request(object, error);
    std::string type;
    if (!request.nonEmptyString("type", 32, &type))
        return false;
    if (type == "navigationEvent")
        return readNavigation(request, out, error);
    if (type == "clipboard")
        return readClipboard(request, out);
    return request.fail("unknown request type \"" + type + "\"");
}

std::string toJson(JsonBuilder *builder)
{
    GRef<JsonNode> root =
        GRef<JsonNode>::adopt(json_builder_get_root(builder));
    GUnique<char> text{json_to_string(root.get(), FALSE)};
    return text.get();
}

} // namespace

std::optional<ControlRequest> ControlRequest::parse(std::string_view text,
                                                    std::optional<gint64> *id,
                                                    std::string *error)
{
    error->clear();
    id->reset();
    if (text.size() > maxMessageBytes) {
        *error = "request is larger than " +
                 std::to_string(maxMessageBytes / 1024) + " KiB";
        return std::nullopt;
    }
    GRef<JsonNode> root = parseJsonObject(text, "request", error);
    if (!root)
        return std::nullopt;

    JsonFields fields(json_node_get_object(root.get()), error);
    ControlRequest out;
    if (!fields.integer("id", 0, maxId, &out.id))
        return std::nullopt;
    *id = out.id;
    if (!readRequest(fields, out, error))
        return std::nullopt;
    return out;
}

std::string controlResponse(std::optional<gint64> id,
                            const std::string &error)
{
    GRef<JsonBuilder> builder = GRef<JsonBuilder>::adopt(json_builder_new());
    JsonBuilder *b = builder.get();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "type");
    json_builder_add_string_value(b, "ControlResponseMessage");

    json_builder_set_member_name(b, "id");
    if (id)
        json_builder_add_int_value(b, *id);
    else
        json_builder_add_null_value(b);

    json_builder_set_member_name(b, "error");
    if (error.empty())
        json_builder_add_null_value(b);
    else
        json_builder_add_string_value(b, error.c_str());
    json_builder_end_object(b);
    return toJson(b);
}

std::string clipboardNotice(const std::string &text)
{
    GRef<JsonBuilder> builder = GRef<JsonBuilder>::adopt(json_builder_new());
    JsonBuilder *b = builder.get();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "type");
    json_builder_add_string_value(b, "InfoMessage");
    json_builder_set_member_name(b, "info");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "type");
    json_builder_add_string_value(b, "clipboard");
    json_builder_set_member_name(b, "text");
    json_builder_add_string_value(b, text.c_str());
    json_builder_end_object(b);
    json_builder_end_object(b);
    return toJson(b);
}

std::string_view navigationKindName(NavigationKind kind)
{
    for (const Named &n : kindNames) {
        if (n.second == kind)
            return n.first;
    }
    return "unknown";
}

} // namespace vmrtc
