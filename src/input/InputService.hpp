// What viewers may do to the VM: the input policy, and the injector and
// clipboard on an X connection of the server's own.
#pragma once

#include "config/Config.hpp"
#include "input/Clipboard.hpp"
#include "input/InputInjector.hpp"
#include "input/XConnection.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace vmrtc {

// Created once by the server and shared by every session's control
// channel. Without an X display, or without XTEST, it is unavailable:
// requests are then answered with an error. Main thread only.
class InputService {
public:
    struct Options {
        std::string display; // empty: no X display, no input
        int videoWidth = 0;
        int videoHeight = 0;
        InputPolicy policy = InputPolicy::All;
        bool clipboardOut = false;
    };

    using ClipboardListener = std::function<void(const std::string &text)>;

    explicit InputService(Options options);
    ~InputService();

    InputService(const InputService &) = delete;
    InputService &operator=(const InputService &) = delete;

    // Whether a session may control the VM; `granted` is its startSession's
    // "control" flag.
    bool allows(bool granted) const;

    // Whether the VM's clipboard goes to viewers that may control.
    bool sendsClipboard() const { return options_.clipboardOut; }

    // Each returns why nothing was done, or an empty string.
    std::string inject(const NavigationEvent &event,
                       InputInjector::Held &held);
    std::string setClipboard(const std::string &text);
    void release(InputInjector::Held &held);

    int addClipboardListener(ClipboardListener listener);
    void removeClipboardListener(int id);

private:
    void open();
    void handle(const _XEvent &event);
    void clipboardChanged(const std::string &text);

    Options options_;
    std::string unavailable_; // why there is no input, when there is none
    std::unique_ptr<XConnection> x_;
    std::unique_ptr<InputInjector> injector_;
    std::unique_ptr<Clipboard> clipboard_;
    std::map<int, ClipboardListener> listeners_;
    int nextListener_ = 1;
};

} // namespace vmrtc
