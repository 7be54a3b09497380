// LeaksTracer: the tracer's environment, SIGUSR1, and its listings parsed.
#include "LeaksTracer.hpp"

#include "util/GRef.hpp"

#include <glib.h>
#include <glib/gstdio.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace vmrtc::test {

namespace {

using Clock = std::chrono::steady_clock;

// The tracer's own lines (category "leaks") frame each listing; between
// them, one GST_TRACER record per live object.
constexpr const char *listingStart = "start listing currently alive objects";
constexpr const char *listingEnd = "> listed ";
constexpr const char *aliveRecord = "object-alive, type-name=(string)";

// The fourth field of a line of GStreamer's printer: time, pid, thread,
// level, category, …
std::string levelOf(const std::string &line)
{
    std::istringstream fields(line);
    std::string time, pid, thread, level;
    fields >> time >> pid >> thread >> level;
    return level;
}

std::string typeIn(const std::string &line, size_t at)
{
    size_t from = at + std::string_view(aliveRecord).size();
    return line.substr(from, line.find(',', from) - from);
}

} // namespace

LeaksTracer::LeaksTracer(std::string filter) : filter_(std::move(filter))
{
    GError *error = nullptr;
    GUnique<char> folder{g_dir_make_tmp("vmrtc-leaks-XXXXXX", &error)};
    GUnique<GError> owned{error};
    if (!folder)
        throw std::runtime_error(std::string("no temporary folder: ") +
                                 error->message);
    folder_ = folder.get();
    file_ = folder_ + "/gst-debug.log";
}

LeaksTracer::~LeaksTracer()
{
    g_remove(file_.c_str());
    g_rmdir(folder_.c_str());
}

ChildProcess::Env LeaksTracer::env() const
{
    // Warnings and errors of every category, the tracer's records and the
    // tracer's own messages, which say where a listing ends.
    return {{"GST_TRACERS", "leaks(filters=" + filter_ + ")"},
            {"GST_LEAKS_TRACER_SIG", "1"},
            {"GST_DEBUG", "*:2,GST_TRACER:7,leaks:7"},
            {"GST_DEBUG_NO_COLOR", "1"},
            {"GST_DEBUG_FILE", file_}};
}

std::optional<LeaksTracer::Census>
LeaksTracer::liveNow(const ChildProcess &program,
                     std::chrono::milliseconds timeout)
{
    size_t before = listings().size();
    program.signal(SIGUSR1);

    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        std::vector<Census> all = listings();
        if (all.size() > before)
            return all.back();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return std::nullopt;
}

std::vector<LeaksTracer::Census> LeaksTracer::listings() const
{
    std::vector<Census> done;
    std::optional<Census> open;
    for (const std::string &line : lines()) {
        if (line.find(listingStart) != std::string::npos) {
            open = Census{};
        } else if (size_t at = line.find(aliveRecord);
                   open && at != std::string::npos) {
            (*open)[typeIn(line, at)]++;
        } else if (open && line.find(listingEnd) != std::string::npos) {
            done.push_back(std::move(*open));
            open.reset();
        }
    }
    return done;
}

std::vector<std::string> LeaksTracer::errors() const
{
    std::vector<std::string> found;
    for (const std::string &line : lines()) {
        if (levelOf(line) == "ERROR")
            found.push_back(line);
    }
    return found;
}

int LeaksTracer::total(const Census &census)
{
    int sum = 0;
    for (const auto &[type, count] : census)
        sum += count;
    return sum;
}

std::string LeaksTracer::describe(const Census &census)
{
    std::string text;
    for (const auto &[type, count] : census)
        text += (text.empty() ? "" : " ") + type + "=" + std::to_string(count);
    return text.empty() ? "none" : text;
}

std::vector<std::string> LeaksTracer::lines() const
{
    std::ifstream in(file_);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);)
        out.push_back(std::move(line));
    return out;
}

} // namespace vmrtc::test
