// Catch2 entry point shared by the test programs. A sanitizer report from a
// child the test started (the server, most of all) fails the test case that
// owned the child, and in any case the whole program.
#define CATCH_CONFIG_RUNNER

// gcc's -Wmaybe-uninitialized is unreliable under -fsanitize=address: it
// flags std::regex inside Catch2's own code, in no line of ours.
#if defined(__SANITIZE_ADDRESS__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "catch.hpp"

#include "SanitizerReport.hpp"

#include <glib.h>

using vmrtc::test::SanitizerReport;

int main(int argc, char **argv)
{
    SanitizerReport::setHandler(
        [](const std::string &what) { FAIL_CHECK(what); });

    int failed = Catch::Session().run(argc, argv);
    SanitizerReport::setHandler(nullptr);

    if (SanitizerReport::count() > 0) {
        g_printerr("sanitizer: %d child process(es) reported errors "
                   "(reports above)\n",
                   SanitizerReport::count());
        return failed != 0 ? failed : 1;
    }
    return failed;
}
