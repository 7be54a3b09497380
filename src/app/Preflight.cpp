// Preflight: resolve, validate and probe, gathering every problem.
#include "app/Preflight.hpp"

#include "build-config.h"
#include "log/Logger.hpp"
#include "probe/ElementProbe.hpp"

#include <glib.h>

#include <chrono>
#include <cstdio>

extern char **environ;

namespace vmrtc {

namespace {

const Logger logger{"config"};

constexpr std::chrono::milliseconds displayTimeout{2000};
constexpr size_t maxBadLinesLogged = 10;
constexpr int defaultWidth = 1280; // for pipelines that capture no display
constexpr int defaultHeight = 720;
constexpr int keyframeSeconds = 3; // keyframe safety interval

std::string joined(const std::vector<std::string> &names)
{
    std::string out;
    for (const std::string &n : names)
        out += (out.empty() ? "" : ",") + n;
    return out;
}

void printLine(const char *status, std::string_view subject,
               const std::string &detail)
{
    std::printf("%-5s %-22.*s %s\n", status, static_cast<int>(subject.size()),
                subject.data(), detail.c_str());
}

} // namespace

Preflight::Preflight(const CommandLine &commandLine,
                     std::map<std::string, std::string> environment)
{
    loopback_ = commandLine.loopback;
    sources_.commandLine = commandLine.settings;
    sources_.envFiles = commandLine.envFiles;
    sources_.defaultEnvFile = VMRTC_DEFAULT_ENV_FILE;
    context_.underSupervisor = environment.contains("SUPERVISOR_ENABLED");
    context_.defaultEnvFile = sources_.defaultEnvFile;
    sources_.environment = std::move(environment);
}

std::map<std::string, std::string> Preflight::processEnvironment()
{
    std::map<std::string, std::string> env;
    for (char **p = environ; p && *p; p++) {
        std::string_view entry = *p;
        size_t eq = entry.find('=');
        if (eq != std::string_view::npos)
            env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
    }
    return env;
}

void Preflight::run()
{
    loaded_ = SettingsLoader::load(sources_);
    if (loopback_ && !loaded_.settings.get("SESSION_ID"))
        loaded_.settings.set("SESSION_ID", {"loopback"});
    problems_ = loaded_.problems;

    loadTemplate();
    context_.displayRequired = !template_ || template_->uses("display");
    validation_ = ConfigValidator::validate(loaded_, context_);
    problems_.insert(problems_.end(), validation_.problems.begin(),
                     validation_.problems.end());

    const Config &config = validation_.config;
    if (loopback_)
        loaded_.settings.set("SIGNALLING_URL",
                             {"the embedded server", Origin::Derived, {}});
    else if (!loaded_.settings.get("SIGNALLING_URL") &&
             !config.signallingUrl.empty())
        loaded_.settings.set("SIGNALLING_URL",
                             {config.signallingUrl, Origin::Derived, {}});

    probeDisplay();
    if (!context_.displayRequired)
        validation_.config.display.clear(); // the pipeline captures no X
    fillTemplate();
    probeElements();
}

void Preflight::loadTemplate()
{
    const SettingValue *name = loaded_.settings.get("PIPELINE");
    pipelinePath_ = PipelineTemplate::resolve(name->value);
    Problem problem;
    template_ = PipelineTemplate::load(pipelinePath_, &problem);
    if (!template_)
        problems_.push_back(problem);
}

void Preflight::probeDisplay()
{
    const std::string &display = validation_.config.display;
    if (display.empty() || !context_.displayRequired)
        return;
    Problem problem;
    display_ = DisplayProbe::probe(display, displayTimeout, &problem);
    if (!display_)
        problems_.push_back(problem);
}

void Preflight::fillTemplate()
{
    if (!template_ || !problems_.empty())
        return;
    Config &c = validation_.config;
    if (c.width == 0)
        c.width = display_ ? display_->width : defaultWidth;
    if (c.height == 0)
        c.height = display_ ? display_->height : defaultHeight;

    std::map<std::string, std::string> values{
        {"display", c.display},
        {"fps", std::to_string(c.fps)},
        {"width", std::to_string(c.width)},
        {"height", std::to_string(c.height)},
        {"bitrate_bps", std::to_string(c.bitrateKbps * 1000)},
        {"bitrate_kbps", std::to_string(c.bitrateKbps)},
        {"keyframe_dist", std::to_string(c.fps * keyframeSeconds)},
    };
    Problem problem;
    auto description = template_->substitute(values, &problem);
    if (!description) {
        problems_.push_back(problem);
        return;
    }
    if (PipelineTemplate::check(*description, pipelinePath_, &problems_))
        description_ = *description;
}

void Preflight::probeElements()
{
    std::vector<std::string> elements;
    for (std::string_view e : ElementProbe::webrtcElements())
        elements.emplace_back(e);
    for (Problem &p : ElementProbe::probe(elements))
        problems_.push_back(std::move(p));
}

void Preflight::logNotes() const
{
    if (!loaded_.lookedUpInDefaultFile.empty()) {
        std::string result = loaded_.defaultFileError.empty()
                                 ? "read"
                                 : "unreadable: " + loaded_.defaultFileError;
        logger.info("required settings missing from the environment were "
                    "looked up in the default env file",
                    {{"file", sources_.defaultEnvFile},
                     {"settings", joined(loaded_.lookedUpInDefaultFile)},
                     {"result", result}});
    }

    size_t logged = 0;
    for (const EnvFileLineError &bad : loaded_.badLines) {
        if (logged++ == maxBadLinesLogged) {
            logger.warning("more malformed env-file lines skipped",
                           {{"count", std::to_string(loaded_.badLines.size() -
                                                     maxBadLinesLogged)}});
            break;
        }
        logger.warning("skipped a malformed env-file line",
                       {{"code", "ENV_FILE_LINE_INVALID"},
                        {"file", bad.path},
                        {"line", std::to_string(bad.line)},
                        {"reason", bad.reason}});
    }
}

void Preflight::printReport() const
{
    std::vector<std::string_view> subjects{"env files"};
    for (const SettingSpec &spec : Settings::specs())
        subjects.push_back(spec.name);
    subjects.insert(subjects.end(),
                    {"X server", "pipeline", "GStreamer elements"});

    for (std::string_view subject : subjects) {
        bool failed = false;
        for (const Problem &p : problems_) {
            if (p.subject != subject)
                continue;
            printLine("FAIL", subject,
                      p.code + ": " + p.message + " (fix: " + p.hint + ")");
            failed = true;
        }
        if (failed)
            continue;

        std::string detail = "unset";
        if (const SettingValue *v = loaded_.settings.get(subject))
            detail = Settings::describe(*v);
        if (subject == "env files" || subject == "GStreamer elements")
            detail.clear();
        if (subject == "pipeline")
            detail = pipelinePath_;
        if (subject == "X server" && display_)
            detail = std::to_string(display_->width) + "x" +
                     std::to_string(display_->height) + " on " +
                     validation_.config.display;
        bool skipped = (subject == "X server" && !display_) ||
                       (subject == "pipeline" && description_.empty());
        printLine(skipped ? "skip" : "ok", subject, detail);
    }
    std::fflush(stdout);
}

} // namespace vmrtc
