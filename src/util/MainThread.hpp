// Hands work from streaming threads to the thread running the main loop.
#pragma once

#include <functional>

namespace vmrtc {

// Queues fn to run on the default main context, never inline. Exceptions
// thrown by fn are caught and logged there: none crosses into GLib.
void runOnMainThread(std::function<void()> fn);

} // namespace vmrtc
