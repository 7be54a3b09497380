// The loopback signalling server, driven by real WebSocket clients over
// 127.0.0.1 and judged by the exact messages each client receives.
#include "catch.hpp"

#include "WebSocketClient.hpp"
#include "loopback/SignallingServer.hpp"
#include "signalling/Message.hpp"

#include <gio/gio.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

using namespace vmrtc;
using namespace vmrtc::test;

namespace {

const std::string producerMeta =
    R"({"session":"vm-42","name":"vm-42 desktop"})";
const std::string viewerMeta = R"({"session":"vm-42"})";

// A server listening on 127.0.0.1 on a port of its own.
struct Loopback {
    SignallingServer server;
    std::string base; // http://127.0.0.1:PORT
    std::string url;  // ws://127.0.0.1:PORT/signalling

    explicit Loopback(SignallingServer::Liveness liveness = {})
        : server(liveness)
    {
        std::string error;
        REQUIRE(server.start("127.0.0.1", 0, &error));
        REQUIRE(server.port() > 0);
        base = "http://127.0.0.1:" + std::to_string(server.port());
        url = "ws://127.0.0.1:" + std::to_string(server.port()) + "/signalling";
    }
};

// A connected peer that has read its welcome.
struct TestPeer {
    WebSocketClient ws;
    std::string id;
    std::string welcomeJson;

    explicit TestPeer(const std::string &url)
    {
        std::string error;
        bool connected = ws.connect(url, &error);
        INFO(error);
        REQUIRE(connected);
        welcomeJson = nextJson();
        id = parse(welcomeJson).peerId;
    }

    void send(const std::string &json) { ws.sendText(json); }

    std::string nextJson()
    {
        std::optional<std::string> json = ws.next();
        REQUIRE(json);
        return *json;
    }

    static Message parse(const std::string &json)
    {
        std::string error;
        std::optional<Message> message = Message::parse(json, &error);
        INFO(json << ": " << error);
        REQUIRE(message);
        return *message;
    }

    Message expect(MessageType type)
    {
        std::string json = nextJson();
        Message message = parse(json);
        INFO(json);
        REQUIRE(message.type == type);
        return message;
    }

    std::string expectError() { return expect(MessageType::Error).details; }

    void expectNothing()
    {
        size_t pending = ws.pendingAfter();
        if (pending > 0)
            FAIL("unexpected message: " << *ws.next());
    }

    // Waits until the server has handled everything sent so far: it
    // handles each connection's messages in order.
    void sync()
    {
        send(R"({"type":"list"})");
        expect(MessageType::List);
    }

    void setStatus(const std::string &roles, const std::string &meta)
    {
        send(R"({"type":"setPeerStatus","roles":)" + roles + R"(,"meta":)" +
             meta + "}");
    }
};

std::string statusJson(const std::string &peerId, const std::string &roles,
                       const std::string &meta)
{
    return R"({"type":"peerStatusChanged","peerId":")" + peerId +
           R"(","roles":)" + roles + R"(,"meta":)" + meta + "}";
}

// A viewer as gstwebrtc-api makes it: a listener with its own echo read.
std::unique_ptr<TestPeer> viewer(const std::string &url)
{
    auto peer = std::make_unique<TestPeer>(url);
    peer->setStatus(R"(["listener"])", viewerMeta);
    REQUIRE(peer->nextJson() ==
            statusJson(peer->id, R"(["listener"])", viewerMeta));
    return peer;
}

std::unique_ptr<TestPeer> producer(const std::string &url)
{
    auto peer = std::make_unique<TestPeer>(url);
    peer->setStatus(R"(["producer"])", producerMeta);
    peer->sync();
    return peer;
}

// The consumer asks for a session; returns its id once both sides know it.
std::string startSession(TestPeer &consumer, TestPeer &producerPeer)
{
    consumer.send(R"({"type":"startSession","peerId":")" + producerPeer.id +
                  R"("})");
    Message started = consumer.expect(MessageType::SessionStarted);
    std::string id = started.sessionId;

    REQUIRE(producerPeer.nextJson() == R"({"type":"startSession","peerId":")" +
                                           consumer.id + R"(","sessionId":")" +
                                           id + R"("})");
    return id;
}

std::string iceJson(const std::string &sessionId, const std::string &text)
{
    return R"({"type":"peer","sessionId":")" + sessionId +
           R"(","ice":{"candidate":")" + text + R"(","sdpMLineIndex":0}})";
}

