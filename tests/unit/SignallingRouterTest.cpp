// Unit tests of the loopback server's routing rules, without sockets.
#include "catch.hpp"

#include "loopback/SignallingRouter.hpp"
#include "signalling/JsonText.hpp"

#include <string>
#include <utility>
#include <vector>

using namespace vmrtc;

namespace {

using Sent = std::vector<std::pair<std::string, std::string>>;

// What an outbox sends, as (destination, JSON text) in order.
Sent sent(const SignallingRouter::Outbox &outbox)
{
    Sent out;
    for (const SignallingRouter::Routed &routed : outbox)
        out.emplace_back(routed.to, routed.message.toJson());
    return out;
}

std::string statusJson(const std::string &peerId, const std::string &roles,
                       const std::string &meta)
{
    return R"({"type":"peerStatusChanged","peerId":")" + peerId +
           R"(","roles":)" + roles + R"(,"meta":)" + meta + "}";
}

std::string endJson(const std::string &sessionId)
{
    return R"({"type":"endSession","sessionId":")" + sessionId + R"("})";
}

std::string errorJson(const std::string &details)
{
    return R"({"type":"error","details":")" + details + R"("})";
}

std::string iceJson(const std::string &sessionId)
{
    return R"({"type":"peer","sessionId":")" + sessionId +
           R"(","ice":{"candidate":"candidate:1 1 UDP 1 10.0.0.1 9 typ )"
           R"(host","sdpMLineIndex":0}})";
}

// A router whose ids are id-1, id-2, … in the order it asks for them.
struct Fixture {
    int next = 0;
    SignallingRouter router{[this] { return "id-" + std::to_string(++next); }};

    std::string add() { return router.addPeer().peerId; }

    Sent from(const std::string &peerId, const std::string &text)
    {
        return sent(router.receive(peerId, text));
    }

    std::string addWithStatus(const std::string &roles,
                              const std::string &meta = "null")
    {
        std::string id = add();
        from(id, R"({"type":"setPeerStatus","roles":)" + roles + R"(,"meta":)" +
                     meta + "}");
        return id;
    }

    // The caller asks for a session with the callee; returns its id once
    // both announcements are checked: the consumer's, then the producer's.
    std::string start(const std::string &caller, const std::string &callee)
    {
        Sent out = from(caller, R"({"type":"startSession","peerId":")" +
                                    callee + R"("})");
        std::string id = "id-" + std::to_string(next);
        bool calleeProduces = router.peer(callee)->rolesText() == "producer";
        const std::string &producer = calleeProduces ? callee : caller;
        const std::string &consumer = calleeProduces ? caller : callee;
        REQUIRE(
            out ==
            Sent{{consumer, R"({"type":"sessionStarted","peerId":")" +
                                producer + R"(","sessionId":")" + id + R"("})"},
                 {producer, R"({"type":"startSession","peerId":")" + consumer +
                                R"(","sessionId":")" + id + R"("})"}});
        return id;
    }
};

} // namespace

TEST_CASE("a new peer gets a welcome with its id", "[router]")
{
    Fixture f;
    SignallingRouter::Added added = f.router.addPeer();

    CHECK(added.peerId == "id-1");
    CHECK(sent(added.out) ==
          Sent{{"id-1", R"({"type":"welcome","peerId":"id-1"})"}});
    CHECK(f.router.peerCount() == 1);
    REQUIRE(f.router.peer("id-1"));
    CHECK(f.router.peer("id-1")->roles.empty());
    CHECK(f.router.peer("id-1")->metaJson == "null");
    CHECK_FALSE(f.router.peer("id-2"));
}

TEST_CASE("a status change goes to every listener, the sender included",
          "[router]")
{
    Fixture f;
    std::string listener = f.add();
    std::string producer = f.add();

    CHECK(
        f.from(listener, R"({"type":"setPeerStatus","roles":["listener"]})") ==
        Sent{{listener, statusJson(listener, R"(["listener"])", "null")}});

    std::string meta = R"({"session":"vm-42"})";
    CHECK(f.from(producer, R"({"type":"setPeerStatus","roles":["producer"],)"
                           R"("meta":)" +
                               meta + "}") ==
          Sent{{listener, statusJson(producer, R"(["producer"])", meta)}});
    CHECK(f.router.peer(producer)->metaJson == meta);
    CHECK(f.router.peer(producer)->rolesText() == "producer");

    // As the reference server: an unchanged status is announced again.
    CHECK(f.from(listener, R"({"type":"setPeerStatus","roles":["listener"]})")
              .size() == 1);
}

