// Unit tests of the search for sanitizer reports in a child's output.
#include "catch.hpp"

#include "SanitizerReport.hpp"

using vmrtc::test::SanitizerReport;

TEST_CASE("each sanitizer's summary line is found", "[sanitizer]")
{
    std::string text =
        "{\"level\":\"info\",\"message\":\"started\"}\n"
        "==12==ERROR: LeakSanitizer: detected memory leaks\n"
        "    #0 0x7f in malloc\n"
        "SUMMARY: AddressSanitizer: 77 byte(s) leaked in 1 allocation(s).\n"
        "src/x.cpp:3:5: runtime error: signed integer overflow\n"
        "SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior "
        "src/x.cpp:3:5 in\n"
        "SUMMARY: LeakSanitizer: 8 byte(s) leaked in 1 allocation(s).";

    std::vector<std::string> found = SanitizerReport::summaries(text);
    REQUIRE(found.size() == 3);
    CHECK(found[0] ==
          "SUMMARY: AddressSanitizer: 77 byte(s) leaked in 1 allocation(s).");
    CHECK(found[1].rfind("SUMMARY: UndefinedBehaviorSanitizer: ", 0) == 0);
    CHECK(found[2].rfind("SUMMARY: LeakSanitizer: ", 0) == 0);
}

TEST_CASE("a log that only mentions a sanitizer is no report", "[sanitizer]")
{
    CHECK(SanitizerReport::summaries("").empty());
    CHECK(SanitizerReport::summaries("SUMMARY: 3 viewers\n").empty());
    CHECK(SanitizerReport::summaries(
              "{\"message\":\"SUMMARY: AddressSanitizer: quoted\"}\n")
              .empty());
    CHECK(SanitizerReport::summaries(" SUMMARY: AddressSanitizer: x\n")
              .empty());
}