// The session still relays a candidate from consumer to producer.
void checkRelay(TestPeer &from, TestPeer &to, const std::string &sessionId)
{
    std::string ice =
        iceJson(sessionId, "candidate:9 1 UDP 1 10.0.0.9 9 typ host");
    from.send(ice);
    REQUIRE(to.nextJson() == ice);
}

struct HttpReply {
    guint status = 0;
    std::string body;
    std::string contentType;
    std::string cacheControl;
    std::string allow;
};

struct HttpWait {
    bool done = false;
    GRef<GBytes> body;
};

void onHttpDone(GObject *source, GAsyncResult *result, gpointer data)
{
    auto *wait = static_cast<HttpWait *>(data);
    wait->body = GRef<GBytes>::adopt(soup_session_send_and_read_finish(
        SOUP_SESSION(source), result, nullptr));
    wait->done = true;
}

std::string header(SoupMessageHeaders *headers, const char *name)
{
    const char *value = soup_message_headers_get_one(headers, name);
    return value ? value : "";
}

HttpReply fetch(const char *method, const std::string &url)
{
    GRef<SoupSession> session = GRef<SoupSession>::adopt(soup_session_new());
    GRef<SoupMessage> msg =
        GRef<SoupMessage>::adopt(soup_message_new(method, url.c_str()));
    REQUIRE(msg);

    HttpWait wait;
    soup_session_send_and_read_async(session.get(), msg.get(),
                                     G_PRIORITY_DEFAULT, nullptr, &onHttpDone,
                                     &wait);
    REQUIRE(runUntil([&] { return wait.done; }));

    HttpReply reply;
    reply.status = soup_message_get_status(msg.get());
    if (wait.body) {
        gsize size = 0;
        auto *data =
            static_cast<const char *>(g_bytes_get_data(wait.body.get(), &size));
        reply.body.assign(data ? data : "", data ? size : 0);
    }
    SoupMessageHeaders *headers = soup_message_get_response_headers(msg.get());
    reply.contentType = header(headers, "Content-Type");
    reply.cacheControl = header(headers, "Cache-Control");
    reply.allow = header(headers, "Allow");
    return reply;
}

bool resourceCompiledIn(const char *path)
{
    GRef<GBytes> data = GRef<GBytes>::adopt(
        g_resources_lookup_data(path, G_RESOURCE_LOOKUP_FLAGS_NONE, nullptr));
    return bool(data);
}

// Short liveness intervals, so that a test sees a silent peer dropped.
const SignallingServer::Liveness quickLiveness{std::chrono::seconds(1),
                                               std::chrono::seconds(3)};

// A WebSocket client made by hand over a plain TCP socket: it does the
// upgrade, can send a text frame, and never answers a ping, unlike
// libsoup's clients. Reads only when asked, so the server's frames wait.
class SilentPeer {
public:
    struct Frame {
        int opcode = 0;
        std::string payload;
    };

    explicit SilentPeer(int port)
    {
        GRef<GSocketClient> client =
            GRef<GSocketClient>::adopt(g_socket_client_new());
        GError *failure = nullptr;
        connection_ =
            GRef<GSocketConnection>::adopt(g_socket_client_connect_to_host(
                client.get(), "127.0.0.1", static_cast<guint16>(port), nullptr,
                &failure));
        GUnique<GError> owned{failure};
        INFO((owned ? owned->message : ""));
        REQUIRE(connection_);
        g_socket_set_blocking(socket(), FALSE);

        write("GET /signalling HTTP/1.1\r\nHost: 127.0.0.1:" +
              std::to_string(port) +
              "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Key: c2lsZW50IHBlZXIga2V5IQ==\r\n"
              "Sec-WebSocket-Version: 13\r\n\r\n");
        REQUIRE(runUntil([this] { return headerEnd() || eof_; }));
        INFO(received_);
        REQUIRE(received_.starts_with("HTTP/1.1 101"));
    }

    // One masked text frame, as a client must send it.
    void sendText(const std::string &text)
    {
        REQUIRE(text.size() < 126);
        const unsigned char mask[4] = {0x1f, 0x2e, 0x3d, 0x4c};
        std::string frame{'\x81', static_cast<char>(0x80 | text.size())};
        frame.append(reinterpret_cast<const char *>(mask), 4);
        for (size_t i = 0; i < text.size(); i++)
            frame += static_cast<char>(text[i] ^ mask[i % 4]);
        write(frame);
    }

