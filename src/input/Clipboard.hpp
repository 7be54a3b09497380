// The VM's clipboard as viewers see it: set from a viewer, and optionally
// watched for changes to send back.
#pragma once

#include <functional>
#include <string>

union _XEvent;

namespace vmrtc {

class XConnection;

// Owns the CLIPBOARD and PRIMARY selections with text a viewer pasted and
// serves it to X clients as UTF8_STRING, STRING or TEXT (and TARGETS), so
// that Ctrl+V in the VM pastes it. With a change handler it also follows
// the CLIPBOARD owner (XFixes) and hands the new text, read as
// UTF8_STRING, to the handler. Main thread only; the connection outlives
// it.
class Clipboard {
public:
    using Changed = std::function<void(const std::string &text)>;

    // changed may be empty: the VM's clipboard is then not read.
    Clipboard(XConnection &x, Changed changed);
    ~Clipboard();

    Clipboard(const Clipboard &) = delete;
    Clipboard &operator=(const Clipboard &) = delete;

    // Makes text (UTF-8) the content of both selections; false with
    // *error when the X server refuses.
    bool set(const std::string &text, std::string *error);

    void handle(const _XEvent &event);

private:
    void serve(const _XEvent &request);
    bool answer(const _XEvent &request, unsigned long property);
    unsigned long serverTime();
    void watchOwner();
    void ownerChanged(const _XEvent &event);
    void converted(const _XEvent &event);
    size_t maxPropertyBytes() const;

    XConnection &x_;
    Changed changed_;
    unsigned long window_ = 0;
    unsigned long owned_ = 0; // server time the selections were taken
    int ownedCount_ = 0;      // of CLIPBOARD and PRIMARY, how many we hold
    std::string text_;
    int fixesEventBase_ = -1; // XFixes' first event, -1 when not watching
};

} // namespace vmrtc
