// ProcessStats: parse /proc/PID/stat and /proc/PID/status, list
// /proc/PID/fd.
#include "ProcessStats.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

#include <unistd.h>

namespace vmrtc::test {

double cpuSeconds(pid_t pid)
{
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), {});
    size_t paren = text.rfind(')');
    if (paren == std::string::npos)
        return 0;

    // Fields 14 and 15 (utime, stime), counted from the state at 3.
    std::istringstream fields(text.substr(paren + 2));
    std::string field;
    unsigned long ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; i++) {
        if (i >= 14)
            ticks += std::stoul(field);
    }
    return double(ticks) / double(sysconf(_SC_CLK_TCK));
}

long rssKiB(pid_t pid)
{
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stol(line.substr(6));
    }
    return 0;
}

std::string residentParts(pid_t pid)
{
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string text;
    for (std::string line; std::getline(status, line);) {
        size_t colon = line.find(':');
        if (line.rfind("Rss", 0) != 0 || colon == std::string::npos)
            continue;
        text += (text.empty() ? "" : " ") + line.substr(0, colon) + "=" +
                std::to_string(std::stol(line.substr(colon + 1)));
    }
    return text;
}

std::vector<std::string> openFiles(pid_t pid)
{
    namespace fs = std::filesystem;
    std::error_code error;
    fs::directory_iterator entries("/proc/" + std::to_string(pid) + "/fd",
                                   error);
    std::vector<std::pair<int, std::string>> found;
    for (; !error && entries != fs::directory_iterator();
         entries.increment(error)) {
        // A descriptor closed between listing and reading has no target.
        std::error_code gone;
        fs::path target = fs::read_symlink(entries->path(), gone);
        if (!gone)
            found.emplace_back(std::stoi(entries->path().filename()),
                               target.string());
    }
    std::sort(found.begin(), found.end());

    std::vector<std::string> out;
    for (auto &[fd, target] : found)
        out.push_back(std::move(target));
    return out;
}

} // namespace vmrtc::test
