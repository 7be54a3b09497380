// Unit tests of the control channel's requests, replies and notices.
#include "catch.hpp"

#include "input/ControlRequest.hpp"

using namespace vmrtc;

namespace {

ControlRequest parsed(const std::string &text)
{
    std::optional<gint64> id;
    std::string error;
    std::optional<ControlRequest> r = ControlRequest::parse(text, &id, &error);
    INFO(error);
    REQUIRE(r);
    CHECK(id == r->id);
    return *r;
}

NavigationEvent navigation(const std::string &event)
{
    ControlRequest r = parsed(R"({"id":7,"request":{"type":"navigationEvent",)"
                              R"("event":)" +
                              event + "}}");
    REQUIRE(std::holds_alternative<NavigationEvent>(r.request));
    return std::get<NavigationEvent>(r.request);
}

// The error for text, and the id the reply carries.
std::pair<std::string, std::optional<gint64>>
rejected(const std::string &text)
{
    std::optional<gint64> id;
    std::string error;
    CHECK_FALSE(ControlRequest::parse(text, &id, &error));
    CHECK_FALSE(error.empty());
    return {error, id};
}

std::string rejectedEvent(const std::string &event)
{
    return rejected(R"({"id":1,"request":{"type":"navigationEvent","event":)" +
                    event + "}}")
        .first;
}

} // namespace

TEST_CASE("navigation events as gstwebrtc-api sends them parse",
          "[control]")
{
    NavigationEvent move = navigation(
        R"({"event":"MouseMove","x":10.5,"y":20,"modifier_state":""})");
    CHECK(move.kind == NavigationKind::MouseMove);
    CHECK(move.x == 10.5);
    CHECK(move.y == 20);

    NavigationEvent press = navigation(
        R"({"event":"MouseButtonPress","x":1,"y":2,"button":3,)"
        R"("modifier_state":"button1-mask"})");
    CHECK(press.kind == NavigationKind::MouseButtonPress);
    CHECK(press.button == 3);

    NavigationEvent scroll = navigation(
        R"({"event":"MouseScroll","x":1,"y":2,"delta_x":-0,"delta_y":-100})");
    CHECK(scroll.deltaY == -100);

    NavigationEvent key =
        navigation(R"({"event":"KeyPress","key":"eacute","modifier_state":""})");
    CHECK(key.kind == NavigationKind::KeyDown);
    CHECK(key.key == "eacute");
    CHECK(navigation(R"({"event":"KeyRelease","key":"a"})").kind ==
          NavigationKind::KeyUp);

    NavigationEvent touch = navigation(
        R"({"event":"TouchDown","identifier":4,"x":1,"y":2,"pressure":0.5})");
    CHECK(touch.touchId == 4);
    CHECK(navigation(R"({"event":"TouchFrame","modifier_state":""})").kind ==
          NavigationKind::TouchFrame);
}

TEST_CASE("a clipboard request carries its text", "[control]")
{
    ControlRequest r =
        parsed(R"({"id":0,"request":{"type":"clipboard","text":"é €"}})");
    REQUIRE(std::holds_alternative<ClipboardText>(r.request));
    CHECK(std::get<ClipboardText>(r.request).text == "é €");
}

TEST_CASE("malformed requests are rejected with a reason and their id",
          "[control]")
{
    CHECK(rejected("not json").second == std::nullopt);
    CHECK(rejected("[1]").second == std::nullopt);
    CHECK(rejected(R"({"request":{}})").first == "missing id");
    CHECK(rejected(R"({"id":-1,"request":{}})").second == std::nullopt);
    CHECK(rejected(R"({"id":"1","request":{}})").second == std::nullopt);

    auto [error, id] = rejected(R"({"id":3,"request":{"type":"bogus"}})");
    CHECK(error == "unknown request type \"bogus\"");
    CHECK(id == 3);

    CHECK(rejectedEvent(R"({"event":"Teleport"})") ==
          "unknown navigation event \"Teleport\"");
    CHECK(rejectedEvent(R"({"event":"MouseMove","x":1})") == "missing y");
    CHECK(rejectedEvent(R"({"event":"MouseMove","x":"1","y":1})") ==
          "x must be a number");
    CHECK(rejectedEvent(R"({"event":"MouseButtonPress","x":1,"y":1})") ==
          "missing button");
    CHECK(rejectedEvent(
              R"({"event":"MouseButtonPress","x":1,"y":1,"button":6})") ==
          "button must be an integer from 1 to 5");
    CHECK(rejectedEvent(R"({"event":"MouseScroll","x":1,"y":1,"delta_x":1})") ==
          "missing delta_y");
    CHECK(rejectedEvent(R"({"event":"KeyPress","key":""})") == "key is empty");
    CHECK(rejectedEvent(R"({"event":"KeyPress","key":")" +
                        std::string(65, 'a') + "\"}") ==
          "key is longer than 64 bytes");
    CHECK(rejectedEvent(R"("MouseMove")") == "event must be an object");
}

TEST_CASE("clipboard text over 1 MiB is refused", "[control]")
{
    std::string fits(ControlRequest::maxClipboardBytes, 'x');
    parsed(R"({"id":1,"request":{"type":"clipboard","text":")" + fits + "\"}}");

    auto [error, id] = rejected(R"({"id":2,"request":{"type":"clipboard",)"
                                R"("text":")" +
                                fits + "x\"}}");
    CHECK(error == "text is longer than 1048576 bytes");
    CHECK(id == 2);
    CHECK(rejected(std::string(ControlRequest::maxMessageBytes + 1, ' '))
              .first.find("larger than") != std::string::npos);
}

TEST_CASE("replies and notices are the JSON the library reads", "[control]")
{
    CHECK(controlResponse(4, "") ==
          R"({"type":"ControlResponseMessage","id":4,"error":null})");
    CHECK(controlResponse(std::nullopt, "bad \"x\"") ==
          R"({"type":"ControlResponseMessage","id":null,"error":"bad \"x\""})");
    CHECK(clipboardNotice("é") ==
          R"({"type":"InfoMessage","info":{"type":"clipboard","text":"é"}})");
}
