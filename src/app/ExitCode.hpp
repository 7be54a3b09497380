// The process exit codes, after sysexits.h; docs/operations.md tables them.
#pragma once

namespace vmrtc {

enum class ExitCode : int {
    Ok = 0,
    Usage = 64,       // bad command line
    Unavailable = 69, // something the server depends on does not answer
    Internal = 70,    // a bug or an unexpected failure inside the server
    Config = 78,      // configuration or installation is wrong
};

inline int toInt(ExitCode code)
{
    return static_cast<int>(code);
}

} // namespace vmrtc
