// libFuzzer target: Message::parse on any text; what parses must come out
// of toJson() as text that parses again to the same message.
#include "signalling/Message.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

using namespace vmrtc;

namespace {

[[noreturn]] void fail(const char *what, const std::string &first,
                       const std::string &second)
{
    std::fprintf(stderr, "fuzz-message: %s\n  first:  %s\n  second: %s\n", what,
                 first.c_str(), second.c_str());
    std::abort();
}

// toJson() gives text that parses to a message with the same text.
void checkRoundTrip(const Message &message)
{
    std::string json = message.toJson();
    std::string error;
    std::optional<Message> again = Message::parse(json, &error);
    if (!again)
        fail("toJson() does not parse again", json, error);
    if (again->type != message.type)
        fail("the type changed", json, again->toJson());

    std::string second = again->toJson();
    if (second != json)
        fail("toJson() changed on a second round", json, second);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::string_view text(reinterpret_cast<const char *>(data), size);

    std::string error;
    std::optional<Message> message = Message::parse(text, &error);
    if (!message) {
        if (error.empty())
            fail("refused without a reason", std::string(text), error);
        return 0;
    }
    if (!error.empty())
        fail("accepted with a reason", std::string(text), error);

    checkRoundTrip(*message);
    return 0;
}
