// libFuzzer target: ControlRequest::parse on any text, as a viewer's
// control channel may send it; every outcome must come with its reply.
#include "input/ControlRequest.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

using namespace vmrtc;

namespace {

[[noreturn]] void fail(const char *what, std::string_view text)
{
    std::fprintf(stderr, "fuzz-control: %s\n  input: %.*s\n", what,
                 static_cast<int>(text.size()), text.data());
    std::abort();
}

void checkParsed(const ControlRequest &request, std::string_view text)
{
    const auto *event = std::get_if<NavigationEvent>(&request.request);
    if (!event)
        return;
    bool finite = std::isfinite(event->x) && std::isfinite(event->y) &&
                  std::isfinite(event->deltaX) && std::isfinite(event->deltaY);
    if (!finite)
        fail("a number that is not finite was accepted", text);
    bool isButton = event->kind == NavigationKind::MouseButtonPress ||
                    event->kind == NavigationKind::MouseButtonRelease;
    if (isButton && (event->button < 1 || event->button > 5))
        fail("a button out of range was accepted", text);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::string_view text(reinterpret_cast<const char *>(data), size);

    std::optional<gint64> id;
    std::string error;
    std::optional<ControlRequest> request =
        ControlRequest::parse(text, &id, &error);
    if (!request && error.empty())
        fail("refused without a reason", text);
    if (request && (!error.empty() || id != request->id))
        fail("accepted with a reason, or without its id", text);
    if (request)
        checkParsed(*request, text);

    // The reply is made for every message, good or bad.
    std::string reply = controlResponse(id, error);
    if (reply.find("ControlResponseMessage") == std::string::npos)
        fail("no reply", text);
    return 0;
}
