// PipelineTemplate: load, fill in and check pipeline templates.
#include "capture/PipelineTemplate.hpp"

#include "build-config.h"
#include "probe/ElementProbe.hpp"
#include "util/GRef.hpp"

#include <gst/gst.h>

#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace vmrtc {

namespace {

bool isFile(const std::string &path)
{
    struct stat st {};
    return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Problem invalid(const std::string &path, const std::string &why)
{
    return {"PIPELINE_INVALID", "pipeline template " + path + ": " + why,
            "fix the template (see pipelines/ for the shipped ones) or "
            "choose another with --pipeline",
            ExitCode::Config, "pipeline"};
}

// The element name inside GStreamer's "no element \"foo\"" message.
std::string missingElementName(const char *message)
{
    std::string text = message ? message : "";
    size_t open = text.find('"');
    size_t close = text.find('"', open + 1);
    if (open == std::string::npos || close == std::string::npos)
        return text;
    return text.substr(open + 1, close - open - 1);
}

} // namespace

std::string PipelineTemplate::resolve(const std::string &nameOrPath)
{
    if (nameOrPath.find('/') != std::string::npos)
        return nameOrPath;

    std::string file = nameOrPath;
    if (!file.ends_with(".pipeline"))
        file += ".pipeline";
    std::string installed = std::string(VMRTC_DATADIR) + "/pipelines/" + file;
    if (isFile(installed))
        return installed;
    return std::string(VMRTC_SOURCE_PIPELINES) + "/" + file;
}

std::optional<PipelineTemplate> PipelineTemplate::load(const std::string &path,
                                                       Problem *problem)
{
    if (!isFile(path)) {
        *problem = invalid(path, "not found or not a regular file");
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) {
        *problem = invalid(path, "cannot be read");
        return std::nullopt;
    }
    if (text.str().size() > maxBytes ||
        text.str().find('\0') != std::string::npos) {
        *problem = invalid(path, "not a text template under 64 KiB");
        return std::nullopt;
    }
    return fromText(path, text.str());
}

PipelineTemplate PipelineTemplate::fromText(std::string path, std::string text)
{
    PipelineTemplate t;
    t.path_ = std::move(path);
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        size_t start = line.find_first_not_of(" \t\r");
        if (start == std::string::npos || line[start] == '#')
            continue;
        t.body_ += line.substr(start) + ' ';
    }
    return t;
}

bool PipelineTemplate::uses(std::string_view placeholder) const
{
    return body_.find("{" + std::string(placeholder) + "}") !=
           std::string::npos;
}

std::optional<std::string>
PipelineTemplate::substitute(const std::map<std::string, std::string> &values,
                             Problem *problem) const
{
    std::string out;
    size_t pos = 0;
    while (pos < body_.size()) {
        size_t open = body_.find('{', pos);
        if (open == std::string::npos) {
            out += body_.substr(pos);
            break;
        }
        size_t close = body_.find('}', open);
        if (close == std::string::npos) {
            *problem = invalid(path_, "a '{' has no closing '}'");
            return std::nullopt;
        }
        std::string name = body_.substr(open + 1, close - open - 1);
        auto value = values.find(name);
        if (value == values.end()) {
            *problem = invalid(path_, "unknown placeholder {" + name + "}");
            return std::nullopt;
        }
        out += body_.substr(pos, open - pos) + value->second;
        pos = close + 1;
    }
    return out;
}

bool PipelineTemplate::check(const std::string &description,
                             const std::string &path, Problems *problems)
{
    GError *error = nullptr;
    GRef<GstElement> bin =
        GRef<GstElement>::adopt(gst_parse_bin_from_description_full(
            description.c_str(), FALSE, nullptr, GST_PARSE_FLAG_FATAL_ERRORS,
            &error));
    GUnique<GError> owned{error};
    if (error && g_error_matches(error, GST_PARSE_ERROR,
                                 GST_PARSE_ERROR_NO_SUCH_ELEMENT)) {
        Problems missing =
            ElementProbe::probe({missingElementName(error->message)});
        problems->insert(problems->end(), missing.begin(), missing.end());
        return false;
    }
    if (!bin) {
        problems->push_back(
            invalid(path, std::string("does not parse: ") +
                              (error ? error->message : "unknown error")));
        return false;
    }

    GRef<GstElement> payloader = GRef<GstElement>::adopt(gst_bin_get_by_name(
        GST_BIN(bin.get()), std::string(payloaderName).c_str()));
    if (!payloader || !GRef<GstPad>::adopt(
                          gst_element_get_static_pad(payloader.get(), "src"))) {
        problems->push_back(
            invalid(path, "has no element named \"payloader\" with a src pad"));
        return false;
    }
    return true;
}

} // namespace vmrtc
