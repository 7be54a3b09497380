// BenchTable: rows printed to stdout as they are measured.
#include "BenchTable.hpp"

#include <cstdio>

namespace vmrtc::bench {

namespace {

std::string fixed(double value, const std::string &unit, int decimals = 1)
{
    char text[64];
    std::snprintf(text, sizeof(text), "%.*f", decimals, value);
    return unit.empty() ? text : std::string(text) + " " + unit;
}

// Ratios with two decimals: their targets (1.15) need them.
std::string ratioText(double ratio)
{
    char text[32];
    std::snprintf(text, sizeof(text), "%.2f x", ratio);
    return text;
}

std::string targetText(const Target &target, const std::string &unit)
{
    if (target.bound == Target::Bound::None)
        return "";
    std::string sign = target.bound == Target::Bound::AtMost ? "<= " : ">= ";
    if (target.onRatio)
        return sign + ratioText(target.limit);
    return sign + fixed(target.limit, unit);
}

} // namespace

void BenchTable::header()
{
    std::printf("| measure | value | baseline | ratio | target | result |\n"
                "| --- | --- | --- | --- | --- | --- |\n");
}

void BenchTable::row(const std::string &measure, std::optional<double> value,
                     const std::string &unit, std::optional<double> baseline,
                     Target target)
{
    std::string base = baseline ? fixed(*baseline, unit) : "";
    std::optional<double> ratio;
    if (value && baseline && *baseline > 0)
        ratio = *value / *baseline;
    std::string result;
    if (!value)
        result = target.bound == Target::Bound::None ? "" : "not measured";
    else if (target.onRatio)
        result = ratio ? verdict(*ratio, "x", target) : "no baseline";
    else
        result = verdict(*value, unit, target);

    std::printf("| %s | %s | %s | %s | %s | %s |\n", measure.c_str(),
                value ? fixed(*value, unit).c_str() : "not measured",
                base.c_str(), ratio ? ratioText(*ratio).c_str() : "",
                targetText(target, unit).c_str(), result.c_str());
    std::fflush(stdout);
}

void BenchTable::note(const std::string &measure, const std::string &value)
{
    std::printf("| %s | %s | | | | |\n", measure.c_str(), value.c_str());
    std::fflush(stdout);
}

std::string BenchTable::verdict(double value, const std::string &unit,
                                const Target &target)
{
    double over = 0;
    if (target.bound == Target::Bound::AtMost)
        over = value - target.limit;
    else if (target.bound == Target::Bound::AtLeast)
        over = target.limit - value;
    else
        return "";
    if (over <= 0)
        return "met";
    if (target.onRatio)
        return "missed by " + ratioText(over);
    // A miss too small for one decimal (29.97 fps against 30) gets two,
    // so that the table never says "missed by 0.0".
    return "missed by " + fixed(over, unit, over < 0.05 ? 2 : 1);
}

} // namespace vmrtc::bench