    // The server's frames received so far (it sends them unmasked).
    std::vector<Frame> frames()
    {
        readAvailable();
        std::vector<Frame> out;
        std::string_view rest(received_);
        rest.remove_prefix(headerEnd());
        while (rest.size() >= 2) {
            size_t length = static_cast<unsigned char>(rest[1]) & 0x7f;
            size_t header = 2;
            if (length == 127) // 64-bit lengths: nothing here is so long
                break;
            if (length == 126 && rest.size() >= 4) {
                length = static_cast<unsigned char>(rest[2]) << 8 |
                         static_cast<unsigned char>(rest[3]);
                header = 4;
            }
            if (rest.size() < header + length)
                break;
            out.push_back(
                {rest[0] & 0x0f, std::string(rest.substr(header, length))});
            rest.remove_prefix(header + length);
        }
        return out;
    }

    // True once the server has closed the TCP connection.
    bool waitClosed(Millis timeout)
    {
        return runUntil(
            [this] {
                readAvailable();
                return eof_;
            },
            timeout);
    }

private:
    GSocket *socket()
    {
        return g_socket_connection_get_socket(connection_.get());
    }

    void write(const std::string &bytes)
    {
        gssize sent = g_socket_send_with_blocking(
            socket(), bytes.data(), bytes.size(), TRUE, nullptr, nullptr);
        REQUIRE(sent == static_cast<gssize>(bytes.size()));
    }

    void readAvailable()
    {
        char buffer[4096];
        while (!eof_) {
            GError *failure = nullptr;
            gssize n = g_socket_receive(socket(), buffer, sizeof buffer,
                                        nullptr, &failure);
            GUnique<GError> owned{failure};
            if (n < 0 && g_error_matches(owned.get(), G_IO_ERROR,
                                         G_IO_ERROR_WOULD_BLOCK))
                return;
            eof_ = n <= 0; // end of stream, or reset by the server
            received_.append(buffer, n > 0 ? static_cast<size_t>(n) : 0);
        }
    }

    // Where the frames start: after the HTTP reply; 0 until it is complete.
    size_t headerEnd()
    {
        readAvailable();
        size_t end = received_.find("\r\n\r\n");
        return end == std::string::npos ? 0 : end + 4;
    }

    GRef<GSocketConnection> connection_;
    std::string received_;
    bool eof_ = false;
};

} // namespace

TEST_CASE("a new peer is welcomed with a fresh id", "[signalling]")
{
    Loopback loopback;
    TestPeer first(loopback.url);
    TestPeer second(loopback.url);

    CHECK(first.welcomeJson ==
          R"({"type":"welcome","peerId":")" + first.id + R"("})");
    CHECK(first.id.size() == 36); // UUID text
    CHECK(first.id != second.id);
    CHECK(loopback.server.peerCount() == 2);
    first.expectNothing();
}

TEST_CASE("listeners see their own status and every other peer's",
          "[signalling]")
{
    Loopback loopback;
    TestPeer listener(loopback.url);

    listener.setStatus(R"(["listener"])", viewerMeta);
    CHECK(listener.nextJson() ==
          statusJson(listener.id, R"(["listener"])", viewerMeta));

    auto producerPeer = producer(loopback.url);
    CHECK(listener.nextJson() ==
          statusJson(producerPeer->id, R"(["producer"])", producerMeta));
    producerPeer->expectNothing(); // not a listener

    SECTION("a status without meta is sent with meta null")
    {
        TestPeer other(loopback.url);
        other.send(R"({"type":"setPeerStatus","roles":["listener"]})");
        std::string expected = statusJson(other.id, R"(["listener"])", "null");
        CHECK(other.nextJson() == expected);
        CHECK(listener.nextJson() == expected);
    }
}

TEST_CASE("list and listConsumers describe the registered peers",
          "[signalling]")
{
    Loopback loopback;
    auto client = viewer(loopback.url);

    client->send(R"({"type":"list"})");
    CHECK(client->nextJson() == R"({"type":"list","producers":[]})");

    auto producerPeer = producer(loopback.url);
    client->expect(MessageType::PeerStatusChanged);
    client->send(R"({"type":"list"})");
    client->send(R"({"type":"listConsumers"})");
    CHECK(client->nextJson() == R"({"type":"list","producers":[{"id":")" +
                                    producerPeer->id + R"(","meta":)" +
                                    producerMeta + "}]}");
    CHECK(client->nextJson() == R"({"type":"listConsumers","consumers":[]})");

    TestPeer passive(loopback.url);
    passive.setStatus(R"(["consumer"])", "null");
    client->expect(MessageType::PeerStatusChanged);
    client->send(R"({"type":"listConsumers"})");
    CHECK(client->nextJson() ==
          R"({"type":"listConsumers","consumers":[{"id":")" + passive.id +
              R"(","meta":null}]})");
}

