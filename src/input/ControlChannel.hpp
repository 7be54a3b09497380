// One viewer's "control" data channel: its requests in, replies out.
#pragma once

#include "input/ControlRequest.hpp"
#include "input/InputInjector.hpp"
#include "util/GRef.hpp"

#define GST_USE_UNSTABLE_API
#include <gst/webrtc/webrtc.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vmrtc {

class InputService;

// Answers each request of one session with a ControlResponseMessage, and
// performs it when the session may control the VM and stays within its
// event budget. Everything the session holds down is released when the
// channel is destroyed. Messages arrive on the SCTP thread and are handled
// on the main thread, through a weak reference, like ViewerSession's
// signals. The InputService outlives every channel.
class ControlChannel : public std::enable_shared_from_this<ControlChannel> {
public:
    static constexpr unsigned maxEventsPerSecond = 250;

    static std::shared_ptr<ControlChannel>
    create(GstWebRTCDataChannel *channel, std::string session,
           bool mayControl, InputService &input);
    ~ControlChannel();

    ControlChannel(const ControlChannel &) = delete;
    ControlChannel &operator=(const ControlChannel &) = delete;

private:
    ControlChannel(GstWebRTCDataChannel *channel, std::string session,
                   bool mayControl, InputService &input);
    void connectSignals();
    void received(const std::string &text);
    std::string perform(const ControlRequest &request);
    bool withinBudget();
    void reply(std::optional<gint64> id, const std::string &error);
    void send(const std::string &text);
    void sendClipboard(const std::string &text);

    using Weak = std::weak_ptr<ControlChannel>;
    static void onMessageString(GstWebRTCDataChannel *, gchar *text,
                                gpointer weak);
    static void onMessageData(GstWebRTCDataChannel *, GBytes *data,
                              gpointer weak);
    static void freeWeak(gpointer weak, GClosure *);

    GRef<GstWebRTCDataChannel> channel_;
    std::string session_;
    bool mayControl_;
    InputService &input_;
    InputInjector::Held held_;
    std::vector<gulong> handlers_;
    int clipboardListener_ = 0;
    gint64 budgetStart_ = 0; // the current one-second window
    unsigned budgetUsed_ = 0;
    bool limited_ = false; // over budget in this burst; logged once
};

} // namespace vmrtc
