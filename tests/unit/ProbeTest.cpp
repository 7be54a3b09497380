// Unit tests of the GStreamer element probe and the display probe's
// failure path (the success path runs in the process tests, with Xvfb).
#include "catch.hpp"

#include "probe/DisplayProbe.hpp"
#include "probe/ElementProbe.hpp"

#include <gst/gst.h>

using namespace vmrtc;

TEST_CASE("installed elements pass, a missing one names its package", "[probe]")
{
    gst_init(nullptr, nullptr);
    CHECK(ElementProbe::probe({"queue", "tee"}).empty());

    Problems missing = ElementProbe::probe({"no-such-element-xyz"});
    REQUIRE(missing.size() == 1);
    CHECK(missing[0].code == "GST_ELEMENT_MISSING");
    CHECK(missing[0].message.find("no-such-element-xyz") != std::string::npos);

    CHECK(ElementProbe::debianPackage("webrtcbin") ==
          "gstreamer1.0-plugins-bad");
    CHECK(ElementProbe::debianPackage("nicesrc") == "gstreamer1.0-nice");
    CHECK(ElementProbe::debianPackage("vp8enc") == "gstreamer1.0-plugins-good");
}

TEST_CASE("every element the server needs has a known package", "[probe]")
{
    for (std::string_view e : ElementProbe::webrtcElements()) {
        INFO(e);
        CHECK_FALSE(ElementProbe::debianPackage(e).empty());
    }
}

TEST_CASE("a display with no X server is DISPLAY_UNREACHABLE", "[probe]")
{
    // Display numbers this high are never in use on the test machines.
    Problem problem;
    auto info = DisplayProbe::probe(":64999", std::chrono::milliseconds(2000),
                                    &problem);
    CHECK_FALSE(info);
    CHECK(problem.code == "DISPLAY_UNREACHABLE");
    CHECK(problem.exit == ExitCode::Unavailable);
    CHECK(problem.message.find(":64999") != std::string::npos);
}
