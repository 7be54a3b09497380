// DamageSource: the vmrtcdamagesrc element (a GstPushSrc subclass).
#include "capture/DamageSource.hpp"

#include <gst/base/gstpushsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XShm.h>
#include <X11/extensions/Xdamage.h>
#include <X11/extensions/Xfixes.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/shm.h>
#include <unistd.h>

#include <algorithm>

namespace vmrtc {

namespace {

GST_DEBUG_CATEGORY_STATIC(damageDebug);
#define GST_CAT_DEFAULT damageDebug

constexpr int defaultMaxFps = 30;
constexpr int defaultRefineFrames = 0;

// A burst of changes covering at least this share of the screen (in
// 1/1000) is refined once it settles; a blinking caret is not.
constexpr guint64 refineShare = 10;

// How long the screen must stay still before the refinement starts.
constexpr GstClockTime settleTime = 100 * GST_MSECOND;

// GObject zero-fills instances and runs no constructors: plain members.
struct DamageSrc {
    GstPushSrc parent;

    gchar *displayName; // property; null: $DISPLAY
    gint maxFps;        // property
    gint refineFrames;  // property

    // Used by the streaming thread, and by start() and stop() while it is
    // not running.
    Display *display;
    Window root;
    Damage damage;
    XserverRegion parts; // what the last damage report covered
    int damageEventBase;
    XImage *image;
    XShmSegmentInfo shm;
    gboolean useShm;
    gint width;
    gint height;
    gboolean damaged;          // a change not grabbed yet
    GstClockTime lastGrab;     // monotonic time of the last frame
    guint64 changedArea;       // pixels changed since the last refinement
    gint refineLeft;           // refinement frames still to send
    gboolean refining;         // told downstream that frames refine
    GstBuffer *last;           // the last frame pushed

    // Any thread: unlock() and events wake the streaming thread.
    int wake[2];
    gint flushing;
    gint repush;
};

struct DamageSrcClass {
    GstPushSrcClass parent;
};

enum { PROP_0, PROP_DISPLAY_NAME, PROP_MAX_FPS, PROP_REFINE_FRAMES };

GType damageSrcGetType();
#define DAMAGE_SRC(obj) (reinterpret_cast<DamageSrc *>(obj))

G_DEFINE_TYPE(DamageSrc, damage_src, GST_TYPE_PUSH_SRC)

GType damageSrcGetType()
{
    return damage_src_get_type();
}

GstStaticPadTemplate srcTemplate = GST_STATIC_PAD_TEMPLATE(
    "src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS("video/x-raw, format=(string)BGRx, "
                    "width=(int)[1, 32767], height=(int)[1, 32767], "
                    "framerate=(fraction)0/1"));

void wakeUp(DamageSrc *self)
{
    char byte = 1;
    if (write(self->wake[1], &byte, 1) < 0) {
        // the pipe is full: the streaming thread has wake-ups pending
    }
}

void drainWakeUps(DamageSrc *self)
{
    char bytes[64];
    while (read(self->wake[0], bytes, sizeof bytes) > 0) {
    }
}

bool createImage(DamageSrc *self)
{
    int screen = DefaultScreen(self->display);
    Visual *visual = DefaultVisual(self->display, screen);
    int depth = DefaultDepth(self->display, screen);
    self->useShm = XShmQueryExtension(self->display);

    if (self->useShm) {
        self->image = XShmCreateImage(self->display, visual, depth, ZPixmap,
                                      nullptr, &self->shm, self->width,
                                      self->height);
        self->shm.shmid = shmget(IPC_PRIVATE,
                                 self->image->bytes_per_line * self->height,
                                 IPC_CREAT | 0600);
        self->shm.shmaddr = self->image->data =
            static_cast<char *>(shmat(self->shm.shmid, nullptr, 0));
        self->shm.readOnly = False;
        XShmAttach(self->display, &self->shm);
        XSync(self->display, False);
        shmctl(self->shm.shmid, IPC_RMID, nullptr); // gone once detached
    }
    bool deep = depth == 24 || depth == 32;
    return self->useShm ? self->image && self->image->bits_per_pixel == 32
                        : deep;
}

gboolean damageSrcStart(GstBaseSrc *base)
{
    DamageSrc *self = DAMAGE_SRC(base);
    self->display = XOpenDisplay(self->displayName);
    if (!self->display) {
        GST_ELEMENT_ERROR(self, RESOURCE, OPEN_READ,
                          ("cannot open X display %s",
                           self->displayName ? self->displayName : "$DISPLAY"),
                          (nullptr));
        return FALSE;
    }

    int errorBase = 0;
    int fixesEvents = 0;
    int major = 2;
    int minor = 0;
    if (!XDamageQueryExtension(self->display, &self->damageEventBase,
                               &errorBase) ||
        !XFixesQueryExtension(self->display, &fixesEvents, &errorBase) ||
        !XFixesQueryVersion(self->display, &major, &minor)) {
        GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS,
                          ("the X server lacks the DAMAGE or XFIXES extension"),
                          (nullptr));
        return FALSE;
    }

