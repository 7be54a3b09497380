// Caps how often one kind of log record is written, so that a flood (a
// peer sending garbage, an element warning per packet) cannot fill a disk.
#pragma once

#include "log/Logger.hpp"

#include <glib.h>

#include <map>
#include <mutex>
#include <string>

namespace vmrtc {

// Each key may write `budget` records per window; the rest are counted and
// the count is reported with the next record written. Thread-safe.
class RateLimiter {
public:
    RateLimiter(unsigned budget, gint64 windowUs)
        : budget_(budget), windowUs_(windowUs)
    {}

    // True when a record for key may be written now; *suppressed is how
    // many were dropped for key since the last one written.
    bool allow(const std::string &key, unsigned *suppressed);

    // As above, for a record with these fields: adds a "suppressed" field
    // with the count when records were dropped.
    bool allow(const std::string &key, LogFields &fields);

private:
    struct Window {
        gint64 start = 0;
        unsigned used = 0;
        unsigned suppressed = 0;
    };

    unsigned budget_;
    gint64 windowUs_;
    std::mutex lock_;
    std::map<std::string, Window> windows_;
};

} // namespace vmrtc
