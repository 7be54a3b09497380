// RateLimiter: a fixed window per key.
#include "log/RateLimiter.hpp"

namespace vmrtc {

bool RateLimiter::allow(const std::string &key, unsigned *suppressed)
{
    std::lock_guard guard(lock_);
    Window &w = windows_[key];
    gint64 now = g_get_monotonic_time();
    if (now - w.start > windowUs_) {
        w.start = now;
        w.used = 0;
    }
    if (w.used >= budget_) {
        w.suppressed++;
        return false;
    }
    w.used++;
    *suppressed = w.suppressed;
    w.suppressed = 0;
    return true;
}

bool RateLimiter::allow(const std::string &key, LogFields &fields)
{
    unsigned suppressed = 0;
    if (!allow(key, &suppressed))
        return false;
    if (suppressed > 0)
        fields.push_back({"suppressed", std::to_string(suppressed)});
    return true;
}

} // namespace vmrtc
