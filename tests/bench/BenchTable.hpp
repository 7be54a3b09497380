// The benchmarks' Markdown table: each row a measure, its value, the
// baseline it is compared with (the plain pipeline unless the row says
// otherwise), their ratio, the target and whether it was met.
#pragma once

#include <optional>
#include <string>

namespace vmrtc::bench {

struct Target {
    enum class Bound { None, AtMost, AtLeast };
    Bound bound = Bound::None;
    double limit = 0;
    bool onRatio = false; // the limit bounds value / baseline

    static Target none() { return {}; }
    static Target atMost(double limit) { return {Bound::AtMost, limit}; }
    static Target atLeast(double limit) { return {Bound::AtLeast, limit}; }
    static Target ratioAtMost(double limit)
    {
        return {Bound::AtMost, limit, true};
    }
};

class BenchTable {
public:
    static void header();

    // value and baseline in unit ("ms", "% of a core"); a missing value
    // (the measure failed) is printed as such and misses its target.
    static void row(const std::string &measure, std::optional<double> value,
                    const std::string &unit,
                    std::optional<double> baseline = std::nullopt,
                    Target target = Target::none());

    // A row of free text, for counts and notes.
    static void note(const std::string &measure, const std::string &value);

private:
    static std::string verdict(double value, const std::string &unit,
                               const Target &target);
};

} // namespace vmrtc::bench
