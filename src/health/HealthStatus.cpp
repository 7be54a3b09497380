// HealthStatus: the /healthz body.
#include "health/HealthStatus.hpp"

#include "util/GRef.hpp"

namespace vmrtc {

namespace {

const char *pipelineWord(PipelineHealth health)
{
    switch (health) {
    case PipelineHealth::Ok:
        return "ok";
    case PipelineHealth::Rebuilding:
        return "rebuilding";
    case PipelineHealth::Failed:
        break;
    }
    return "failed";
}

} // namespace

std::string HealthStatus::reason() const
{
    std::string out;
    if (!registered)
        out = "not registered with the signalling server";
    if (pipeline == PipelineHealth::Rebuilding)
        out += (out.empty() ? "" : "; ") +
               std::string("the media pipeline failed and is being rebuilt");
    if (pipeline == PipelineHealth::Failed)
        out += (out.empty() ? "" : "; ") +
               std::string("the media pipeline failed");
    return out;
}

std::string HealthStatus::json() const
{
    GRef<JsonBuilder> b = GRef<JsonBuilder>::adopt(json_builder_new());
    json_builder_begin_object(b.get());
    json_builder_set_member_name(b.get(), "status");
    json_builder_add_string_value(b.get(), healthy() ? "ok" : "unavailable");
    json_builder_set_member_name(b.get(), "signalling");
    json_builder_add_string_value(b.get(),
                                  registered ? "registered" : "disconnected");
    json_builder_set_member_name(b.get(), "pipeline");
    json_builder_add_string_value(b.get(), pipelineWord(pipeline));
    json_builder_set_member_name(b.get(), "viewers");
    json_builder_add_int_value(b.get(), static_cast<gint64>(viewers));
    if (!healthy()) {
        json_builder_set_member_name(b.get(), "reason");
        json_builder_add_string_value(b.get(), reason().c_str());
    }
    json_builder_end_object(b.get());

    GRef<JsonNode> root = GRef<JsonNode>::adopt(json_builder_get_root(b.get()));
    GUnique<char> text{json_to_string(root.get(), FALSE)};
    return text.get();
}

} // namespace vmrtc
