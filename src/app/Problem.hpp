// A startup problem: a stable code, what is wrong, what to do about it.
#pragma once

#include "app/ExitCode.hpp"

#include <string>
#include <vector>

namespace vmrtc {

struct Problem {
    std::string code;    // stable, e.g. SESSION_ID_MISSING
    std::string message; // what is wrong, naming the bad value
    std::string hint;    // what the operator should do
    ExitCode exit = ExitCode::Config;
    std::string subject; // the setting or check it concerns, for --check
};

using Problems = std::vector<Problem>;

// The exit code for a set of problems: configuration beats unavailability,
// since restarting cannot fix a configuration.
inline ExitCode exitCodeFor(const Problems &problems)
{
    ExitCode worst = ExitCode::Ok;
    for (const Problem &p : problems) {
        if (p.exit == ExitCode::Config || worst == ExitCode::Ok)
            worst = p.exit;
        if (worst == ExitCode::Config)
            break;
    }
    return worst;
}

} // namespace vmrtc
