// What /proc says about a process: CPU time used and resident size.
#pragma once

#include <sys/types.h>

namespace vmrtc::test {

// user+system CPU seconds the process has used so far.
double cpuSeconds(pid_t pid);

// Resident set size in KiB (VmRSS), 0 when the process is gone.
long rssKiB(pid_t pid);

} // namespace vmrtc::test
