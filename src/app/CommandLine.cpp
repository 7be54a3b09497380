// CommandLine: one GOption entry per setting plus the run options.
#include "app/CommandLine.hpp"

#include "config/Settings.hpp"
#include "util/GRef.hpp"

#include <gio/gio.h>

#include <memory>

namespace vmrtc {

namespace {

// GOption writes into these; they are freed with the parser.
struct RawOptions {
    std::vector<char *> settings;
    char **envFiles = nullptr;
    char *logFormat = nullptr;
    char *logLevel = nullptr;
    gboolean check = FALSE;
    gboolean version = FALSE;
    gboolean loopback = FALSE;
    gint port = 8080;
    char *bind = nullptr;

    ~RawOptions()
    {
        for (char *s : settings)
            g_free(s);
        g_strfreev(envFiles);
        g_free(logFormat);
        g_free(logLevel);
        g_free(bind);
    }
};

Problem usage(const std::string &message)
{
    return {"USAGE_INVALID", message, "run vm-webrtc-server --help",
            ExitCode::Usage, "command line"};
}

std::vector<GOptionEntry> buildEntries(RawOptions &raw,
                                       std::vector<std::string> &texts)
{
    auto specs = Settings::specs();
    raw.settings.assign(specs.size(), nullptr);
    texts.reserve(specs.size());

    std::vector<GOptionEntry> entries;
    for (size_t i = 0; i < specs.size(); i++) {
        const SettingSpec &s = specs[i];
        if (s.option.empty())
            continue;
        texts.push_back(std::string(s.description) + " [" +
                        std::string(s.name) + "]");
        entries.push_back({s.option.data(), 0, 0, G_OPTION_ARG_STRING,
                           &raw.settings[i], texts.back().c_str(),
                           s.argument.data()});
    }

    entries.push_back({"env-file", 0, 0, G_OPTION_ARG_FILENAME_ARRAY,
                       &raw.envFiles,
                       "Read settings from a KEY=VALUE file (repeatable; a "
                       "later file wins)",
                       "PATH"});
    entries.push_back({"check", 0, 0, G_OPTION_ARG_NONE, &raw.check,
                       "Run every validation and probe, print one line per "
                       "check, and exit",
                       nullptr});
    entries.push_back({"log-format", 0, 0, G_OPTION_ARG_STRING, &raw.logFormat,
                       "auto (text on a terminal, else JSON), text, json or "
                       "journal",
                       "FORMAT"});
    entries.push_back({"log-level", 0, 0, G_OPTION_ARG_STRING, &raw.logLevel,
                       "trace, debug, info (default), warning or error",
                       "LEVEL"});
    entries.push_back({"loopback", 0, 0, G_OPTION_ARG_NONE, &raw.loopback,
                       "Run an embedded signalling server and viewer page "
                       "(SESSION_ID defaults to \"loopback\")",
                       nullptr});
    entries.push_back({"port", 0, 0, G_OPTION_ARG_INT, &raw.port,
                       "Loopback mode: HTTP and WebSocket port (default "
                       "8080; 0 picks a free one)",
                       "PORT"});
    entries.push_back({"bind", 0, 0, G_OPTION_ARG_STRING, &raw.bind,
                       "Loopback mode: address to listen on (default "
                       "127.0.0.1)",
                       "ADDRESS"});
    entries.push_back({"version", 0, 0, G_OPTION_ARG_NONE, &raw.version,
                       "Print the version and exit", nullptr});
    entries.push_back({});
    return entries;
}

bool convert(const RawOptions &raw, CommandLine &out, Problem *problem)
{
    auto specs = Settings::specs();
    for (size_t i = 0; i < specs.size(); i++) {
        if (raw.settings[i])
            out.settings[std::string(specs[i].name)] = raw.settings[i];
    }
    for (char **p = raw.envFiles; p && *p; p++)
        out.envFiles.emplace_back(*p);
    out.check = raw.check;
    out.version = raw.version;
    out.loopback = raw.loopback;
    out.port = raw.port;
    if (raw.bind)
        out.bind = raw.bind;
    if (out.port < 0 || out.port > 65535) {
        *problem = usage("--port must be from 0 to 65535");
        return false;
    }
    GRef<GInetAddress> address = GRef<GInetAddress>::adopt(
        g_inet_address_new_from_string(out.bind.c_str()));
    if (!address) {
        *problem = usage("--bind must be an IPv4 or IPv6 address");
        return false;
    }

    if (raw.logFormat) {
        auto format = parseLogFormat(raw.logFormat);
        if (!format) {
            *problem = usage("--log-format must be auto, text, json or "
                             "journal");
            return false;
        }
        out.logFormat = *format;
    }
    if (raw.logLevel) {
        auto level = parseLogLevel(raw.logLevel);
        if (!level || *level == LogLevel::Fatal) {
            *problem = usage("--log-level must be trace, debug, info, "
                             "warning or error");
            return false;
        }
        out.logLevel = *level;
    }
    return true;
}

} // namespace

std::optional<CommandLine> CommandLine::parse(int argc, char **argv,
                                              Problem *problem)
{
    RawOptions raw;
    std::vector<std::string> texts;
    std::vector<GOptionEntry> entries = buildEntries(raw, texts);

    GUnique<GOptionContext> context{g_option_context_new(nullptr)};
    g_option_context_set_summary(
        context.get(),
        "Streams an X display to WebRTC viewers. Every setting can also "
        "come from\nthe environment variable named in brackets, or from an "
        "env file. Secrets\n(SIGNALLING_TOKEN, TURN_SERVERS) are read from "
        "the environment only.");
    g_option_context_add_main_entries(context.get(), entries.data(), nullptr);

    GUnique<char *> args{g_new0(char *, argc + 1)};
    for (int i = 0; i < argc; i++)
        args.get()[i] = g_strdup(argv[i]);
    char **strv = args.get();

    GError *error = nullptr;
    if (!g_option_context_parse_strv(context.get(), &strv, &error)) {
        GUnique<GError> owned{error};
        *problem = usage(error->message);
        return std::nullopt;
    }
    if (strv[0] && strv[1]) {
        *problem = usage(std::string("unexpected argument ") + strv[1]);
        return std::nullopt;
    }

    CommandLine out;
    if (!convert(raw, out, problem))
        return std::nullopt;
    return out;
}

} // namespace vmrtc
