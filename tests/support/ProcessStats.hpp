// What /proc says about a process: CPU time used, resident size and the
// files it holds open.
#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

namespace vmrtc::test {

// user+system CPU seconds the process has used so far.
double cpuSeconds(pid_t pid);

// Resident set size in KiB (VmRSS), 0 when the process is gone.
long rssKiB(pid_t pid);

// "RssAnon=… RssFile=… RssShmem=…" in KiB: what the resident size is.
std::string residentParts(pid_t pid);

// What each open descriptor refers to ("socket:[123]", "/dev/null", …),
// in descriptor order; empty when the process is gone.
std::vector<std::string> openFiles(pid_t pid);

} // namespace vmrtc::test