TEST_CASE("list and listConsumers name the peers with that role", "[router]")
{
    Fixture f;
    std::string asker = f.addWithStatus(R"(["listener"])");
    std::string producer = f.addWithStatus(R"(["producer"])", R"({"a":1})");
    std::string passive = f.addWithStatus(R"(["consumer"])");

    CHECK(f.from(asker, R"({"type":"list"})") ==
          Sent{{asker, R"({"type":"list","producers":[{"id":")" + producer +
                           R"(","meta":{"a":1}}]})"}});
    CHECK(f.from(asker, R"({"type":"listConsumers"})") ==
          Sent{{asker, R"({"type":"listConsumers","consumers":[{"id":")" +
                           passive + R"(","meta":null}]})"}});
}

TEST_CASE("a session starts with the consumer told first", "[router]")
{
    Fixture f;
    std::string producer = f.addWithStatus(R"(["producer"])");
    std::string viewer = f.addWithStatus(R"(["listener"])");

    std::string session = f.start(viewer, producer);

    CHECK(f.router.sessionCount() == 1);
    const SignallingRouter::Session &members = f.router.sessions().at(session);
    CHECK(members.producer == producer);
    CHECK(members.consumer == viewer);
    CHECK(f.router.peer(producer)->sessions.count(session) == 1);
    CHECK(f.router.peer(viewer)->sessions.count(session) == 1);

    SECTION("a consumer's offer is passed on")
    {
        Sent out = f.from(viewer, R"({"type":"startSession","peerId":")" +
                                      producer + R"(","offer":"v=0\r\n"})");
        REQUIRE(out.size() == 2);
        CHECK(out[1].first == producer);
        CHECK(out[1].second.find(R"("offer":"v=0\r\n")") != std::string::npos);
    }
    SECTION("a producer calls a passive consumer")
    {
        std::string passive = f.addWithStatus(R"(["consumer"])");
        Sent out = f.from(producer, R"({"type":"startSession","peerId":")" +
                                        passive + R"("})");
        REQUIRE(out.size() == 2);
        CHECK(out[0].first == passive);
        CHECK(out[1].first == producer);
        CHECK(f.router.sessions().size() == 2);
    }
}

TEST_CASE("a router that grants control says so to the producer only",
          "[router]")
{
    Fixture f;
    f.router.setGrantControl(true);
    std::string producer = f.addWithStatus(R"(["producer"])");
    std::string viewer = f.addWithStatus(R"(["listener"])");

    Sent out = f.from(viewer, R"({"type":"startSession","peerId":")" +
                                  producer + R"("})");
    REQUIRE(out.size() == 2);
    CHECK(out[0].second.find("control") == std::string::npos);
    CHECK(out[1].first == producer);
    CHECK(out[1].second.find(R"("control":true)") != std::string::npos);
}

TEST_CASE("peer messages are relayed to the other member", "[router]")
{
    Fixture f;
    std::string producer = f.addWithStatus(R"(["producer"])");
    std::string viewer = f.addWithStatus(R"(["listener"])");
    std::string session = f.start(viewer, producer);

    std::string offer = R"({"type":"peer","sessionId":")" + session +
                        R"(","sdp":{"type":"offer","sdp":"v=0\r\n"}})";
    CHECK(f.from(producer, offer) == Sent{{viewer, offer}});

    std::string answer = R"({"type":"peer","sessionId":")" + session +
                         R"(","sdp":{"type":"answer","sdp":"v=0\r\n"}})";
    CHECK(f.from(viewer, answer) == Sent{{producer, answer}});

    // Rebuilt: the browser's extra members do not pass.
    std::string browserIce =
        R"({"type":"peer","sessionId":")" + session +
        R"(","ice":{"candidate":"candidate:1 1 UDP 1 10.0.0.1 9 typ host",)"
        R"("sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"u"}})";
    CHECK(f.from(viewer, browserIce) == Sent{{producer, iceJson(session)}});

    CHECK(f.from(viewer, offer) ==
          Sent{{viewer, errorJson("peer: only the producer of session " +
                                  session + " may send an offer")}});
}

TEST_CASE("endSession goes to the other member only", "[router]")
{
    Fixture f;
    std::string producer = f.addWithStatus(R"(["producer"])");
    std::string viewer = f.addWithStatus(R"(["listener"])");
    std::string session = f.start(viewer, producer);

    CHECK(f.from(viewer, endJson(session)) ==
          Sent{{producer, endJson(session)}});
    CHECK(f.router.sessionCount() == 0);
    CHECK(f.router.peer(viewer)->sessions.empty());
    CHECK(f.router.peer(producer)->sessions.empty());

    // Messages that crossed the end are dropped without an error.
    CHECK(f.from(producer, endJson(session)).empty());
    CHECK(f.from(viewer, iceJson(session)).empty());
}

