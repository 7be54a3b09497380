// The server's settings: what each one is, its value and where it came from.
#pragma once

#include "log/Logger.hpp"

#include <map>
#include <span>
#include <string>
#include <string_view>

namespace vmrtc {

struct SettingSpec {
    std::string_view name;        // environment name, e.g. SESSION_ID
    std::string_view option;      // long option, empty for env-only secrets
    std::string_view argument;    // placeholder shown by --help
    std::string_view description; // one line for --help and the docs
    std::string_view fallback;    // default value, empty for none
    bool required = false;
    bool secret = false;
};

enum class Origin { Default, Derived, CommandLine, Environment, EnvFile };

struct SettingValue {
    std::string value;
    Origin origin = Origin::Default;
    std::string where; // "FILE:LINE" for env files, else empty
};

// A set of resolved values. Missing settings have no entry.
class Settings {
public:
    static std::span<const SettingSpec> specs();
    static const SettingSpec *spec(std::string_view name);

    void set(std::string_view name, SettingValue value);
    const SettingValue *get(std::string_view name) const;

    // "SESSION_ID" -> "environment", "env file /etc/environment:3", …
    static std::string describe(const SettingValue &value);

    // One field per setting, secrets masked as ***, for the startup line.
    LogFields summary() const;

private:
    std::map<std::string, SettingValue, std::less<>> values_;
};

} // namespace vmrtc