TEST_CASE("a session is set up and relayed both ways", "[signalling]")
{
    Loopback loopback;
    auto producerPeer = producer(loopback.url);
    auto consumer = viewer(loopback.url);

    std::string session = startSession(*consumer, *producerPeer);
    CHECK(loopback.server.sessionCount() == 1);

    producerPeer->send(R"({"type":"peer","sessionId":")" + session +
                       R"(","sdp":{"type":"offer",)"
                       R"("sdp":"v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\n"}})");
    Message offer = consumer->expect(MessageType::Peer);
    CHECK(offer.sessionId == session);
    REQUIRE(offer.sdp);
    CHECK(offer.sdp->type == "offer");
    CHECK(offer.sdp->sdp == "v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\n");

    consumer->send(
        R"({"type":"peer","sessionId":")" + session +
        R"(","sdp":{"type":"answer","sdp":"v=0\r\na=recvonly\r\n"}})");
    Message answer = producerPeer->expect(MessageType::Peer);
    REQUIRE(answer.sdp);
    CHECK(answer.sdp->type == "answer");
    CHECK(answer.sdp->sdp == "v=0\r\na=recvonly\r\n");

    // The browser's extra members (sdpMid, usernameFragment) are dropped.
    const std::string srflx = "candidate:1 1 udp 1 198.51.100.7 61 typ srflx";
    consumer->send(R"({"type":"peer","sessionId":")" + session +
                   R"(","ice":{"candidate":")" + srflx +
                   R"(","sdpMid":"0","sdpMLineIndex":0,)"
                   R"("usernameFragment":"Zx1q"}})");
    CHECK(producerPeer->nextJson() == iceJson(session, srflx));

    const std::string host = "candidate:2 1 UDP 2 10.0.0.5 41000 typ host";
    producerPeer->send(iceJson(session, host));
    CHECK(consumer->nextJson() == iceJson(session, host));

    consumer->expectNothing();
    producerPeer->expectNothing();
}

TEST_CASE("a consumer's offer is passed to the producer", "[signalling]")
{
    Loopback loopback;
    auto producerPeer = producer(loopback.url);
    auto consumer = viewer(loopback.url);

    consumer->send(R"({"type":"startSession","peerId":")" + producerPeer->id +
                   R"(","offer":"v=0\r\n"})");
    Message started = consumer->expect(MessageType::SessionStarted);
    CHECK(started.peerId == producerPeer->id);

    Message start = producerPeer->expect(MessageType::StartSession);
    CHECK(start.peerId == consumer->id);
    CHECK(start.sessionId == started.sessionId);
    REQUIRE(start.offer);
    CHECK(*start.offer == "v=0\r\n");
}

TEST_CASE("a producer may call a passive consumer", "[signalling]")
{
    Loopback loopback;
    auto producerPeer = producer(loopback.url);
    TestPeer passive(loopback.url);
    passive.setStatus(R"(["consumer"])", "null");
    passive.sync();

    producerPeer->send(R"({"type":"startSession","peerId":")" + passive.id +
                       R"("})");
    Message started = passive.expect(MessageType::SessionStarted);
    CHECK(started.peerId == producerPeer->id);
    Message start = producerPeer->expect(MessageType::StartSession);
    CHECK(start.peerId == passive.id);
    CHECK(start.sessionId == started.sessionId);
}

TEST_CASE("endSession is forwarded to the other side only", "[signalling]")
{
    Loopback loopback;
    auto producerPeer = producer(loopback.url);
    auto consumer = viewer(loopback.url);
    std::string session = startSession(*consumer, *producerPeer);
    std::string end =
        R"({"type":"endSession","sessionId":")" + session + R"("})";

    SECTION("from the consumer")
    {
        consumer->send(end);
        CHECK(producerPeer->nextJson() == end);
        consumer->expectNothing();
    }
    SECTION("from the producer")
    {
        producerPeer->send(end);
        CHECK(consumer->nextJson() == end);
        producerPeer->expectNothing();
    }

    CHECK(loopback.server.sessionCount() == 0);

    // Messages that crossed the end are dropped quietly, as gstwebrtc-api
    // answers an endSession with one of its own.
    consumer->send(end);
    consumer->send(iceJson(session, ""));
    producerPeer->send(end);
    consumer->expectNothing();
    producerPeer->expectNothing();
}