TEST_CASE("session messages that cannot be routed get an error", "[router]")
{
    Fixture f;
    std::string producer = f.addWithStatus(R"(["producer"])");
    std::string viewer = f.addWithStatus(R"(["listener"])");
    std::string outsider = f.add();
    std::string session = f.start(viewer, producer);

    CHECK(f.from(viewer, iceJson("nope")) ==
          Sent{{viewer, errorJson("peer: unknown session id nope")}});
    CHECK(f.from(viewer, endJson("nope")) ==
          Sent{{viewer, errorJson("endSession: unknown session id nope")}});

    std::string notPart =
        "peer " + outsider + " is not part of session " + session;
    CHECK(f.from(outsider, iceJson(session)) ==
          Sent{{outsider, errorJson("peer: " + notPart)}});
    CHECK(f.from(outsider, endJson(session)) ==
          Sent{{outsider, errorJson("endSession: " + notPart)}});
    CHECK(f.router.sessionCount() == 1);
}

TEST_CASE("a peer that leaves ends its sessions, then listeners hear it",
          "[router]")
{
    Fixture f;
    std::string meta = R"({"name":"desk"})";
    std::string producer = f.addWithStatus(R"(["producer"])", meta);
    std::string viewer = f.addWithStatus(R"(["listener"])");
    std::string second = f.addWithStatus(R"(["listener"])");
    std::string first = f.start(viewer, producer);
    std::string other = f.start(second, producer);

    CHECK(sent(f.router.removePeer(producer)) ==
          Sent{{viewer, endJson(first)},
               {second, endJson(other)},
               {viewer, statusJson(producer, "[]", meta)},
               {second, statusJson(producer, "[]", meta)}});
    CHECK(f.router.peerCount() == 2);
    CHECK(f.router.sessionCount() == 0);
    CHECK(f.router.peer(viewer)->sessions.empty());

    // A peer that is gone is ignored, and so are its late messages.
    CHECK(f.router.removePeer(producer).empty());
    CHECK(f.from(producer, R"({"type":"list"})").empty());
    CHECK(f.router.receiveBinary(producer).empty());
}

TEST_CASE("dropping a role ends the sessions held in that role", "[router]")
{
    Fixture f;
    std::string producer = f.addWithStatus(R"(["producer"])");
    std::string passive = f.addWithStatus(R"(["consumer"])");
    std::string viewer = f.add();
    std::string called = f.start(producer, passive);
    std::string asked = f.start(viewer, producer);
    REQUIRE(f.router.sessionCount() == 2);

    SECTION("the producer role")
    {
        CHECK(f.from(producer, R"({"type":"setPeerStatus","roles":[]})") ==
              Sent{{passive, endJson(called)}, {viewer, endJson(asked)}});
        CHECK(f.router.sessionCount() == 0);
    }
    SECTION("the consumer role")
    {
        CHECK(f.from(passive, R"({"type":"setPeerStatus","roles":[]})") ==
              Sent{{producer, endJson(called)}});
        CHECK(f.router.sessions().count(asked) == 1);
    }
}

TEST_CASE("requests for an unusable peer or status get an error", "[router]")
{
    Fixture f;
    std::string producer = f.addWithStatus(R"(["producer"])");
    std::string plain = f.add();
    auto startWith = [&](const std::string &from, const std::string &to) {
        return f.from(from,
                      R"({"type":"startSession","peerId":")" + to + R"("})");
    };

    CHECK(startWith(plain, "nobody") ==
          Sent{{plain, errorJson("unknown peer id nobody")}});
    CHECK(startWith(producer, producer) ==
          Sent{{producer, errorJson("startSession: a peer cannot start a "
                                    "session with itself")}});
    CHECK(startWith(producer, plain) ==
          Sent{{producer, errorJson("startSession: peer " + plain +
                                    " is neither a producer nor a "
                                    "consumer")}});
    CHECK(f.from(plain, R"({"type":"setPeerStatus",)"
                        R"("roles":["producer","consumer"]})") ==
          Sent{{plain, errorJson("setPeerStatus: a peer cannot be both "
                                 "producer and consumer")}});
    CHECK(f.from(plain, R"({"type":"setPeerStatus","roles":["viewer"]})") ==
          Sent{{plain, errorJson(R"(setPeerStatus: unknown role \"viewer\" )"
                                 R"((roles are producer, consumer, )"
                                 R"(listener))")}});
    CHECK(f.router.peer(plain)->roles.empty());
    CHECK(f.router.sessionCount() == 0);
}

