// The command line: GOption parsing into settings and run options.
#pragma once

#include "app/Problem.hpp"
#include "log/LogWriter.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vmrtc {

struct CommandLine {
    std::map<std::string, std::string> settings; // by setting name
    std::vector<std::string> envFiles;
    bool check = false;
    bool version = false;
    LogFormat logFormat = LogFormat::Auto;
    LogLevel logLevel = LogLevel::Info;
    bool loopback = false;          // embedded signalling + viewer page
    int port = 8080;                // loopback HTTP/WebSocket port
    std::string bind = "127.0.0.1"; // loopback listen address

    // Parses argv. --help prints and exits 0 inside GOption. On a usage
    // error returns nothing and fills *problem (exit code 64).
    static std::optional<CommandLine> parse(int argc, char **argv,
                                            Problem *problem);
};

} // namespace vmrtc