TEST_CASE("a peer that leaves ends its sessions", "[signalling]")
{
    Loopback loopback;
    auto producerPeer = producer(loopback.url);
    auto consumer = viewer(loopback.url);
    auto watcher = viewer(loopback.url);
    consumer->expect(MessageType::PeerStatusChanged); // the watcher's
    std::string session = startSession(*consumer, *producerPeer);
    std::string end =
        R"({"type":"endSession","sessionId":")" + session + R"("})";

    SECTION("the producer leaves")
    {
        std::string producerId = producerPeer->id;
        producerPeer.reset();
        CHECK(consumer->nextJson() == end);
        std::string gone = statusJson(producerId, "[]", producerMeta);
        CHECK(consumer->nextJson() == gone);
        CHECK(watcher->nextJson() == gone);
    }
    SECTION("the consumer leaves")
    {
        std::string consumerId = consumer->id;
        consumer.reset();
        CHECK(producerPeer->nextJson() == end);
        CHECK(watcher->nextJson() == statusJson(consumerId, "[]", viewerMeta));
        producerPeer->expectNothing(); // not a listener
    }

    REQUIRE(runUntil([&] { return loopback.server.peerCount() == 2; }));
    CHECK(loopback.server.sessionCount() == 0);
}

TEST_CASE("a producer that drops its role ends its sessions", "[signalling]")
{
    Loopback loopback;
    auto producerPeer = producer(loopback.url);
    auto consumer = viewer(loopback.url);
    std::string session = startSession(*consumer, *producerPeer);

    producerPeer->setStatus("[]", producerMeta);
    CHECK(consumer->nextJson() ==
          R"({"type":"endSession","sessionId":")" + session + R"("})");
    CHECK(consumer->nextJson() ==
          statusJson(producerPeer->id, "[]", producerMeta));
    CHECK(loopback.server.sessionCount() == 0);
}

// A producer and a consumer in a session, and a viewer outside it.
struct SessionAndOutsider {
    Loopback loopback;
    std::unique_ptr<TestPeer> producerPeer = producer(loopback.url);
    std::unique_ptr<TestPeer> consumer = viewer(loopback.url);
    std::unique_ptr<TestPeer> outsider = viewer(loopback.url);
    std::string session;

    SessionAndOutsider()
    {
        consumer->expect(MessageType::PeerStatusChanged); // the outsider's
        session = startSession(*consumer, *producerPeer);
    }

    // Nothing else moved: the session works, nobody got anything more.
    void checkUndisturbed()
    {
        checkRelay(*consumer, *producerPeer, session);
        producerPeer->expectNothing();
        consumer->expectNothing();
        outsider->expectNothing();
        CHECK(loopback.server.sessionCount() == 1);
    }
};

TEST_CASE_METHOD(SessionAndOutsider,
                 "requests for an unusable peer or status get an error",
                 "[signalling]")
{
    SECTION("startSession with an unknown peer")
    {
        consumer->send(R"({"type":"startSession","peerId":"no-such-peer"})");
        CHECK(consumer->nextJson() ==
              R"({"type":"error","details":"unknown peer id no-such-peer"})");
    }
    SECTION("startSession with a peer that is no producer")
    {
        consumer->send(R"({"type":"startSession","peerId":")" + outsider->id +
                       R"("})");
        CHECK(consumer->expectError() == "startSession: peer " + outsider->id +
                                             " is neither a producer nor a "
                                             "consumer");
    }
    SECTION("startSession with itself")
    {
        producerPeer->send(R"({"type":"startSession","peerId":")" +
                           producerPeer->id + R"("})");
        CHECK(producerPeer->expectError().find("itself") != std::string::npos);
    }
    SECTION("a status that is producer and consumer at once")
    {
        outsider->setStatus(R"(["producer","consumer"])", "null");
        CHECK(outsider->expectError().find("both producer and consumer") !=
              std::string::npos);
    }
    SECTION("a status with an unknown role")
    {
        outsider->setStatus(R"(["viewer"])", "null");
        CHECK(outsider->expectError().find("unknown role \"viewer\"") !=
              std::string::npos);
    }
    SECTION("messages only the server sends")
    {
        for (const char *type : {"welcome", "sessionStarted"}) {
            outsider->send(std::string(R"({"type":")") + type +
                           R"(","peerId":"x","sessionId":"y"})");
            CHECK(outsider->expectError() ==
                  std::string(type) +
                      " is sent by the signalling server, never by a peer");
        }
    }

    checkUndisturbed();
}