TEST_CASE("malformed frames and server-only types get an error", "[router]")
{
    Fixture f;
    std::string peer = f.add();

    CHECK(f.from(peer, "{") ==
          Sent{{peer, errorJson("message is not valid JSON")}});
    CHECK(f.from(peer, R"({"type":"hello"})") ==
          Sent{{peer, errorJson(R"(unknown message type \"hello\")")}});
    CHECK(f.from(peer, R"({"type":"welcome","peerId":"x"})") ==
          Sent{{peer, errorJson("welcome is sent by the signalling server, "
                                "never by a peer")}});
    CHECK(sent(f.router.receiveBinary(peer)) ==
          Sent{{peer, errorJson("binary frames are not accepted: send each "
                                "message as one JSON text frame")}});
    CHECK(f.from(peer, R"({"type":"setProtocolVersion","version":"v1_0"})")
              .empty());
}

TEST_CASE("a consumer holds at most maxSessionsPerPeer sessions", "[router]")
{
    Fixture f;
    std::string producer = f.addWithStatus(R"(["producer"])");
    std::string viewer = f.add();
    for (size_t i = 0; i < SignallingRouter::maxSessionsPerPeer; i++)
        f.start(viewer, producer);

    Sent refused = f.from(viewer, R"({"type":"startSession","peerId":")" +
                                      producer + R"("})");
    CHECK(refused == Sent{{viewer, errorJson("startSession: peer " + viewer +
                                             " already has 16 sessions; "
                                             "end one first")}});
    CHECK(f.router.sessionCount() == SignallingRouter::maxSessionsPerPeer);

    // A second consumer is not limited by the first one's sessions.
    std::string other = f.add();
    f.start(other, producer);
}

TEST_CASE("only the most recent ended sessions are remembered", "[router]")
{
    Fixture f;
    std::string producer = f.addWithStatus(R"(["producer"])");
    std::string viewer = f.add();
    std::string oldest = f.start(viewer, producer);
    f.from(viewer, endJson(oldest));

    for (size_t i = 0; i < SignallingRouter::rememberedEndedSessions - 1; i++)
        f.from(viewer, endJson(f.start(viewer, producer)));
    CHECK(f.from(viewer, endJson(oldest)).empty());

    f.from(viewer, endJson(f.start(viewer, producer)));
    CHECK(
        f.from(viewer, endJson(oldest)) ==
        Sent{{viewer, errorJson("endSession: unknown session id " + oldest)}});
}

TEST_CASE("text that json-glib mishandles is refused before parsing",
          "[router]")
{
    for (const char *one :
         {R"({"a":[1,{"b":"}{"}]})", " {}\r\n", "[1,2]", R"("x")", "12", "",
          R"({"a":"\u00e9 \"}{\" \\"})", R"(["\"\\\/\b\f\n\r\t"])"}) {
        INFO(one);
        CHECK(vmrtc::isSafeJsonText(one));
    }

    // More than one value, text where json-glib may see more than one, or
    // text that does not end.
    for (const char *several :
         {"}", "{}{}", "[][]", "{} []", "1 2", "1{}", R"("a""b")", "{'a':1}",
          R"({"a":1}//x)", R"({"a":1}/*c*/)", R"(var x = {"a":1})",
          R"({"a":"\u12"})", R"({"a":)", R"("abc)", R"(["\222"])",
          R"(["\x41"])", R"(["\)"}) {
        INFO(several);
        CHECK_FALSE(vmrtc::isSafeJsonText(several));
    }

    // Surrogates: only in high-low pairs.
    CHECK(vmrtc::isSafeJsonText(R"(["\ud83d\ude00"])"));
    for (const char *lone :
         {R"(["\ud83d"])", R"(["\ud83dx"])", R"(["\udc00"])",
          R"(["\ud83d\u0041"])", R"(["\udc00\ud83d"])", R"(["\ud83d\u00"])"}) {
        INFO(lone);
        CHECK_FALSE(vmrtc::isSafeJsonText(lone));
    }

    // json-glib would take the last object, and leak the first.
    Fixture f;
    std::string peer = f.add();
    CHECK(f.from(peer, R"({"type":"list"} {"type":"listConsumers"})") ==
          Sent{{peer, errorJson("message is not valid JSON")}});
}
