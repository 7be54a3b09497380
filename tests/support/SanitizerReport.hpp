// Reports of AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer
// found in the stderr of the programs a test starts. In a sanitized build
// the server runs as a child of the test, so its reports reach the test only
// through its output; ChildProcess hands every child's output here.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace vmrtc::test {

class SanitizerReport {
public:
    // Called once for each child that reported, with a one-line summary.
    using Handler = std::function<void(const std::string &)>;

    // The lines of text that tell of a report: the summary that ends an
    // AddressSanitizer or LeakSanitizer report ("SUMMARY: ...Sanitizer:
    // ..."), and the first line of an UndefinedBehaviorSanitizer one
    // ("file:line:column: runtime error: ..."), which has no summary when
    // the error halts the program.
    static std::vector<std::string> reportLines(const std::string &text);

    // Looks for reports in a finished child's stderr; if there are any,
    // prints the whole stderr, counts it and calls the handler.
    static void check(const std::string &program, int pid,
                      const std::string &stderrText);

    // The test programs' main sets a handler that fails the test case.
    static void setHandler(Handler handler);

    // How many children reported since the program started.
    static int count();
};

} // namespace vmrtc::test
