// Unit tests of pipeline templates: substitution, errors and checks.
#include "catch.hpp"

#include "capture/PipelineTemplate.hpp"

#include <gst/gst.h>

using namespace vmrtc;

namespace {

const std::map<std::string, std::string> values{
    {"display", ":5"},          {"fps", "30"},
    {"width", "320"},           {"height", "240"},
    {"bitrate_bps", "1000000"}, {"bitrate_kbps", "1000"},
    {"keyframe_dist", "90"},
};

} // namespace

TEST_CASE("comments are dropped and placeholders filled in", "[pipeline]")
{
    PipelineTemplate t = PipelineTemplate::fromText(
        "t", "# a comment\nvideotestsrc\n  ! video/x-raw,width={width}\n"
             "  # another\n  ! fakesink name=payloader\n");
    CHECK(t.uses("width"));
    CHECK_FALSE(t.uses("display"));
    Problem problem;
    auto text = t.substitute(values, &problem);
    REQUIRE(text);
    CHECK(*text == "videotestsrc ! video/x-raw,width=320 ! fakesink "
                   "name=payloader ");
}

TEST_CASE("unknown placeholders and unbalanced braces are errors", "[pipeline]")
{
    Problem problem;
    CHECK_FALSE(PipelineTemplate::fromText("t", "videotestsrc ! {nope}")
                    .substitute(values, &problem));
    CHECK(problem.code == "PIPELINE_INVALID");
    CHECK(problem.message.find("{nope}") != std::string::npos);

    CHECK_FALSE(PipelineTemplate::fromText("t", "a {width")
                    .substitute(values, &problem));
    CHECK(problem.message.find("no closing") != std::string::npos);
}

TEST_CASE("the shipped templates fill in and pass the check", "[pipeline]")
{
    gst_init(nullptr, nullptr);
    for (const char *name : {"x11-vp8", "test-pattern-vp8"}) {
        INFO(name);
        Problem problem;
        auto t =
            PipelineTemplate::load(PipelineTemplate::resolve(name), &problem);
        REQUIRE(t);
        auto text = t->substitute(values, &problem);
        REQUIRE(text);
        Problems problems;
        CHECK(PipelineTemplate::check(*text, t->path(), &problems));
        CHECK(problems.empty());
    }
}

TEST_CASE("checks: parse errors, missing elements, no payloader", "[pipeline]")
{
    gst_init(nullptr, nullptr);
    Problems problems;
    CHECK_FALSE(
        PipelineTemplate::check("videotestsrc ! ! fakesink", "t", &problems));
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].code == "PIPELINE_INVALID");

    problems.clear();
    CHECK_FALSE(PipelineTemplate::check("videotestsrc ! no-such-thing", "t",
                                        &problems));
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].code == "GST_ELEMENT_MISSING");
    CHECK(problems[0].message.find("no-such-thing") != std::string::npos);

    problems.clear();
    CHECK_FALSE(
        PipelineTemplate::check("videotestsrc ! fakesink", "t", &problems));
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].message.find("payloader") != std::string::npos);
}

TEST_CASE("missing or binary template files", "[pipeline]")
{
    Problem problem;
    CHECK_FALSE(PipelineTemplate::load("/nonexistent/x.pipeline", &problem));
    CHECK(problem.code == "PIPELINE_INVALID");
    CHECK_FALSE(PipelineTemplate::load("/dev/zero", &problem));
    CHECK(PipelineTemplate::resolve("/abs/path.pipeline") ==
          "/abs/path.pipeline");
    CHECK(PipelineTemplate::resolve("x11-vp8").ends_with(
        "pipelines/x11-vp8.pipeline"));
}
