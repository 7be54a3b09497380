// ControlChannel: the control data channel's requests and replies.
#include "input/ControlChannel.hpp"

#include "input/InputService.hpp"
#include "log/Logger.hpp"
#include "log/RateLimiter.hpp"
#include "util/MainThread.hpp"

#include <variant>

namespace vmrtc {

namespace {

const Logger logger{"input"};

// A viewer sending garbage in a loop gets its replies, not a log line each.
RateLimiter rejections{10, 10 * G_USEC_PER_SEC};

void rejected(const std::string &session, const std::string &error)
{
    LogFields fields{{"session", session}, {"error", error}};
    if (rejections.allow("control request rejected", fields))
        logger.warning("control request rejected", fields);
}

} // namespace

ControlChannel::ControlChannel(GstWebRTCDataChannel *channel,
                               std::string session, bool mayControl,
                               InputService &input)
    : channel_(GRef<GstWebRTCDataChannel>::share(channel)),
      session_(std::move(session)), mayControl_(mayControl), input_(input)
{}

std::shared_ptr<ControlChannel>
ControlChannel::create(GstWebRTCDataChannel *channel, std::string session,
                       bool mayControl, InputService &input)
{
    std::shared_ptr<ControlChannel> control(
        new ControlChannel(channel, std::move(session), mayControl, input));
    control->connectSignals();
    return control;
}

ControlChannel::~ControlChannel()
{
    for (gulong handler : handlers_)
        g_signal_handler_disconnect(channel_.get(), handler);
    if (clipboardListener_)
        input_.removeClipboardListener(clipboardListener_);

    bool held = !held_.keys.empty() || !held_.buttons.empty();
    input_.release(held_);
    if (held)
        logger.info("released what the viewer held", {{"session", session_}});
}

void ControlChannel::connectSignals()
{
    auto connect = [this](const char *signal, GCallback callback) {
        handlers_.push_back(g_signal_connect_data(
            channel_.get(), signal, callback, new Weak(weak_from_this()),
            &ControlChannel::freeWeak, GConnectFlags(0)));
    };
    connect("on-message-string", G_CALLBACK(&onMessageString));
    connect("on-message-data", G_CALLBACK(&onMessageData));

    if (mayControl_ && input_.sendsClipboard()) {
        Weak weak = weak_from_this();
        clipboardListener_ =
            input_.addClipboardListener([weak](const std::string &text) {
                if (auto self = weak.lock())
                    self->sendClipboard(text);
            });
    }
}

void ControlChannel::freeWeak(gpointer weak, GClosure *)
{
    delete static_cast<Weak *>(weak);
}

void ControlChannel::onMessageString(GstWebRTCDataChannel *, gchar *text,
                                     gpointer weak)
{
    Weak channel = *static_cast<Weak *>(weak);
    std::string copy = text ? text : "";
    runOnMainThread([channel, copy] {
        if (auto self = channel.lock())
            self->received(copy);
    });
}

void ControlChannel::onMessageData(GstWebRTCDataChannel *, GBytes *,
                                   gpointer weak)
{
    Weak channel = *static_cast<Weak *>(weak);
    runOnMainThread([channel] {
        if (auto self = channel.lock())
            self->reply(std::nullopt, "requests are JSON text, not binary");
    });
}

void ControlChannel::received(const std::string &text)
{
    std::optional<gint64> id;
    std::string error;
    std::optional<ControlRequest> request =
        ControlRequest::parse(text, &id, &error);

    if (!request)
        rejected(session_, error);
    else
        error = perform(*request);
    reply(id, error);
}

std::string ControlChannel::perform(const ControlRequest &request)
{
    if (!mayControl_)
        return "this session may not control the VM";
    if (!withinBudget())
        return "more than " + std::to_string(maxEventsPerSecond) +
               " requests a second";

    std::string error;
    if (const auto *event = std::get_if<NavigationEvent>(&request.request)) {
        // Never the key or the text: they may be a password.
        logger.trace("navigation event",
                     {{"session", session_},
                      {"event", std::string(navigationKindName(event->kind))}});
        error = input_.inject(*event, held_);
    } else {
        logger.debug("clipboard set by a viewer", {{"session", session_}});
        error = input_.setClipboard(
            std::get<ClipboardText>(request.request).text);
    }
    if (!error.empty())
        rejected(session_, error);
    return error;
}

// At most maxEventsPerSecond requests in each one-second window; the first
// refusal of a burst is logged, the rest are only answered.
bool ControlChannel::withinBudget()
{
    gint64 now = g_get_monotonic_time();
    if (now - budgetStart_ >= G_USEC_PER_SEC) {
        budgetStart_ = now;
        budgetUsed_ = 0;
        limited_ = false;
    }
    if (++budgetUsed_ <= maxEventsPerSecond)
        return true;

    if (!limited_)
        logger.warning("a viewer sends input faster than allowed; refusing "
                       "the rest of this second",
                       {{"session", session_},
                        {"limit", std::to_string(maxEventsPerSecond)}});
    limited_ = true;
    return false;
}

void ControlChannel::reply(std::optional<gint64> id, const std::string &error)
{
    send(controlResponse(id, error));
}

void ControlChannel::send(const std::string &text)
{
    GError *failure = nullptr;
    if (gst_webrtc_data_channel_send_string_full(channel_.get(), text.c_str(),
                                                 &failure))
        return;
    GUnique<GError> owned{failure};
    logger.debug("cannot send on the control channel",
                 {{"session", session_},
                  {"error", owned ? owned->message : "unknown"}});
}

void ControlChannel::sendClipboard(const std::string &text)
{
    GstWebRTCDataChannelState state = GST_WEBRTC_DATA_CHANNEL_STATE_CLOSED;
    g_object_get(channel_.get(), "ready-state", &state, nullptr);
    if (state != GST_WEBRTC_DATA_CHANNEL_STATE_OPEN)
        return;
    send(clipboardNotice(text));
}

} // namespace vmrtc
