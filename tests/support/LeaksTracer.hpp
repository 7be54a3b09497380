// GStreamer's leaks tracer in a program run by a test: the environment
// that turns it on, and its listings of live objects read back from the
// program's GStreamer debug file.
#pragma once

#include "ChildProcess.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vmrtc::test {

// With GST_DEBUG set the server leaves GStreamer's messages to GStreamer's
// own printer, so its warnings and errors go to the debug file too, not to
// the JSON log: errors() reads them there.
class LeaksTracer {
public:
    // Live objects by type name, e.g. {"GstQueue": 3}.
    using Census = std::map<std::string, int>;

    // Tracks objects whose type derives from filter (e.g. "GstElement");
    // the debug file goes into a temporary folder of its own.
    explicit LeaksTracer(std::string filter);
    ~LeaksTracer(); // removes the file and its folder

    LeaksTracer(const LeaksTracer &) = delete;
    LeaksTracer &operator=(const LeaksTracer &) = delete;

    // GST_TRACERS, GST_LEAKS_TRACER_SIG, GST_DEBUG and GST_DEBUG_FILE.
    ChildProcess::Env env() const;

    // Asks the running program for its live objects (SIGUSR1) and waits
    // for the listing; nothing when none came within the timeout.
    std::optional<Census> liveNow(const ChildProcess &program,
                                  std::chrono::milliseconds timeout);

    // Every complete listing in the file, oldest first; once the program
    // has exited, the last one is what it left at gst_deinit().
    std::vector<Census> listings() const;

    // The lines GStreamer logged at level ERROR.
    std::vector<std::string> errors() const;

    static int total(const Census &census);
    // "GstQueue=3 GstTee=1 …" for a test's output.
    static std::string describe(const Census &census);

private:
    std::vector<std::string> lines() const;

    std::string filter_;
    std::string folder_;
    std::string file_;
};

} // namespace vmrtc::test
