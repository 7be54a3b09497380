// RAII holders for GLib, GObject and GStreamer references.
//
// Ownership rules (see docs/architecture.md):
// - GRef<T> holds one strong reference to a reference-counted object.
//   GRef<T>::adopt() takes over a reference the caller already owns
//   (a "transfer full" return); GRef<T>::share() adds a reference of its own.
//   Floating GstObjects and GObjects are sunk by adopt().
// - GUnique<T> owns a plain allocation (a string, a GError, an SDP message)
//   and frees it with the matching GLib or GStreamer free function.
#pragma once

#include <glib-object.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include <memory>
#include <utility>

namespace vmrtc {

// How to take and drop a reference on T. Any GObject subclass works
// through the primary template; boxed, mini-object and other counted
// types have a specialization.
template <typename T> struct RefTraits {
    static T *ref(T *p) { return static_cast<T *>(g_object_ref(p)); }
    // Clears the floating flag without adding a reference; a reference
    // that is not floating is taken over as it is.
    static T *sink(T *p)
    {
        if (g_object_is_floating(p))
            g_object_ref_sink(p);
        return p;
    }
    static void unref(T *p) { g_object_unref(p); }
};

#define VMRTC_REF_TRAITS(Type, refFn, unrefFn)                                 \
    template <> struct RefTraits<Type> {                                       \
        static Type *ref(Type *p) { return refFn(p); }                         \
        static Type *sink(Type *p) { return p; }                               \
        static void unref(Type *p) { unrefFn(p); }                             \
    }

VMRTC_REF_TRAITS(GMainLoop, g_main_loop_ref, g_main_loop_unref);
VMRTC_REF_TRAITS(GMainContext, g_main_context_ref, g_main_context_unref);
VMRTC_REF_TRAITS(GSource, g_source_ref, g_source_unref);
VMRTC_REF_TRAITS(GBytes, g_bytes_ref, g_bytes_unref);
VMRTC_REF_TRAITS(GUri, g_uri_ref, g_uri_unref);
VMRTC_REF_TRAITS(GstCaps, gst_caps_ref, gst_caps_unref);
VMRTC_REF_TRAITS(GstMessage, gst_message_ref, gst_message_unref);
VMRTC_REF_TRAITS(GstBuffer, gst_buffer_ref, gst_buffer_unref);
VMRTC_REF_TRAITS(GstEvent, gst_event_ref, gst_event_unref);
VMRTC_REF_TRAITS(GstPromise, gst_promise_ref, gst_promise_unref);
VMRTC_REF_TRAITS(JsonNode, json_node_ref, json_node_unref);
VMRTC_REF_TRAITS(JsonObject, json_object_ref, json_object_unref);

#undef VMRTC_REF_TRAITS

template <typename T> class GRef {
public:
    GRef() = default;
    GRef(std::nullptr_t) {}
    ~GRef() { reset(); }

    // Takes over a reference the caller owns; sinks a floating one.
    static GRef adopt(T *p)
    {
        GRef r;
        r.ptr_ = p ? RefTraits<T>::sink(p) : nullptr;
        return r;
    }

    // Adds a reference of its own; the caller keeps its reference.
    static GRef share(T *p)
    {
        GRef r;
        r.ptr_ = p ? RefTraits<T>::ref(p) : nullptr;
        return r;
    }

    GRef(const GRef &other)
        : ptr_(other.ptr_ ? RefTraits<T>::ref(other.ptr_) : nullptr)
    {}
    GRef(GRef &&other) noexcept : ptr_(std::exchange(other.ptr_, nullptr)) {}

    GRef &operator=(GRef other) noexcept
    {
        std::swap(ptr_, other.ptr_);
        return *this;
    }

    void reset()
    {
        if (T *p = std::exchange(ptr_, nullptr))
            RefTraits<T>::unref(p);
    }

    // Hands the reference to the caller (for "transfer full" arguments).
    [[nodiscard]] T *release() { return std::exchange(ptr_, nullptr); }

    T *get() const { return ptr_; }
    T *operator->() const { return ptr_; }
    explicit operator bool() const { return ptr_ != nullptr; }

private:
    T *ptr_ = nullptr;
};

// The free function for each plain allocation type.
template <typename T> struct FreeTraits;

#define VMRTC_FREE_TRAITS(Type, freeFn)                                        \
    template <> struct FreeTraits<Type> {                                      \
        static void free(Type *p) { freeFn(p); }                               \
    }

VMRTC_FREE_TRAITS(char, g_free);
VMRTC_FREE_TRAITS(char *, g_strfreev);
VMRTC_FREE_TRAITS(GError, g_error_free);
VMRTC_FREE_TRAITS(GOptionContext, g_option_context_free);
VMRTC_FREE_TRAITS(GSList, g_slist_free); // the list only, not its items

#undef VMRTC_FREE_TRAITS

template <typename T> struct FreeDeleter {
    void operator()(T *p) const
    {
        if (p)
            FreeTraits<T>::free(p);
    }
};

template <typename T> using GUnique = std::unique_ptr<T, FreeDeleter<T>>;

} // namespace vmrtc
