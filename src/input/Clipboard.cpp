// Clipboard: a selection owner serving pasted text, and an XFixes watcher.
#include "input/Clipboard.hpp"

#include "input/ControlRequest.hpp"
#include "input/XConnection.hpp"
#include "log/Logger.hpp"
#include "util/GRef.hpp"

#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/extensions/Xfixes.h>

namespace vmrtc {

namespace {

const Logger logger{"input"};

Atom atom(Display *display, const char *name)
{
    return XInternAtom(display, name, False);
}

std::string toLatin1(const std::string &utf8)
{
    gsize written = 0;
    GUnique<char> latin1{g_convert_with_fallback(
        utf8.data(), static_cast<gssize>(utf8.size()), "ISO-8859-1", "UTF-8",
        "?", nullptr, &written, nullptr)};
    return latin1 ? std::string(latin1.get(), written) : std::string();
}

} // namespace

Clipboard::Clipboard(XConnection &x, Changed changed)
    : x_(x), changed_(std::move(changed))
{
    Display *d = x_.display();
    XSetWindowAttributes attributes{};
    attributes.event_mask = PropertyChangeMask;
    window_ = XCreateWindow(d, DefaultRootWindow(d), -10, -10, 1, 1, 0, 0,
                            InputOnly, CopyFromParent, CWEventMask,
                            &attributes);
    if (changed_)
        watchOwner();
    XFlush(d);
}

Clipboard::~Clipboard()
{
    XDestroyWindow(x_.display(), window_); // gives up the selections
    XFlush(x_.display());
}

size_t Clipboard::maxPropertyBytes() const
{
    long words = XExtendedMaxRequestSize(x_.display());
    if (words == 0)
        words = XMaxRequestSize(x_.display());
    return static_cast<size_t>(words) * 4 - 64; // less the request header
}

bool Clipboard::set(const std::string &text, std::string *error)
{
    if (text.size() > maxPropertyBytes()) {
        *error = "the text is larger than this X server takes at once";
        return false;
    }

    Display *d = x_.display();
    unsigned long time = serverTime();
    for (Atom selection : {atom(d, "CLIPBOARD"), Atom(XA_PRIMARY)})
        XSetSelectionOwner(d, selection, window_, time);
    if (XGetSelectionOwner(d, atom(d, "CLIPBOARD")) != window_) {
        *error = "the X server did not hand over the clipboard";
        return false;
    }

    text_ = text;
    owned_ = time;
    ownedCount_ = 2;
    return true;
}

// ICCCM asks owners for a real timestamp, not CurrentTime: a zero-length
// append to a property of our own window brings one back.
unsigned long Clipboard::serverTime()
{
    Display *d = x_.display();
    Atom stamp = atom(d, "VMRTC_TIMESTAMP");
    XChangeProperty(d, window_, stamp, XA_STRING, 8, PropModeAppend, nullptr,
                    0);
    XEvent event;
    XWindowEvent(d, window_, PropertyChangeMask, &event);
    return event.xproperty.time;
}

void Clipboard::handle(const XEvent &event)
{
    switch (event.type) {
    case SelectionRequest:
        serve(event);
        break;
    case SelectionClear:
        if (event.xselectionclear.window == window_ && --ownedCount_ <= 0)
            text_.clear(); // another client copied: its text wins
        break;
    case SelectionNotify:
        converted(event);
        break;
    default:
        if (fixesEventBase_ >= 0 &&
            event.type == fixesEventBase_ + XFixesSelectionNotify)
            ownerChanged(event);
    }
}

void Clipboard::serve(const XEvent &event)
{
    const XSelectionRequestEvent &request = event.xselectionrequest;
    // Clients from before ICCCM 2 name no property: use the target.
    Atom property = request.property ? request.property : request.target;
    bool current = request.time == CurrentTime || request.time >= owned_;
    bool served = ownedCount_ > 0 && current && answer(event, property);

    XEvent reply{};
    reply.xselection.type = SelectionNotify;
    reply.xselection.requestor = request.requestor;
    reply.xselection.selection = request.selection;
    reply.xselection.target = request.target;
    reply.xselection.property = served ? property : None;
    reply.xselection.time = request.time;
    XSendEvent(x_.display(), request.requestor, False, 0, &reply);
    XFlush(x_.display());
}

bool Clipboard::answer(const XEvent &event, unsigned long property)
{
    Display *d = x_.display();
    const XSelectionRequestEvent &request = event.xselectionrequest;
    Atom utf8 = atom(d, "UTF8_STRING");
    Atom targets = atom(d, "TARGETS");
    Atom text = atom(d, "TEXT");

    if (request.target == targets) {
        Atom offered[] = {targets, utf8, XA_STRING, text};
        XChangeProperty(d, request.requestor, property, XA_ATOM, 32,
                        PropModeReplace,
                        reinterpret_cast<unsigned char *>(offered), 4);
        return true;
    }
    if (request.target != utf8 && request.target != text &&
        request.target != XA_STRING)
        return false;

    bool latin1 = request.target == XA_STRING;
    std::string data = latin1 ? toLatin1(text_) : text_;
    XChangeProperty(d, request.requestor, property, latin1 ? XA_STRING : utf8,
                    8, PropModeReplace,
                    reinterpret_cast<const unsigned char *>(data.data()),
                    static_cast<int>(data.size()));
    return true;
}

void Clipboard::watchOwner()
{
    Display *d = x_.display();
    int errorBase = 0;
    if (!XFixesQueryExtension(d, &fixesEventBase_, &errorBase)) {
        fixesEventBase_ = -1;
        logger.warning("the X server has no XFIXES: the VM's clipboard is "
                       "not sent to viewers");
        return;
    }
    XFixesSelectSelectionInput(d, DefaultRootWindow(d), atom(d, "CLIPBOARD"),
                               XFixesSetSelectionOwnerNotifyMask);
}

void Clipboard::ownerChanged(const XEvent &event)
{
    const auto &notify =
        reinterpret_cast<const XFixesSelectionNotifyEvent &>(event);
    if (notify.owner == None || notify.owner == window_)
        return; // emptied, or the text a viewer just pasted

    Display *d = x_.display();
    XConvertSelection(d, notify.selection, atom(d, "UTF8_STRING"),
                      atom(d, "VMRTC_CLIPBOARD"), window_,
                      notify.selection_timestamp);
    XFlush(d);
}

void Clipboard::converted(const XEvent &event)
{
    const XSelectionEvent &reply = event.xselection;
    if (reply.requestor != window_ || reply.property == None || !changed_)
        return;

    Display *d = x_.display();
    Atom type = None;
    int format = 0;
    unsigned long count = 0, after = 0;
    unsigned char *data = nullptr;
    long words = static_cast<long>(ControlRequest::maxClipboardBytes / 4);
    XGetWindowProperty(d, window_, reply.property, 0, words, True,
                       AnyPropertyType, &type, &format, &count, &after, &data);
    std::string text;
    bool usable = data && format == 8 && type == atom(d, "UTF8_STRING") &&
                  after == 0;
    if (usable)
        text.assign(reinterpret_cast<char *>(data), count);
    if (data)
        XFree(data);

    // FIXME: text sent in pieces (INCR, for large selections) and text
    // over 1 MiB is not read; viewers then get no notice of the change.
    if (!usable || !g_utf8_validate(text.data(), static_cast<gssize>(text.size()),
                                    nullptr)) {
        logger.debug("the VM's clipboard is not text this server sends");
        return;
    }
    changed_(text);
}

} // namespace vmrtc