TEST_CASE_METHOD(SessionAndOutsider,
                 "session messages that cannot be routed get an error",
                 "[signalling]")
{
    SECTION("peer and endSession for an unknown session")
    {
        consumer->send(iceJson("no-such-session", ""));
        CHECK(consumer->expectError() ==
              "peer: unknown session id no-such-session");
        consumer->send(
            R"({"type":"endSession","sessionId":"no-such-session"})");
        CHECK(consumer->expectError() ==
              "endSession: unknown session id no-such-session");
    }
    SECTION("peer and endSession from a peer outside the session")
    {
        std::string notPart =
            "peer " + outsider->id + " is not part of session " + session;
        outsider->send(iceJson(session, ""));
        CHECK(outsider->expectError() == "peer: " + notPart);
        outsider->send(R"({"type":"endSession","sessionId":")" + session +
                       R"("})");
        CHECK(outsider->expectError() == "endSession: " + notPart);
    }
    SECTION("an offer from the consumer")
    {
        consumer->send(R"({"type":"peer","sessionId":")" + session +
                       R"(","sdp":{"type":"offer","sdp":"v=0\r\n"}})");
        CHECK(consumer->expectError() == "peer: only the producer of session " +
                                             session + " may send an offer");
    }

    checkUndisturbed();
}

TEST_CASE("malformed messages get an error and change nothing", "[signalling]")
{
    Loopback loopback;
    auto producerPeer = producer(loopback.url);
    auto consumer = viewer(loopback.url);
    std::string session = startSession(*consumer, *producerPeer);

    struct Case {
        const char *what;
        std::string text;
        bool binary;
        std::string details;
    };
    std::string bigSdp(Message::maxSdpBytes + 1, 'a');
    std::string bigFrame(Message::maxMessageBytes + 1024, ' ');
    bigFrame.replace(0, 15, R"({"type":"list"})");
    const std::vector<Case> cases{
        {"not JSON", R"({"type":)", false, "message is not valid JSON"},
        {"an array", "[1,2]", false, "message is not a JSON object"},
        {"an unknown type", R"({"type":"hello"})", false,
         "unknown message type \"hello\""},
        {"no type", R"({"peerId":"x"})", false, "missing type"},
        {"a missing field", R"({"type":"startSession"})", false,
         "startSession: missing peerId"},
        {"a mistyped field", R"({"type":"endSession","sessionId":5})", false,
         "endSession: sessionId must be a string"},
        {"mistyped roles", R"({"type":"setPeerStatus","roles":"listener"})",
         false, "setPeerStatus: roles must be an array of strings"},
        {"an SDP over 64 KiB",
         R"({"type":"peer","sessionId":")" + session +
             R"(","sdp":{"type":"answer","sdp":")" + bigSdp + R"("}})",
         false, "peer: sdp is longer than 65536 bytes"},
        {"a frame over 256 KiB", bigFrame, false,
         "message is larger than 256 KiB"},
        {"a binary frame", R"({"type":"list"})", true,
         "binary frames are not accepted: send each message as one JSON "
         "text frame"},
    };

    for (const Case &c : cases) {
        INFO(c.what);
        if (c.binary)
            consumer->ws.sendBinary(c.text);
        else
            consumer->send(c.text);
        CHECK(consumer->expectError() == c.details);
        producerPeer->expectNothing();
    }

    checkRelay(*consumer, *producerPeer, session);
    CHECK(loopback.server.sessionCount() == 1);
    CHECK(loopback.server.peerCount() == 2);
}

TEST_CASE("a frame with two JSON objects gets an error", "[signalling]")
{
    Loopback loopback;
    TestPeer peer(loopback.url);

    peer.send(R"({"type":"list"}{"type":"setPeerStatus","roles":[]})");
    CHECK(peer.expectError() == "message is not valid JSON");
    peer.expectNothing();
}

