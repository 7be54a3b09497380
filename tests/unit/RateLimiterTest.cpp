// Unit tests of the log rate limiter.
#include "catch.hpp"

#include "log/RateLimiter.hpp"

using vmrtc::RateLimiter;

TEST_CASE("a key gets its budget per window, then counts", "[ratelimit]")
{
    RateLimiter limiter(2, 60 * G_USEC_PER_SEC);
    unsigned suppressed = 99;
    CHECK(limiter.allow("a", &suppressed));
    CHECK(suppressed == 0);
    CHECK(limiter.allow("a", &suppressed));
    CHECK_FALSE(limiter.allow("a", &suppressed));
    CHECK_FALSE(limiter.allow("a", &suppressed));
    CHECK(limiter.allow("b", &suppressed)); // keys are independent
}

TEST_CASE("a record's fields get the count of those dropped", "[ratelimit]")
{
    RateLimiter limiter(1, 50 * 1000); // 50 ms windows
    vmrtc::LogFields first{{"what", "x"}};
    CHECK(limiter.allow("k", first));
    CHECK(first.size() == 1);
    vmrtc::LogFields dropped;
    CHECK_FALSE(limiter.allow("k", dropped));
    CHECK(dropped.empty());

    g_usleep(80 * 1000);
    vmrtc::LogFields next{{"what", "x"}};
    CHECK(limiter.allow("k", next));
    REQUIRE(next.size() == 2);
    CHECK(next[1].key == "suppressed");
    CHECK(next[1].value == "1");
}

TEST_CASE("the next window reports what was dropped", "[ratelimit]")
{
    RateLimiter limiter(1, 50 * 1000); // 50 ms windows
    unsigned suppressed = 0;
    CHECK(limiter.allow("k", &suppressed));
    CHECK_FALSE(limiter.allow("k", &suppressed));
    CHECK_FALSE(limiter.allow("k", &suppressed));
    g_usleep(80 * 1000);
    CHECK(limiter.allow("k", &suppressed));
    CHECK(suppressed == 2);
}
