// ConfigValidator: every rule a setting must satisfy before startup.
#include "config/ConfigValidator.hpp"

#include "config/IceServerUrl.hpp"
#include "util/GRef.hpp"

#include <glib.h>

namespace vmrtc {

namespace {

constexpr size_t maxSessionId = 128;

bool digits(std::string_view s, size_t maxLen)
{
    if (s.empty() || s.size() > maxLen)
        return false;
    for (char c : s) {
        if (!g_ascii_isdigit(c))
            return false;
    }
    return true;
}

std::string missingHint(std::string_view name, std::string_view option,
                        const LoadedSettings &loaded,
                        const ValidationContext &context)
{
    std::string n{name};
    std::string hint = "set " + n + " in the server's environment, pass --" +
                       std::string(option) +
                       ", or name a file that defines it with --env-file "
                       "FILE";
    if (!loaded.lookedUpInDefaultFile.empty()) {
        hint += "; " + context.defaultEnvFile +
                (loaded.defaultFileError.empty()
                     ? " was read and does not define it either"
                     : " could not be read (" + loaded.defaultFileError + ")");
    }
    if (context.underSupervisor) {
        hint += ". Running under supervisord, which does not read "
                "/etc/environment and gives programs no login environment: "
                "add environment=" +
                n + "=\"…\" to the program section, or add --env-file " +
                "FILE to its command= line";
    }
    return hint;
}

struct UriParts {
    std::string scheme;
    std::string host;
};

std::optional<UriParts> parseUri(const std::string &text)
{
    GError *error = nullptr;
    GRef<GUri> uri =
        GRef<GUri>::adopt(g_uri_parse(text.c_str(), G_URI_FLAGS_NONE, &error));
    GUnique<GError> owned{error};
    if (!uri || !g_uri_get_host(uri.get()) || !*g_uri_get_host(uri.get()))
        return std::nullopt;
    return UriParts{g_uri_get_scheme(uri.get()), g_uri_get_host(uri.get())};
}

} // namespace

Validation ConfigValidator::validate(const LoadedSettings &loaded,
                                     const ValidationContext &context)
{
    ConfigValidator validator;
    return validator.run(loaded, context);
}

Validation ConfigValidator::run(const LoadedSettings &loaded,
                                const ValidationContext &context)
{
    checkRequired(loaded, context);
    checkUrls(loaded.settings);
    checkToken(loaded.settings);
    checkIceServers(loaded.settings);
    checkNumbers(loaded.settings);
    return std::move(result_);
}

bool ConfigValidator::validSessionId(std::string_view id)
{
    if (id.empty() || id.size() > maxSessionId || !g_ascii_isalnum(id[0]))
        return false;
    for (char c : id) {
        if (!g_ascii_isalnum(c) && c != '.' && c != '_' && c != '-')
            return false;
    }
    return true;
}

bool ConfigValidator::validDisplay(std::string_view display)
{
    size_t colon = display.rfind(':');
    if (colon == std::string_view::npos || display.size() > 300)
        return false;

    for (char c : display.substr(0, colon)) {
        if (!g_ascii_isalnum(c) && c != '.' && c != '-' && c != '_')
            return false;
    }

    std::string_view number = display.substr(colon + 1);
    size_t dot = number.find('.');
    if (dot == std::string_view::npos)
        return digits(number, 5);
    return digits(number.substr(0, dot), 5) &&
           digits(number.substr(dot + 1), 3);
}

std::string ConfigValidator::deriveSignallingUrl(std::string_view controllerUrl)
{
    std::string url{controllerUrl};
    std::string scheme;
    if (url.starts_with("http://"))
        scheme = "ws";
    else if (url.starts_with("https://"))
        scheme = "wss";
    else
        return {};

    url = scheme + url.substr(url.find(':'));
    while (url.ends_with('/'))
        url.pop_back();
    return url + "/api/webrtc/signalling";
}

std::string ConfigValidator::quote(std::string_view value)
{
    constexpr size_t shown = 40;
    std::string out = "\"";
    for (char c : value.substr(0, shown)) {
        unsigned char u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7f) {
            char esc[8];
            g_snprintf(esc, sizeof(esc), "\\x%02x", u);
            out += esc;
        } else {
            out += c;
        }
    }
    out += '"';
    if (value.size() > shown)
        out += "… (" + std::to_string(value.size()) + " bytes)";
    return out;
}