    int screen = DefaultScreen(self->display);
    self->root = RootWindow(self->display, screen);
    self->width = DisplayWidth(self->display, screen);
    self->height = DisplayHeight(self->display, screen);
    if (!createImage(self)) {
        GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS,
                          ("the X screen is not 24 or 32 bits deep"),
                          (nullptr));
        return FALSE;
    }

    self->damage =
        XDamageCreate(self->display, self->root, XDamageReportNonEmpty);
    self->parts = XFixesCreateRegion(self->display, nullptr, 0);
    XFlush(self->display);
    self->damaged = TRUE; // the first frame goes out at once
    self->lastGrab = GST_CLOCK_TIME_NONE;
    self->changedArea = 0;
    self->refineLeft = 0;
    self->refining = FALSE;
    return TRUE;
}

gboolean damageSrcStop(GstBaseSrc *base)
{
    DamageSrc *self = DAMAGE_SRC(base);
    gst_clear_buffer(&self->last);
    if (!self->display)
        return TRUE;

    if (self->damage)
        XDamageDestroy(self->display, self->damage);
    if (self->parts)
        XFixesDestroyRegion(self->display, self->parts);
    if (self->image && self->useShm) {
        XShmDetach(self->display, &self->shm);
        XSync(self->display, False);
        shmdt(self->shm.shmaddr);
        self->image->data = nullptr;
    }
    if (self->image)
        XDestroyImage(self->image);
    XCloseDisplay(self->display);
    self->display = nullptr;
    self->image = nullptr;
    self->damage = 0;
    self->parts = 0;
    return TRUE;
}

