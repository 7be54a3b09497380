// Unit tests of signalling message parsing, building and rejection.
#include "catch.hpp"

#include "signalling/Message.hpp"

using namespace vmrtc;

namespace {

Message parsed(const std::string &text)
{
    std::string error;
    std::optional<Message> m = Message::parse(text, &error);
    INFO(error);
    REQUIRE(m);
    return *m;
}

std::string rejected(const std::string &text)
{
    std::string error;
    CHECK_FALSE(Message::parse(text, &error));
    CHECK_FALSE(error.empty());
    return error;
}

} // namespace

TEST_CASE("every message the producer receives parses", "[message]")
{
    Message welcome = parsed(R"({"type":"welcome","peerId":"p-1"})");
    CHECK(welcome.type == MessageType::Welcome);
    CHECK(welcome.peerId == "p-1");

    Message start = parsed(R"({"type":"startSession","peerId":"c-1",)"
                           R"("sessionId":"s-1","offer":null})");
    CHECK(start.type == MessageType::StartSession);
    CHECK(start.peerId == "c-1");
    CHECK(start.sessionId == "s-1");
    CHECK_FALSE(start.offer);
    CHECK_FALSE(start.control);

    Message granted = parsed(R"({"type":"startSession","peerId":"c-1",)"
                             R"("sessionId":"s-2","control":true})");
    CHECK(granted.control);
    rejected(R"({"type":"startSession","peerId":"c","control":"yes"})");

    Message answer = parsed(R"({"type":"peer","sessionId":"s-1",)"
                            R"("sdp":{"type":"answer","sdp":"v=0\r\n"}})");
    REQUIRE(answer.sdp);
    CHECK(answer.sdp->type == "answer");
    CHECK(answer.sdp->sdp == "v=0\r\n");
    CHECK_FALSE(answer.ice);

    Message ice = parsed(R"({"type":"peer","sessionId":"s-1","ice":)"
                         R"({"candidate":"candidate:1 1 udp 1 h.local 9 )"
                         R"(typ host","sdpMLineIndex":0,"sdpMid":"0"}})");
    REQUIRE(ice.ice);
    CHECK(ice.ice->mlineIndex == 0);

    Message end = parsed(R"({"type":"endSession","sessionId":"s-1"})");
    CHECK(end.type == MessageType::EndSession);

    Message error = parsed(R"({"type":"error","details":"nope"})");
    CHECK(error.details == "nope");
}

TEST_CASE("messages a signalling server receives parse", "[message]")
{
    Message status = parsed(R"({"type":"setPeerStatus","roles":["listener"],)"
                            R"("meta":{"name":"x"},"peerId":"ignored"})");
    CHECK(status.roles == std::vector<std::string>{"listener"});
    CHECK(status.metaJson == R"({"name":"x"})");
    CHECK(status.hasRole("listener"));
    CHECK_FALSE(status.hasRole("producer"));

    Message nullMeta =
        parsed(R"({"type":"setPeerStatus","roles":[],"meta":null})");
    CHECK(nullMeta.metaJson == "null");

    Message list = parsed(R"({"type":"list"})");
    CHECK(list.type == MessageType::List);
    CHECK_FALSE(list.peers);

    Message offer = parsed(R"({"type":"startSession","peerId":"p",)"
                           R"("offer":"v=0"})");
    CHECK(offer.offer == std::optional<std::string>("v=0"));
}

TEST_CASE("list replies carry peers with their meta", "[message]")
{
    Message reply = parsed(R"({"type":"list","producers":[{"id":"p1",)"
                           R"("meta":{"session":"vm-1"}},{"id":"p2"}]})");
    REQUIRE(reply.peers);
    REQUIRE(reply.peers->size() == 2);
    CHECK(reply.peers->at(0).metaJson == R"({"session":"vm-1"})");
    CHECK(reply.peers->at(1).metaJson == "null");
}

TEST_CASE("built messages round-trip", "[message]")
{
    Message m;
    m.type = MessageType::Peer;
    m.sessionId = "s \"quoted\"";
    m.ice = IcePayload{"candidate:1 1 udp 5 10.0.0.1 4000 typ host", 0};
    Message back = parsed(m.toJson());
    CHECK(back.sessionId == m.sessionId);
    REQUIRE(back.ice);
    CHECK(back.ice->candidate == m.ice->candidate);

    Message status;
    status.type = MessageType::SetPeerStatus;
    status.roles = {"producer"};
    status.metaJson = R"({"session":"vm-1"})";
    CHECK(status.toJson() == R"({"type":"setPeerStatus","roles":["producer"],)"
                             R"("meta":{"session":"vm-1"}})");

    Message list;
    list.type = MessageType::List;
    list.peers = std::vector<PeerInfo>{{"p1", R"({"session":"a"})"}};
    CHECK(
        list.toJson() ==
        R"({"type":"list","producers":[{"id":"p1","meta":{"session":"a"}}]})");
}

TEST_CASE("malformed messages are rejected with a reason", "[message]")
{
    CHECK(rejected("not json") == "message is not valid JSON");
    CHECK(rejected("[1,2]") == "message is not a JSON object");
    CHECK(rejected(R"({"peerId":"x"})") == "missing type");
    CHECK(rejected(R"({"type":5})") == "type must be a string");
    CHECK(rejected(R"({"type":"bogus"})").starts_with("unknown message type"));
    CHECK(rejected(R"({"type":"welcome"})") == "welcome: missing peerId");
    CHECK(rejected(R"({"type":"welcome","peerId":""})") ==
          "welcome: peerId is empty");
    CHECK(rejected(R"({"type":"endSession","sessionId":7})") ==
          "endSession: sessionId must be a string");
    CHECK(rejected(R"({"type":"setPeerStatus","roles":"producer"})") ==
          "setPeerStatus: roles must be an array of strings");
    CHECK(rejected(R"({"type":"setPeerStatus","roles":[],"meta":[]})") ==
          "setPeerStatus: meta must be an object or null");
    CHECK(rejected(R"({"type":"peer","sessionId":"s"})") ==
          "peer: peer needs exactly one of sdp and ice");
    CHECK(rejected(R"({"type":"peer","sessionId":"s","sdp":{"type":"x",)"
                   R"("sdp":"v=0"}})") ==
          "peer: sdp.type must be \"offer\" or \"answer\"");
    CHECK(rejected(R"({"type":"peer","sessionId":"s","ice":)"
                   R"({"candidate":"c","sdpMLineIndex":-1}})") ==
          "peer: sdpMLineIndex must be an integer 0-255");
    CHECK(rejected(R"({"type":"peer","sessionId":"s","ice":"c"})") ==
          "peer: ice must be an object");
}

TEST_CASE("size limits", "[message]")
{
    std::string bigSdp(Message::maxSdpBytes + 1, 'a');
    CHECK(rejected(R"({"type":"peer","sessionId":"s","sdp":{"type":)"
                   R"("answer","sdp":")" +
                   bigSdp + "\"}}")
              .find("longer than 65536 bytes") != std::string::npos);

    std::string bigCandidate(Message::maxCandidateBytes + 1, 'c');
    CHECK(rejected(R"({"type":"peer","sessionId":"s","ice":{"candidate":")" +
                   bigCandidate + R"(","sdpMLineIndex":0}})")
              .find("candidate is longer") != std::string::npos);

    std::string huge = R"({"type":"error","details":")" +
                       std::string(Message::maxMessageBytes, 'x') + "\"}";
    CHECK(rejected(huge) == "message is larger than 256 KiB");
}