TEST_CASE("a frame over the transport limit closes only its connection",
          "[signalling]")
{
    Loopback loopback;
    auto producerPeer = producer(loopback.url);
    auto consumer = viewer(loopback.url);
    std::string session = startSession(*consumer, *producerPeer);
    TestPeer flooder(loopback.url);

    flooder.send(std::string(SignallingServer::maxFrameBytes + 1, ' '));
    CHECK(flooder.ws.waitClosed());
    REQUIRE(runUntil([&] { return loopback.server.peerCount() == 2; }));
    // As the reference server, listeners hear of every peer that leaves.
    CHECK(consumer->nextJson() == statusJson(flooder.id, "[]", "null"));

    checkRelay(*consumer, *producerPeer, session);
    checkRelay(*producerPeer, *consumer, session);
}

TEST_CASE("setProtocolVersion is accepted silently", "[signalling]")
{
    Loopback loopback;
    TestPeer peer(loopback.url);

    peer.send(R"({"type":"setProtocolVersion","version":"v1_0"})");
    peer.expectNothing();
    peer.send(R"({"type":"list"})");
    CHECK(peer.nextJson() == R"({"type":"list","producers":[]})");
}

TEST_CASE("a consumer may hold a bounded number of sessions", "[signalling]")
{
    Loopback loopback;
    auto producerPeer = producer(loopback.url);
    auto consumer = viewer(loopback.url);
    for (size_t i = 0; i < SignallingServer::maxSessionsPerPeer; i++)
        startSession(*consumer, *producerPeer);

    consumer->send(R"({"type":"startSession","peerId":")" + producerPeer->id +
                   R"("})");
    CHECK(consumer->expectError().find("already has 16 sessions") !=
          std::string::npos);
    CHECK(loopback.server.sessionCount() ==
          SignallingServer::maxSessionsPerPeer);
}

TEST_CASE("the counts return to zero after everyone leaves", "[signalling]")
{
    Loopback loopback;
    {
        auto producerPeer = producer(loopback.url);
        auto first = viewer(loopback.url);
        auto second = viewer(loopback.url);
        first->expect(MessageType::PeerStatusChanged); // the second's
        startSession(*first, *producerPeer);
        startSession(*second, *producerPeer);
        CHECK(loopback.server.peerCount() == 3);
        CHECK(loopback.server.sessionCount() == 2);
    }
    CHECK(runUntil([&] { return loopback.server.peerCount() == 0; }));
    CHECK(loopback.server.sessionCount() == 0);
}

TEST_CASE("the server stops cleanly with peers connected", "[signalling]")
{
    auto loopback = std::make_unique<Loopback>();
    auto producerPeer = producer(loopback->url);
    auto consumer = viewer(loopback->url);
    startSession(*consumer, *producerPeer);

    loopback.reset();
    CHECK(consumer->ws.waitClosed());
    CHECK(producerPeer->ws.waitClosed());
}

TEST_CASE("start reports why it cannot listen", "[signalling]")
{
    Loopback loopback;
    SignallingServer second;
    std::string error;

    SECTION("a port in use")
    {
        CHECK_FALSE(second.start("127.0.0.1", loopback.server.port(), &error));
        INFO(error);
        CHECK(error.find(std::to_string(loopback.server.port())) !=
              std::string::npos);
        CHECK(error.find("in use") != std::string::npos);
    }
    SECTION("an address that is no IP literal")
    {
        CHECK_FALSE(second.start("localhost", 0, &error));
        CHECK(error.find("\"localhost\" is not an IPv4 or IPv6 address") !=
              std::string::npos);
    }
    SECTION("a port out of range")
    {
        CHECK_FALSE(second.start("127.0.0.1", 70000, &error));
        CHECK(error == "port 70000 is not in 0-65535");
    }
    SECTION("a second start")
    {
        CHECK_FALSE(loopback.server.start("127.0.0.1", 0, &error));
        CHECK(error.find("already listens") != std::string::npos);
    }
    CHECK(second.port() == 0);
}

TEST_CASE("an IPv6 literal is accepted", "[signalling]")
{
    SignallingServer server;
    std::string error;
    if (!server.start("::1", 0, &error)) {
        WARN("no IPv6 loopback here, not tested: " << error);
        return;
    }
    CHECK(server.port() > 0);
}