GstCaps *damageSrcGetCaps(GstBaseSrc *base, GstCaps *filter)
{
    DamageSrc *self = DAMAGE_SRC(base);
    GstCaps *caps = nullptr;
    if (!self->display) {
        caps = gst_pad_get_pad_template_caps(GST_BASE_SRC_PAD(base));
    } else {
        caps = gst_caps_new_simple(
            "video/x-raw", "format", G_TYPE_STRING, "BGRx", "width",
            G_TYPE_INT, self->width, "height", G_TYPE_INT, self->height,
            "framerate", GST_TYPE_FRACTION, 0, 1, "max-framerate",
            GST_TYPE_FRACTION, self->maxFps, 1, "pixel-aspect-ratio",
            GST_TYPE_FRACTION, 1, 1, nullptr);
    }
    if (!filter)
        return caps;
    GstCaps *both =
        gst_caps_intersect_full(filter, caps, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref(caps);
    return both;
}

// Adds the area of the damage just taken from the X server (overlaps
// between rectangles are few and counted twice).
void countChangedArea(DamageSrc *self)
{
    int count = 0;
    XRectangle *rects = XFixesFetchRegion(self->display, self->parts, &count);
    for (int i = 0; i < count; i++)
        self->changedArea += guint64(rects[i].width) * rects[i].height;
    if (rects)
        XFree(rects);
}

// Reads what the X server sent; true when the screen changed.
bool readDamage(DamageSrc *self)
{
    bool changed = false;
    while (XPending(self->display) > 0) {
        XEvent event;
        XNextEvent(self->display, &event);
        if (event.type == self->damageEventBase + XDamageNotify)
            changed = true;
    }
    if (!changed)
        return false;

    // Takes the damage, so that the next change is reported again.
    XDamageSubtract(self->display, self->damage, None, self->parts);
    countChangedArea(self);
    return true;
}

// Once a large change has settled, the encoder gets the still screen a few
// more times: each copy costs little and sharpens what the lossy frames of
// the change left blurred, since the encoder spends the bits on the
// difference between what the viewer shows and the screen.
bool startRefinement(DamageSrc *self)
{
    guint64 screen = guint64(self->width) * self->height;
    if (self->refineFrames <= 0 ||
        self->changedArea * 1000 < screen * refineShare)
        return false;
    self->changedArea = 0;
    self->refineLeft = self->refineFrames;
    return true;
}

// When the next refinement frame is due, or GST_CLOCK_TIME_NONE.
GstClockTime refinementDue(DamageSrc *self)
{
    if (self->damaged || !self->last ||
        !GST_CLOCK_TIME_IS_VALID(self->lastGrab))
        return GST_CLOCK_TIME_NONE;
    if (self->refineLeft == 0 && !startRefinement(self))
        return GST_CLOCK_TIME_NONE;
    if (self->refineLeft == self->refineFrames)
        return self->lastGrab + settleTime;
    return self->lastGrab + GST_SECOND / std::max(self->maxFps, 1);
}

GstBuffer *grab(DamageSrc *self)
{
    if (self->useShm)
        XShmGetImage(self->display, self->root, self->image, 0, 0, AllPlanes);
    else
        self->image = XGetImage(self->display, self->root, 0, 0, self->width,
                                self->height, AllPlanes, ZPixmap);
    if (!self->image)
        return nullptr;

    // FIXME: the whole screen is grabbed, and later converted and encoded,
    // however small the damage: an 80x80 square moving costs what the
    // plain pipeline costs (docs/performance.md). Each grab is also copied
    // out of the one shared-memory image into a new buffer (3.7 MB at
    // 1280x720), since the next grab overwrites that image while this
    // frame may still be queued; a pool of XShm images, each lent to one
    // buffer, would save the copy and the churn.
    gsize size = gsize(self->image->bytes_per_line) * gsize(self->height);
    GstBuffer *frame = gst_buffer_new_memdup(self->image->data, size);
    if (!self->useShm) {
        XDestroyImage(self->image);
        self->image = nullptr;
    }
    return frame;
}

int msUntil(GstClockTime due, GstClockTime now)
{
    if (now >= due)
        return 0;
    return int((due - now + GST_MSECOND - 1) / GST_MSECOND);
}

// How long the streaming thread may sleep, in ms: -1 for until woken,
// else until the next grab is allowed.
int sleepMs(DamageSrc *self, GstClockTime now)
{
    if (!self->damaged)
        return -1;
    if (!GST_CLOCK_TIME_IS_VALID(self->lastGrab))
        return 0;
    GstClockTime interval = GST_SECOND / std::max(self->maxFps, 1);
    return msUntil(self->lastGrab + interval, now);
}

// Tells the elements downstream (the encoder's owner) whether the frames
// that follow are refinement frames, when that changes.
void markRefining(DamageSrc *self, gboolean refining)
{
    if (self->refining == refining)
        return;
    self->refining = refining;
    GstStructure *what = gst_structure_new(damageSourceRefineEvent, "active",
                                           G_TYPE_BOOLEAN, refining, nullptr);
    gst_pad_push_event(GST_BASE_SRC_PAD(self),
                       gst_event_new_custom(GST_EVENT_CUSTOM_DOWNSTREAM, what));
}

// The time a grab at now counts for: while changes keep coming, grabs
// follow a grid of max-fps slots, so that waking up late (poll's whole
// milliseconds, the grab itself) does not lower the frame rate; after a
// pause the grid starts again at now.
GstClockTime nextSlot(DamageSrc *self, GstClockTime now)
{
    GstClockTime interval = GST_SECOND / std::max(self->maxFps, 1);
    if (!GST_CLOCK_TIME_IS_VALID(self->lastGrab) ||
        now >= self->lastGrab + 2 * interval)
        return now;
    return self->lastGrab + interval;
}

// A copy of the last frame, stamped anew when pushed: it is shown now.
GstBuffer *lastAgain(DamageSrc *self)
{
    GstBuffer *copy = gst_buffer_copy(self->last);
    GST_BUFFER_PTS(copy) = GST_BUFFER_DTS(copy) = GST_CLOCK_TIME_NONE;
    return copy;
}

void waitForWork(DamageSrc *self, int timeoutMs)
{
    pollfd fds[2] = {{ConnectionNumber(self->display), POLLIN, 0},
                     {self->wake[0], POLLIN, 0}};
    poll(fds, 2, timeoutMs);
    drainWakeUps(self);
}

GstFlowReturn damageSrcCreate(GstPushSrc *push, GstBuffer **out)
{
    DamageSrc *self = DAMAGE_SRC(push);
    for (;;) {
        if (g_atomic_int_get(&self->flushing))
            return GST_FLOW_FLUSHING;
        if (g_atomic_int_compare_and_exchange(&self->repush, 1, 0) &&
            self->last) {
            GST_DEBUG_OBJECT(self, "sending the last frame again");
            // It becomes a keyframe, which the refinement then sharpens.
            self->changedArea = guint64(self->width) * self->height;
            self->refineLeft = 0;
            self->lastGrab = g_get_monotonic_time() * GST_USECOND;
            markRefining(self, FALSE);
            *out = lastAgain(self);
            return GST_FLOW_OK;
        }

        if (readDamage(self)) {
            self->damaged = TRUE;
            self->refineLeft = 0; // a new change: refine after it instead
        }
        GstClockTime now = g_get_monotonic_time() * GST_USECOND;
        GstClockTime refine = refinementDue(self);
        if (GST_CLOCK_TIME_IS_VALID(refine) && now >= refine) {
            self->refineLeft--;
            self->lastGrab = now;
            GST_LOG_OBJECT(self, "refining, %d to go", self->refineLeft);
            markRefining(self, TRUE);
            *out = lastAgain(self);
            return GST_FLOW_OK;
        }

        int wait = GST_CLOCK_TIME_IS_VALID(refine) ? msUntil(refine, now)
                                                   : sleepMs(self, now);
        if (wait == 0)
            break;
        waitForWork(self, wait);
    }

    GstClockTime now = g_get_monotonic_time() * GST_USECOND;
    GstBuffer *frame = grab(self);
    if (!frame) {
        GST_ELEMENT_ERROR(self, RESOURCE, READ, ("cannot grab the screen"),
                          (nullptr));
        return GST_FLOW_ERROR;
    }
    self->damaged = FALSE;
    self->lastGrab = nextSlot(self, now);
    GST_LOG_OBJECT(self, "grabbed a changed screen");
    markRefining(self, FALSE);
    gst_buffer_replace(&self->last, frame);
    *out = frame;
    return GST_FLOW_OK;
}

gboolean damageSrcUnlock(GstBaseSrc *base)
{
    DamageSrc *self = DAMAGE_SRC(base);
    g_atomic_int_set(&self->flushing, 1);
    wakeUp(self);
    return TRUE;
}

gboolean damageSrcUnlockStop(GstBaseSrc *base)
{
    DamageSrc *self = DAMAGE_SRC(base);
    g_atomic_int_set(&self->flushing, 0);
    drainWakeUps(self);
    return TRUE;
}

bool asksForFrame(GstEvent *event)
{
    return gst_video_event_is_force_key_unit(event) ||
           gst_event_has_name(event, damageSourceRepeatEvent);
}

gboolean damageSrcEvent(GstBaseSrc *base, GstEvent *event)
{
    if (asksForFrame(event)) {
        DamageSrc *self = DAMAGE_SRC(base);
        GST_DEBUG_OBJECT(self, "asked for a frame: the last one goes again");
        g_atomic_int_set(&self->repush, 1);
        wakeUp(self);
        return TRUE;
    }
    return GST_BASE_SRC_CLASS(damage_src_parent_class)->event(base, event);
}

void damageSrcSetProperty(GObject *object, guint id, const GValue *value,
                          GParamSpec *spec)
{
    DamageSrc *self = DAMAGE_SRC(object);
    switch (id) {
    case PROP_DISPLAY_NAME:
        g_free(self->displayName);
        self->displayName = g_value_dup_string(value);
        break;
    case PROP_MAX_FPS:
        self->maxFps = g_value_get_int(value);
        break;
    case PROP_REFINE_FRAMES:
        self->refineFrames = g_value_get_int(value);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, spec);
    }
}

