// vmrtcdamagesrc: an X11 capture source that grabs only when the screen
// changed, registered by the program for its pipeline templates.
#pragma once

namespace vmrtc {

// Registers the element "vmrtcdamagesrc" with GStreamer; call after
// gst_init(). It listens to XDamage on the root window and grabs the whole
// screen (XShm when the server has it) as soon as something changed, at
// most max-fps times a second; while the screen is still it pushes
// nothing, so nothing downstream runs. An upstream force-key-unit event
// (a viewer joined, or asked for a keyframe) makes it push its last frame
// again, so the encoder has something to encode as the keyframe; so does
// the upstream custom event named by damageSourceRepeatEvent. With
// refine-frames set, a change of a sizeable part of the screen (or a frame
// sent again) is followed, once the screen has been still for 100 ms, by
// that many copies of the still screen, so that the encoder sharpens it.
// Frames are BGRx at the screen's size, with a variable frame rate (0/1).
bool registerDamageSource();

// The name of an upstream custom event that asks the source for its last
// frame again, without asking the encoder for a keyframe.
constexpr const char *damageSourceRepeatEvent = "vmrtc-repeat-frame";

// The name of the downstream custom event the source sends before its
// refinement frames (field "active" TRUE) and before the next other frame
// ("active" FALSE), so that the encoder can be told to spend more on them.
constexpr const char *damageSourceRefineEvent = "vmrtc-refining";

} // namespace vmrtc
