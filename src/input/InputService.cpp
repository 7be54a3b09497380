// InputService: the policy and the X side of remote control.
#include "input/InputService.hpp"

#include "log/Logger.hpp"

#include <X11/Xlib.h>

namespace vmrtc {

namespace {

const Logger logger{"input"};

std::string_view policyName(InputPolicy policy)
{
    switch (policy) {
    case InputPolicy::Off:
        return "none";
    case InputPolicy::Granted:
        return "granted";
    case InputPolicy::All:
        break;
    }
    return "all";
}

} // namespace

InputService::InputService(Options options) : options_(std::move(options))
{
    if (options_.policy == InputPolicy::Off)
        unavailable_ = "input is turned off on this server (INPUT=none)";
    else if (options_.display.empty())
        unavailable_ = "this server captures no X display";
    else
        open();

    logger.info("remote control",
                {{"input", std::string(policyName(options_.policy))},
                 {"clipboard_out", options_.clipboardOut ? "on" : "off"},
                 {"available", unavailable_.empty() ? "yes" : unavailable_}});
}

InputService::~InputService() = default;

void InputService::open()
{
    x_ = XConnection::open(options_.display, &unavailable_);
    if (!x_)
        return;
    injector_ = InputInjector::create(*x_, options_.videoWidth,
                                      options_.videoHeight, &unavailable_);
    if (!injector_) {
        logger.warning("viewers cannot control the VM",
                       {{"reason", unavailable_}});
        return;
    }

    Clipboard::Changed changed;
    if (options_.clipboardOut)
        changed = [this](const std::string &text) { clipboardChanged(text); };
    clipboard_ = std::make_unique<Clipboard>(*x_, std::move(changed));
    x_->addHandler([this](const XEvent &event) { handle(event); });
}

bool InputService::allows(bool granted) const
{
    switch (options_.policy) {
    case InputPolicy::All:
        return true;
    case InputPolicy::Granted:
        return granted;
    case InputPolicy::Off:
        break;
    }
    return false;
}

void InputService::handle(const XEvent &event)
{
    if (event.type == MappingNotify) {
        XMappingEvent mapping = event.xmapping;
        XRefreshKeyboardMapping(&mapping);
        injector_->keymapChanged();
        return;
    }
    clipboard_->handle(event);
}

std::string InputService::inject(const NavigationEvent &event,
                                 InputInjector::Held &held)
{
    if (!injector_)
        return unavailable_;
    std::string error = injector_->inject(event, held);
    x_->dispatchPending(); // replies read meanwhile may have queued events
    return error;
}

std::string InputService::setClipboard(const std::string &text)
{
    if (!clipboard_)
        return unavailable_;
    std::string error;
    clipboard_->set(text, &error);
    x_->dispatchPending();
    return error;
}

void InputService::release(InputInjector::Held &held)
{
    if (injector_)
        injector_->release(held);
}

int InputService::addClipboardListener(ClipboardListener listener)
{
    listeners_[nextListener_] = std::move(listener);
    return nextListener_++;
}

void InputService::removeClipboardListener(int id)
{
    listeners_.erase(id);
}

void InputService::clipboardChanged(const std::string &text)
{
    logger.debug("the VM's clipboard changed",
                 {{"viewers", std::to_string(listeners_.size())}});
    for (const auto &[id, listener] : listeners_)
        listener(text);
}

} // namespace vmrtc
