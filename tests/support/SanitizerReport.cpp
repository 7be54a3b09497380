// SanitizerReport: a sanitizer's report is told by a line of its own
// making; the server's log lines are JSON objects, never such a line.
#include "SanitizerReport.hpp"

#include <glib.h>

#include <atomic>
#include <mutex>

namespace vmrtc::test {

namespace {

std::atomic<int> reported{0};
std::mutex handlerMutex;
SanitizerReport::Handler handler;

bool isReportLine(const std::string &line)
{
    if (line.rfind("SUMMARY: ", 0) == 0)
        return line.find("Sanitizer: ") != std::string::npos;
    return !line.empty() && line[0] != '{' && line[0] != ' ' &&
           line.find(": runtime error: ") != std::string::npos;
}

} // namespace

std::vector<std::string> SanitizerReport::reportLines(const std::string &text)
{
    std::vector<std::string> found;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        std::string line = text.substr(start, end - start);
        if (isReportLine(line))
            found.push_back(line);
        start = end + 1;
    }
    return found;
}

void SanitizerReport::check(const std::string &program, int pid,
                            const std::string &stderrText)
{
    std::vector<std::string> found = reportLines(stderrText);
    if (found.empty())
        return;

    g_printerr("sanitizer: %s (pid %d) reported errors; its stderr:\n%s\n",
               program.c_str(), pid, stderrText.c_str());
    reported++;

    std::string what = program + " (pid " + std::to_string(pid) +
                       ") reported: " + found.front();
    std::lock_guard lock(handlerMutex);
    if (handler)
        handler(what);
}

void SanitizerReport::setHandler(Handler newHandler)
{
    std::lock_guard lock(handlerMutex);
    handler = std::move(newHandler);
}

int SanitizerReport::count()
{
    return reported;
}

} // namespace vmrtc::test