void ConfigValidator::checkRequired(const LoadedSettings &loaded,
                                    const ValidationContext &context)
{
    const Settings &s = loaded.settings;
    Problems &problems = result_.problems;

    if (const SettingValue *v = s.get("SESSION_ID")) {
        if (validSessionId(v->value))
            result_.config.sessionId = v->value;
        else
            problems.push_back(
                {"SESSION_ID_INVALID",
                 "SESSION_ID " + quote(v->value) + " from " +
                     Settings::describe(*v) + " is not a valid session id",
                 "use 1 to 128 characters of A-Z a-z 0-9 . _ -, starting "
                 "with a letter or digit",
                 ExitCode::Config, "SESSION_ID"});
    } else {
        problems.push_back(
            {"SESSION_ID_MISSING", "SESSION_ID is not set",
             missingHint("SESSION_ID", "session-id", loaded, context),
             ExitCode::Config, "SESSION_ID"});
    }

    if (const SettingValue *v = s.get("DISPLAY")) {
        if (validDisplay(v->value))
            result_.config.display = v->value;
        else
            problems.push_back({"DISPLAY_INVALID",
                                "DISPLAY " + quote(v->value) + " from " +
                                    Settings::describe(*v) +
                                    " is not an X display name",
                                "use the form [host]:N[.S], e.g. :0 or :99.0",
                                ExitCode::Config, "DISPLAY"});
    } else if (context.displayRequired) {
        problems.push_back({"DISPLAY_MISSING", "DISPLAY is not set",
                            missingHint("DISPLAY", "display", loaded, context),
                            ExitCode::Config, "DISPLAY"});
    }
}

void ConfigValidator::checkUrls(const Settings &settings)
{
    const SettingValue *controller = settings.get("MASTER_CONTROLLER_URL");
    std::optional<UriParts> parts = parseUri(controller->value);
    if (!parts || (parts->scheme != "http" && parts->scheme != "https")) {
        result_.problems.push_back(
            {"CONTROLLER_URL_INVALID",
             "MASTER_CONTROLLER_URL " + quote(controller->value) + " from " +
                 Settings::describe(*controller) + " is not an http(s) URL",
             "use a URL such as http://192.168.100.1:4000", ExitCode::Config,
             "MASTER_CONTROLLER_URL"});
    } else {
        result_.config.controllerUrl = controller->value;
    }

    const SettingValue *signalling = settings.get("SIGNALLING_URL");
    if (!signalling) {
        result_.config.signallingUrl =
            deriveSignallingUrl(result_.config.controllerUrl);
        return;
    }

    parts = parseUri(signalling->value);
    if (!parts || (parts->scheme != "ws" && parts->scheme != "wss")) {
        result_.problems.push_back(
            {"CONTROLLER_URL_INVALID",
             "SIGNALLING_URL " + quote(signalling->value) + " from " +
                 Settings::describe(*signalling) +
                 " is not a ws:// or wss:// URL",
             "use a URL such as ws://192.168.100.1:4000/api/webrtc/"
             "signalling, or unset it to derive it from "
             "MASTER_CONTROLLER_URL",
             ExitCode::Config, "SIGNALLING_URL"});
    } else {
        result_.config.signallingUrl = signalling->value;
    }
}

void ConfigValidator::checkToken(const Settings &settings)
{
    const SettingValue *token = settings.get("SIGNALLING_TOKEN");
    if (!token)
        return;
    // It goes into an HTTP header: no line breaks or other control bytes.
    for (char c : token->value) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            result_.problems.push_back(
                {"SETTING_INVALID",
                 "SIGNALLING_TOKEN from " + Settings::describe(*token) +
                     " contains control characters",
                 "set the token exactly as the master controller issued "
                 "it, on one line",
                 ExitCode::Config, "SIGNALLING_TOKEN"});
            return;
        }
    }
    result_.config.signallingToken = token->value;
}

void ConfigValidator::checkIceServers(const Settings &settings)
{
    std::string why;
    if (const SettingValue *stun = settings.get("STUN_SERVER")) {
        auto url = IceServerUrl::parse(stun->value, &why);
        if (url && url->scheme == "stun")
            result_.config.stunServer = url->toString();
        else
            result_.problems.push_back(
                {"SETTING_INVALID",
                 "STUN_SERVER " + quote(stun->value) + " from " +
                     Settings::describe(*stun) +
                     " is not valid: " + (url ? "not a stun:// URL" : why),
                 "use stun://host:port", ExitCode::Config, "STUN_SERVER"});
    }

    const SettingValue *turn = settings.get("TURN_SERVERS");
    if (!turn)
        return;
    GUnique<char *> entries{g_strsplit(turn->value.c_str(), ",", -1)};
    for (int i = 0; entries.get()[i]; i++) {
        auto url = IceServerUrl::parse(g_strstrip(entries.get()[i]), &why);
        if (url && url->scheme != "stun") {
            result_.config.turnServers.push_back(url->toString());
            continue;
        }
        // The value holds credentials: name the entry, never quote it.
        result_.problems.push_back(
            {"SETTING_INVALID",
             "TURN_SERVERS entry " + std::to_string(i + 1) + " from " +
                 Settings::describe(*turn) + " is not valid: " +
                 (url ? "not a turn:// or turns:// URL" : why),
             "use turn://user:password@host:port or turns://…, comma "
             "separated",
             ExitCode::Config, "TURN_SERVERS"});
    }
}

