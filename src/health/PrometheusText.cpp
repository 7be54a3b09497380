// PrometheusText: escaping and number formatting of the text format.
#include "health/PrometheusText.hpp"

#include <glib.h>

#include <cmath>

namespace vmrtc {

void PrometheusText::family(std::string_view name, std::string_view help,
                            std::string_view type)
{
    text_ += "# HELP ";
    text_ += name;
    text_ += ' ';
    text_ += escapeHelp(help);
    text_ += "\n# TYPE ";
    text_ += name;
    text_ += ' ';
    text_ += type;
    text_ += '\n';
}

void PrometheusText::sample(std::string_view name, const Labels &labels,
                            double value)
{
    text_ += name;
    if (!labels.empty()) {
        text_ += '{';
        for (size_t i = 0; i < labels.size(); i++) {
            if (i > 0)
                text_ += ',';
            text_ +=
                labels[i].first + "=\"" + escapeLabel(labels[i].second) + '"';
        }
        text_ += '}';
    }
    text_ += ' ' + formatValue(value) + '\n';
}

std::string PrometheusText::escapeLabel(std::string_view value)
{
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string PrometheusText::escapeHelp(std::string_view help)
{
    std::string out;
    out.reserve(help.size());
    for (char c : help) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string PrometheusText::formatValue(double value)
{
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";

    // Counters of bytes and frames are exact up to 2^53.
    if (value == std::trunc(value) && std::fabs(value) < 9007199254740992.0)
        return std::to_string(static_cast<long long>(value));

    // The shortest of 15 or 17 digits that reads back as the same value.
    char buffer[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd(buffer, sizeof(buffer), "%.15g", value);
    if (g_ascii_strtod(buffer, nullptr) != value)
        g_ascii_formatd(buffer, sizeof(buffer), "%.17g", value);
    return buffer;
}

} // namespace vmrtc
