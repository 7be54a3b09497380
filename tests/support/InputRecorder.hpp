// The x-input-recorder X client run by a test: what input reached an X
// client on the test's display, and what its clipboard holds.
#pragma once

#include "ChildProcess.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vmrtc::test {

// One line of x-input-recorder's output (see XInputRecorder.cpp).
struct XInputEvent {
    std::string event; // "key-press", "button-release", "selection", …
    int x = 0;
    int y = 0;
    int button = 0;
    int keycode = 0;
    long state = 0;
    std::string keysym;
    std::string text; // key-press text, or the selection's content
    std::string selection;
    std::string target;
    std::string error;
    std::vector<std::string> targets;
    std::vector<int> down; // "keys": keycodes pressed
    long mask = 0;         // "pointer": buttons and modifiers held
};

// Waits iterate the default main context (WebRtcReceiver::pump), so a
// receiver in the same test keeps working meanwhile.
class InputRecorder {
public:
    // Starts $VMRTC_INPUT_RECORDER on display; waits until its window has
    // the focus.
    explicit InputRecorder(const std::string &display);
    ~InputRecorder();

    InputRecorder(const InputRecorder &) = delete;
    InputRecorder &operator=(const InputRecorder &) = delete;

    std::vector<XInputEvent> events();
    std::vector<XInputEvent> events(const std::string &kind);

    // The text of every key press so far, joined.
    std::string typedText();

    // Waits until done(events()) holds.
    bool waitFor(const std::function<bool(const std::vector<XInputEvent> &)> &done,
                 std::chrono::milliseconds timeout);

    // Sends a command ("pointer", "keys", "selection CLIPBOARD TARGETS")
    // and returns its answer, the next new line of kind.
    std::optional<XInputEvent> ask(const std::string &command,
                                   const std::string &kind,
                                   std::chrono::milliseconds timeout);

private:
    std::unique_ptr<ChildProcess> process_;
    int commands_ = -1; // the write end of the recorder's stdin
};

} // namespace vmrtc::test
