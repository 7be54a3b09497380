// Settings: the table of every setting the server reads.
#include "config/Settings.hpp"

#include <array>

namespace vmrtc {

namespace {

constexpr std::array<SettingSpec, 18> table{{
    {"SESSION_ID", "session-id", "ID",
     "Session this VM serves; viewers of this session are routed here", "",
     true, false},
    {"DISPLAY", "display", "DISPLAY", "X display to capture, e.g. :0", "", true,
     false},
    {"MASTER_CONTROLLER_URL", "controller-url", "URL",
     "Master controller base URL (http or https)", "http://192.168.100.1:4000",
     false, false},
    {"SIGNALLING_URL", "signalling-url", "URL",
     "Signalling WebSocket URL (ws or wss); default derived from the "
     "controller URL",
     "", false, false},
    {"SIGNALLING_TOKEN", "", "",
     "Bearer token sent to the signalling server (environment only)", "", false,
     true},
    {"STUN_SERVER", "stun-server", "URL", "STUN server, stun://host:port", "",
     false, false},
    {"TURN_SERVERS", "", "",
     "TURN servers, turn(s)://user:pass@host:port, comma separated "
     "(environment only)",
     "", false, true},
    {"VIDEO_FPS", "fps", "N", "Frames per second, 1 to 120", "30", false,
     false},
    {"VIDEO_BITRATE_KBPS", "bitrate", "KBPS",
     "Video bitrate in kbit/s, 100 to 100000", "2000", false, false},
    {"VIDEO_WIDTH", "width", "PIXELS",
     "Video width, 16 to 8192; default the display's", "", false, false},
    {"VIDEO_HEIGHT", "height", "PIXELS",
     "Video height, 16 to 8192; default the display's", "", false, false},
    {"PIPELINE", "pipeline", "NAME|FILE",
     "Capture pipeline template: a name in the pipelines folder or a file",
     "x11-damage-vp8", false, false},
    {"ICE_PORT_MIN", "ice-port-min", "PORT",
     "Lowest UDP port for media (with ICE_PORT_MAX); default any", "", false,
     false},
    {"ICE_PORT_MAX", "ice-port-max", "PORT",
     "Highest UDP port for media (with ICE_PORT_MIN)", "", false, false},
    {"MAX_VIEWERS", "max-viewers", "N", "Concurrent viewers, 1 to 64", "8",
     false, false},
    {"INPUT", "input", "all|none|granted",
     "Who may control the VM: every viewer, none, or sessions the "
     "signalling server granted control",
     "all", false, false},
    {"CLIPBOARD_OUT", "clipboard-out", "on|off",
     "Send the VM's clipboard to viewers that may control it", "off", false,
     false},
    {"HEALTH_PORT", "health-port", "PORT",
     "Port of the health and metrics endpoint on 127.0.0.1; 0 turns it off",
     "9090", false, false},
}};

std::string lower(std::string_view name)
{
    std::string out{name};
    for (char &c : out)
        c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return out;
}

} // namespace

std::span<const SettingSpec> Settings::specs()
{
    return table;
}

const SettingSpec *Settings::spec(std::string_view name)
{
    for (const SettingSpec &s : table) {
        if (s.name == name)
            return &s;
    }
    return nullptr;
}

void Settings::set(std::string_view name, SettingValue value)
{
    values_.insert_or_assign(std::string(name), std::move(value));
}

const SettingValue *Settings::get(std::string_view name) const
{
    auto it = values_.find(name);
    return it == values_.end() ? nullptr : &it->second;
}

std::string Settings::describe(const SettingValue &value)
{
    switch (value.origin) {
    case Origin::Default:
        return "default";
    case Origin::Derived:
        return "derived";
    case Origin::CommandLine:
        return "command line";
    case Origin::Environment:
        return "environment";
    case Origin::EnvFile:
        break;
    }
    return "env file " + value.where;
}

LogFields Settings::summary() const
{
    LogFields fields;
    for (const SettingSpec &s : table) {
        const SettingValue *v = get(s.name);
        std::string text = "unset";
        if (v)
            text = (s.secret ? "***" : v->value) + " (" + describe(*v) + ")";
        fields.push_back({lower(s.name), text});
    }
    return fields;
}

} // namespace vmrtc
