// Builds a page in the Prometheus text exposition format, version 0.0.4.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vmrtc {

// Each metric family is announced once with its HELP and TYPE lines, then
// its samples follow. Label values and help text are escaped here; metric
// and label names are the caller's constants.
class PrometheusText {
public:
    using Labels = std::vector<std::pair<std::string, std::string>>;

    static constexpr const char *contentType =
        "text/plain; version=0.0.4; charset=utf-8";

    // type: "counter", "gauge" or "untyped".
    void family(std::string_view name, std::string_view help,
                std::string_view type);
    void sample(std::string_view name, const Labels &labels, double value);
    void sample(std::string_view name, double value)
    {
        sample(name, {}, value);
    }

    const std::string &text() const { return text_; }

    // A label value: backslash, double quote and line feed escaped.
    static std::string escapeLabel(std::string_view value);
    // HELP text: backslash and line feed escaped.
    static std::string escapeHelp(std::string_view help);
    // Whole numbers without a fraction, others in full precision, and
    // NaN, +Inf, -Inf as Prometheus spells them; never locale-dependent.
    static std::string formatValue(double value);

private:
    std::string text_;
};

} // namespace vmrtc