TEST_CASE("the viewer page is served over HTTP", "[signalling][http]")
{
    Loopback loopback;

    SECTION("files that do not exist are not found")
    {
        CHECK(fetch("GET", loopback.base + "/no-such-file.js").status == 404);
        CHECK(fetch("GET", loopback.base + "/sub/index.html").status == 404);
        CHECK(fetch("GET", loopback.base + "/a..b").status == 404);
        guint traversal =
            fetch("GET", loopback.base + "/%2e%2e/meson.build").status;
        CHECK((traversal == 404 || traversal == 400));
    }
    SECTION("only GET and HEAD are allowed")
    {
        HttpReply reply = fetch("POST", loopback.base + "/");
        CHECK(reply.status == 405);
        CHECK(reply.allow == "GET, HEAD");
        CHECK(fetch("DELETE", loopback.base + "/index.html").status == 405);
    }
    SECTION("the page and its files")
    {
        if (!resourceCompiledIn("/vmrtc/viewer/index.html")) {
            WARN("/vmrtc/viewer/index.html is not compiled in; only the "
                 "error paths are tested");
            return;
        }
        HttpReply page = fetch("GET", loopback.base + "/");
        CHECK(page.status == 200);
        CHECK(page.contentType == "text/html; charset=utf-8");
        CHECK(page.cacheControl == "no-cache");
        CHECK(page.body.find("<html") != std::string::npos);
        CHECK(fetch("GET", loopback.base + "/index.html").body == page.body);

        HttpReply head = fetch("HEAD", loopback.base + "/");
        CHECK(head.status == 200);
        CHECK(head.contentType == "text/html; charset=utf-8");
        CHECK(head.body.empty());

        if (resourceCompiledIn("/vmrtc/viewer/viewer.css")) {
            HttpReply css = fetch("GET", loopback.base + "/viewer.css");
            CHECK(css.status == 200);
            CHECK(css.contentType == "text/css");
        }
        if (resourceCompiledIn("/vmrtc/viewer/gstwebrtc-api.js")) {
            HttpReply js = fetch("GET", loopback.base + "/gstwebrtc-api.js");
            CHECK(js.status == 200);
            CHECK(js.contentType == "text/javascript");
        }
    }
}

TEST_CASE("WebSockets from another web site are refused", "[signalling]")
{
    Loopback loopback;
    WebSocketClient client;
    std::string error;

    SECTION("another origin")
    {
        CHECK_FALSE(
            client.connect(loopback.url, &error, "https://evil.example"));
        CHECK(loopback.server.peerCount() == 0);
    }
    SECTION("the page's own origin")
    {
        CHECK(client.connect(loopback.url, &error, loopback.base));
        CHECK(client.next());
    }
}

TEST_CASE("a silent peer is dropped, its sessions end and listeners hear it",
          "[signalling][liveness]")
{
    Loopback loopback(quickLiveness);
    auto consumer = viewer(loopback.url);
    SilentPeer silent(loopback.server.port());
    REQUIRE(runUntil([&] { return !silent.frames().empty(); }));
    std::string id = TestPeer::parse(silent.frames()[0].payload).peerId;

    silent.sendText(R"({"type":"setPeerStatus","roles":["producer"]})");
    gint64 lastWord = g_get_monotonic_time();
    CHECK(consumer->nextJson() == statusJson(id, R"(["producer"])", "null"));
    consumer->send(R"({"type":"startSession","peerId":")" + id + R"("})");
    std::string session =
        consumer->expect(MessageType::SessionStarted).sessionId;

    std::optional<std::string> end = consumer->ws.next(Millis(6000));
    double silentFor = double(g_get_monotonic_time() - lastWord) / 1e6;
    REQUIRE(end);
    CHECK(*end == R"({"type":"endSession","sessionId":")" + session + R"("})");
    CHECK(silentFor > 2.9);
    CHECK(silentFor < 4.5);
    CHECK(consumer->nextJson() == statusJson(id, "[]", "null"));
    CHECK(loopback.server.peerCount() == 1);
    CHECK(loopback.server.sessionCount() == 0);

    CHECK(silent.waitClosed(Millis(3000)));
    bool pinged = false;
    for (const SilentPeer::Frame &frame : silent.frames())
        pinged = pinged || frame.opcode == 0x9;
    CHECK(pinged);
}

TEST_CASE("a peer that answers pings stays connected while idle",
          "[signalling][liveness]")
{
    Loopback loopback(quickLiveness);
    TestPeer peer(loopback.url);

    CHECK(peer.ws.pendingAfter(Millis(4500)) == 0);
    CHECK(peer.ws.isOpen());
    CHECK(loopback.server.peerCount() == 1);
    peer.sync();
}
