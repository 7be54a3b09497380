// InputRecorder: x-input-recorder's JSON lines, parsed.
#include "InputRecorder.hpp"

#include "WebRtcReceiver.hpp"
#include "util/GRef.hpp"

#include <json-glib/json-glib.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace vmrtc::test {

namespace {

std::string recorderBinary()
{
    const char *path = std::getenv("VMRTC_INPUT_RECORDER");
    if (!path)
        throw std::runtime_error("VMRTC_INPUT_RECORDER is not set");
    return path;
}

long integer(JsonObject *o, const char *name)
{
    return json_object_has_member(o, name) ? json_object_get_int_member(o, name)
                                           : 0;
}

std::string text(JsonObject *o, const char *name)
{
    return json_object_has_member(o, name)
               ? json_object_get_string_member(o, name)
               : std::string();
}

template <typename T, typename Read>
std::vector<T> array(JsonObject *o, const char *name, Read read)
{
    std::vector<T> out;
    if (!json_object_has_member(o, name))
        return out;
    JsonArray *a = json_object_get_array_member(o, name);
    for (guint i = 0; i < json_array_get_length(a); i++)
        out.push_back(read(json_array_get_element(a, i)));
    return out;
}

std::optional<XInputEvent> parse(const std::string &line)
{
    GRef<JsonParser> parser = GRef<JsonParser>::adopt(json_parser_new());
    if (!json_parser_load_from_data(parser.get(), line.c_str(), -1, nullptr))
        return std::nullopt;
    JsonNode *root = json_parser_get_root(parser.get());
    if (!root || !JSON_NODE_HOLDS_OBJECT(root))
        return std::nullopt;

    JsonObject *o = json_node_get_object(root);
    XInputEvent e;
    e.event = text(o, "event");
    e.x = int(integer(o, "x"));
    e.y = int(integer(o, "y"));
    e.button = int(integer(o, "button"));
    e.keycode = int(integer(o, "keycode"));
    e.state = integer(o, "state");
    e.mask = integer(o, "mask");
    e.keysym = text(o, "keysym");
    e.text = text(o, "text");
    e.selection = text(o, "selection");
    e.target = text(o, "target");
    e.error = text(o, "error");
    e.targets = array<std::string>(o, "targets", [](JsonNode *n) {
        return std::string(json_node_get_string(n));
    });
    e.down = array<int>(o, "down",
                        [](JsonNode *n) { return int(json_node_get_int(n)); });
    return e;
}

} // namespace

InputRecorder::InputRecorder(const std::string &display)
{
    int pipeFds[2];
    if (pipe2(pipeFds, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe failed");
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{recorderBinary(), "--display", display},
        ChildProcess::Env{}, std::map<int, int>{{pipeFds[0], 0}});
    close(pipeFds[0]);
    commands_ = pipeFds[1];

    bool ready = waitFor(
        [](const auto &seen) { return !seen.empty(); },
        std::chrono::seconds(10));
    if (!ready || events().front().event != "ready")
        throw std::runtime_error("x-input-recorder did not start: " +
                                 process_->stdoutText());
}

InputRecorder::~InputRecorder()
{
    if (commands_ >= 0)
        close(commands_); // EOF: the recorder exits
    process_->wait(std::chrono::seconds(2));
}

std::vector<XInputEvent> InputRecorder::events()
{
    std::vector<XInputEvent> out;
    std::istringstream lines(process_->stdoutText());
    std::string line;
    while (std::getline(lines, line)) {
        if (auto e = parse(line))
            out.push_back(std::move(*e));
    }
    return out;
}

std::vector<XInputEvent> InputRecorder::events(const std::string &kind)
{
    std::vector<XInputEvent> out;
    for (XInputEvent &e : events()) {
        if (e.event == kind)
            out.push_back(std::move(e));
    }
    return out;
}

std::string InputRecorder::typedText()
{
    std::string typed;
    for (const XInputEvent &e : events("key-press"))
        typed += e.text;
    return typed;
}

bool InputRecorder::waitFor(
    const std::function<bool(const std::vector<XInputEvent> &)> &done,
    std::chrono::milliseconds timeout)
{
    return WebRtcReceiver::pump([&] { return done(events()); }, timeout);
}

std::optional<XInputEvent> InputRecorder::ask(const std::string &command,
                                              const std::string &kind,
                                              std::chrono::milliseconds timeout)
{
    size_t before = events(kind).size();
    std::string line = command + "\n";
    if (write(commands_, line.data(), line.size()) !=
        static_cast<ssize_t>(line.size()))
        return std::nullopt;

    std::optional<XInputEvent> answer;
    waitFor(
        [&](const std::vector<XInputEvent> &) {
            std::vector<XInputEvent> seen = events(kind);
            if (seen.size() > before)
                answer = seen.back();
            return answer.has_value();
        },
        timeout);
    return answer;
}

} // namespace vmrtc::test
