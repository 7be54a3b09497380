// The program from main() to exit: command line, preflight, run.
#pragma once

namespace vmrtc {

class Application {
public:
    // Returns the process exit code; catches every exception.
    static int main(int argc, char **argv);

private:
    static int run(int argc, char **argv);
};

} // namespace vmrtc