void damageSrcGetProperty(GObject *object, guint id, GValue *value,
                          GParamSpec *spec)
{
    DamageSrc *self = DAMAGE_SRC(object);
    switch (id) {
    case PROP_DISPLAY_NAME:
        g_value_set_string(value, self->displayName);
        break;
    case PROP_MAX_FPS:
        g_value_set_int(value, self->maxFps);
        break;
    case PROP_REFINE_FRAMES:
        g_value_set_int(value, self->refineFrames);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, spec);
    }
}

void damageSrcFinalize(GObject *object)
{
    DamageSrc *self = DAMAGE_SRC(object);
    g_free(self->displayName);
    close(self->wake[0]);
    close(self->wake[1]);
    G_OBJECT_CLASS(damage_src_parent_class)->finalize(object);
}

void installProperties(GObjectClass *object)
{
    auto flags = GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                             GST_PARAM_MUTABLE_READY);
    g_object_class_install_property(
        object, PROP_DISPLAY_NAME,
        g_param_spec_string("display-name", "Display",
                            "X display to capture; default $DISPLAY", nullptr,
                            flags));
    g_object_class_install_property(
        object, PROP_MAX_FPS,
        g_param_spec_int("max-fps", "Maximum frame rate",
                         "Changes are grabbed at most this often a second", 1,
                         120, defaultMaxFps, flags));
    g_object_class_install_property(
        object, PROP_REFINE_FRAMES,
        g_param_spec_int("refine-frames", "Refinement frames",
                         "Copies of a settled screen sent after a large "
                         "change, to sharpen it",
                         0, 30, defaultRefineFrames, flags));
}