bool ConfigValidator::number(const Settings &settings, std::string_view name,
                             int min, int max, int *out)
{
    const SettingValue *v = settings.get(name);
    if (!v)
        return false;

    gint64 parsed = 0;
    if (g_ascii_string_to_signed(v->value.c_str(), 10, min, max, &parsed,
                                 nullptr)) {
        *out = static_cast<int>(parsed);
        return true;
    }

    std::string n{name};
    result_.problems.push_back(
        {"SETTING_INVALID",
         n + " " + quote(v->value) + " from " + Settings::describe(*v) +
             " is not a whole number from " + std::to_string(min) + " to " +
             std::to_string(max),
         "set " + n +
             " to a number in that range, or unset it for the "
             "default",
         ExitCode::Config, n});
    return false;
}

void ConfigValidator::checkNumbers(const Settings &settings)
{
    Config &c = result_.config;
    number(settings, "VIDEO_FPS", 1, 120, &c.fps);
    number(settings, "VIDEO_BITRATE_KBPS", 100, 100000, &c.bitrateKbps);
    number(settings, "VIDEO_WIDTH", 16, 8192, &c.width);
    number(settings, "VIDEO_HEIGHT", 16, 8192, &c.height);
    number(settings, "MAX_VIEWERS", 1, 64, &c.maxViewers);
    number(settings, "HEALTH_PORT", 0, 65535, &c.healthPort);
    c.pipeline = settings.get("PIPELINE")->value;
    checkPortRange(settings);
    checkChoices(settings);
}

void ConfigValidator::checkChoices(const Settings &settings)
{
    Config &c = result_.config;
    switch (choice(settings, "INPUT", {"all", "none", "granted"})) {
    case 1:
        c.input = InputPolicy::Off;
        break;
    case 2:
        c.input = InputPolicy::Granted;
        break;
    default:
        c.input = InputPolicy::All;
    }
    c.clipboardOut = choice(settings, "CLIPBOARD_OUT", {"off", "on"}) == 1;
}

// The position of the setting's value among `allowed`; 0 (the default,
// listed first) after reporting a value that is none of them.
int ConfigValidator::choice(const Settings &settings, std::string_view name,
                            std::initializer_list<std::string_view> allowed)
{
    const SettingValue *v = settings.get(name);
    int position = 0;
    for (std::string_view option : allowed) {
        if (v && v->value == option)
            return position;
        position++;
    }
    if (!v)
        return 0;

    std::string n{name};
    std::string list;
    for (std::string_view option : allowed)
        list += (list.empty() ? "" : ", ") + std::string(option);
    result_.problems.push_back(
        {"SETTING_INVALID",
         n + " " + quote(v->value) + " from " + Settings::describe(*v) +
             " is not one of " + list,
         "set " + n + " to one of " + list + ", or unset it for the default",
         ExitCode::Config, n});
    return 0;
}

void ConfigValidator::checkPortRange(const Settings &settings)
{
    Config &c = result_.config;
    bool hasMin = number(settings, "ICE_PORT_MIN", 1024, 65535, &c.icePortMin);
    bool hasMax = number(settings, "ICE_PORT_MAX", 1024, 65535, &c.icePortMax);
    bool bothOrNeither = (settings.get("ICE_PORT_MIN") != nullptr) ==
                         (settings.get("ICE_PORT_MAX") != nullptr);
    if (bothOrNeither && (!hasMin || !hasMax || c.icePortMin <= c.icePortMax))
        return;

    c.icePortMin = c.icePortMax = 0;
    result_.problems.push_back(
        {"SETTING_INVALID",
         "ICE_PORT_MIN and ICE_PORT_MAX must be set together, with "
         "ICE_PORT_MIN <= ICE_PORT_MAX",
         "set both, e.g. ICE_PORT_MIN=40000 ICE_PORT_MAX=40099, or neither",
         ExitCode::Config, "ICE_PORT_MIN"});
}

} // namespace vmrtc
