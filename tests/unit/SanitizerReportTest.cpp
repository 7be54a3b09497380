// Unit tests of the search for sanitizer reports in a child's output.
#include "catch.hpp"

#include "SanitizerReport.hpp"

using vmrtc::test::SanitizerReport;

TEST_CASE("each sanitizer's report is found", "[sanitizer]")
{
    std::string text =
        "{\"level\":\"info\",\"message\":\"started\"}\n"
        "==12==ERROR: LeakSanitizer: detected memory leaks\n"
        "    #0 0x7f in malloc\n"
        "SUMMARY: AddressSanitizer: 77 byte(s) leaked in 1 allocation(s).\n"
        "../src/x.cpp:3:5: runtime error: signed integer overflow\n"
        "SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior "
        "src/x.cpp:3:5 in\n"
        "SUMMARY: LeakSanitizer: 8 byte(s) leaked in 1 allocation(s).";

    std::vector<std::string> found = SanitizerReport::reportLines(text);
    REQUIRE(found.size() == 4);
    CHECK(found[0] ==
          "SUMMARY: AddressSanitizer: 77 byte(s) leaked in 1 allocation(s).");
    CHECK(found[1] ==
          "../src/x.cpp:3:5: runtime error: signed integer overflow");
    CHECK(found[2].rfind("SUMMARY: UndefinedBehaviorSanitizer: ", 0) == 0);
    CHECK(found[3].rfind("SUMMARY: LeakSanitizer: ", 0) == 0);
}

TEST_CASE("a halting UndefinedBehaviorSanitizer error is found without its "
          "summary",
          "[sanitizer]")
{
    std::vector<std::string> found = SanitizerReport::reportLines(
        "src/app/Server.cpp:72:55: runtime error: store to address "
        "0x6020000d7758 with insufficient space for an object of type "
        "'char'\n0x6020000d7758: note: pointer points here\n");
    REQUIRE(found.size() == 1);
    CHECK(found[0].find(": runtime error: store to address") !=
          std::string::npos);
}

TEST_CASE("a log that only mentions a sanitizer is no report", "[sanitizer]")
{
    CHECK(SanitizerReport::reportLines("").empty());
    CHECK(SanitizerReport::reportLines("SUMMARY: 3 viewers\n").empty());
    CHECK(SanitizerReport::reportLines(
              "{\"message\":\"SUMMARY: AddressSanitizer: quoted\"}\n")
              .empty());
    CHECK(SanitizerReport::reportLines(
              "{\"message\":\"x\",\"error\":\"a: runtime error: b\"}\n")
              .empty());
    CHECK(SanitizerReport::reportLines(" SUMMARY: AddressSanitizer: x\n")
              .empty());
}