void damage_src_class_init(DamageSrcClass *klass)
{
    auto *object = G_OBJECT_CLASS(klass);
    object->set_property = damageSrcSetProperty;
    object->get_property = damageSrcGetProperty;
    object->finalize = damageSrcFinalize;
    installProperties(object);

    auto *element = GST_ELEMENT_CLASS(klass);
    gst_element_class_add_static_pad_template(element, &srcTemplate);
    gst_element_class_set_static_metadata(
        element, "X11 capture driven by damage", "Source/Video",
        "Grabs the X screen when it changed, at most max-fps times a second",
        "vm-webrtc-server");

    auto *base = GST_BASE_SRC_CLASS(klass);
    base->start = damageSrcStart;
    base->stop = damageSrcStop;
    base->get_caps = damageSrcGetCaps;
    base->unlock = damageSrcUnlock;
    base->unlock_stop = damageSrcUnlockStop;
    base->event = damageSrcEvent;
    GST_PUSH_SRC_CLASS(klass)->create = damageSrcCreate;
}

void damage_src_init(DamageSrc *self)
{
    self->maxFps = defaultMaxFps;
    self->refineFrames = defaultRefineFrames;
    if (pipe2(self->wake, O_CLOEXEC | O_NONBLOCK) != 0)
        self->wake[0] = self->wake[1] = -1;
    gst_base_src_set_live(GST_BASE_SRC(self), TRUE);
    gst_base_src_set_format(GST_BASE_SRC(self), GST_FORMAT_TIME);
    gst_base_src_set_do_timestamp(GST_BASE_SRC(self), TRUE);
}

} // namespace

bool registerDamageSource()
{
    GST_DEBUG_CATEGORY_INIT(damageDebug, "vmrtcdamagesrc", 0,
                            "X11 capture driven by damage");
    return gst_element_register(nullptr, "vmrtcdamagesrc", GST_RANK_NONE,
                                damageSrcGetType());
}

} // namespace vmrtc
