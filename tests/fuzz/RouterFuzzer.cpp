// libFuzzer target: a SignallingRouter driven by operations read from the
// input (peers come and go and send messages, from templates or raw), with
// its invariants checked after every step.
//
// The input, byte by byte: an operation (0 add a peer, 1 remove peer P,
// 2-7 a frame from peer P), then P, an index into every peer id given so
// far (one past the end: an id never given). A frame is binary when its
// next byte is 0 mod 16; otherwise a template byte picks its text (see
// messageText()), and the template reads its fields: roles as bits, a
// session as an index like P, texts as a length byte and the bytes.
#include "log/LogWriter.hpp"
#include "loopback/SignallingRouter.hpp"

#include <glib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

using namespace vmrtc;

namespace {

using Outbox = SignallingRouter::Outbox;

const char *const metas[] = {"null", R"({"session":"vm-42"})", "{}",
                             R"({"name":"a","n":[1,2.5,{"x":null}]})"};

void check(bool ok, const char *what, const std::string &detail = {})
{
    if (ok)
        return;
    std::fprintf(stderr, "fuzz-router: %s %s\n", what, detail.c_str());
    std::abort();
}

// The input read front to back; past its end every byte reads as zero.
class Input {
public:
    Input(const uint8_t *data, size_t size) : data_(data), size_(size) {}

    bool done() const { return size_ == 0; }

    uint8_t byte()
    {
        if (size_ == 0)
            return 0;
        size_--;
        return *data_++;
    }

    // A length (one byte, or two when long) and that many bytes.
    std::string text(bool longText = false)
    {
        size_t wanted = byte();
        if (longText)
            wanted = wanted << 8 | byte();
        size_t n = std::min(wanted, size_);
        std::string out(reinterpret_cast<const char *>(data_), n);
        data_ += n;
        size_ -= n;
        return out;
    }

private:
    const uint8_t *data_;
    size_t size_;
};

// Runs the router and keeps what the checks need to know of its past.
class Driver {
public:
    Driver() : router_([this] { return "id-" + std::to_string(++lastId_); }) {}

    void step(Input &in);

private:
    void addPeer();
    void removePeer(Input &in);
    void receive(const std::string &sender, Input &in);
    std::string messageText(Input &in);
    Message statusMessage(Input &in);
    Message sessionMessage(MessageType type, Input &in);
    Message serverOnlyMessage(Input &in);

    const std::string &pickPeer(Input &in) const;
    const std::string &pickSession(Input &in) const;

    void checkOutbox(const Outbox &out, const std::string &sender);
    void checkPeers() const;
    void checkSessions() const;

    int lastId_ = 0;
    SignallingRouter router_;
    std::set<std::string> live_;            // peers added and not removed
    std::vector<std::string> peersSeen_;    // every peer id, gone ones too
    std::vector<std::string> sessionsSeen_; // every session id started
};

const std::string nobody = "no-such-peer";
const std::string noSession = "no-such-session";

void Driver::step(Input &in)
{
    switch (in.byte() % 8) {
    case 0:
        addPeer();
        break;
    case 1:
        removePeer(in);
        break;
    default:
        receive(pickPeer(in), in);
        break;
    }

    checkPeers();
    checkSessions();
}

void Driver::addPeer()
{
    SignallingRouter::Added added = router_.addPeer();
    check(std::find(peersSeen_.begin(), peersSeen_.end(), added.peerId) ==
              peersSeen_.end(),
          "a peer id given twice:", added.peerId);
    live_.insert(added.peerId);
    peersSeen_.push_back(added.peerId);

    check(added.out.size() == 1, "addPeer() sends more than a welcome");
    const SignallingRouter::Routed &welcome = added.out.front();
    check(welcome.to == added.peerId &&
              welcome.message.type == MessageType::Welcome &&
              welcome.message.peerId == added.peerId,
          "the welcome is wrong:", welcome.message.toJson());
}

void Driver::removePeer(Input &in)
{
    std::string gone = pickPeer(in);
    live_.erase(gone);
    Outbox out = router_.removePeer(gone);
    checkOutbox(out, gone);
    for (const SignallingRouter::Routed &routed : out)
        check(routed.to != gone, "a message to the peer that left");
}

void Driver::receive(const std::string &sender, Input &in)
{
    Outbox out = in.byte() % 16 == 0 ? router_.receiveBinary(sender)
                                     : router_.receive(sender, messageText(in));
    check(live_.count(sender) || out.empty(), "a gone peer got an answer");
    checkOutbox(out, sender);
}

// A message from a template filled from the input, or raw text.
std::string Driver::messageText(Input &in)
{
    Message m;
    switch (in.byte() % 10) {
    case 0:
        m = statusMessage(in);
        break;
    case 1:
        m.type = MessageType::List;
        break;
    case 2:
        m.type = MessageType::ListConsumers;
        break;
    case 3:
        m = sessionMessage(MessageType::StartSession, in);
        break;
    case 4:
    case 5:
        m = sessionMessage(MessageType::Peer, in);
        break;
    case 6:
        m = sessionMessage(MessageType::EndSession, in);
        break;
    case 7:
        m = serverOnlyMessage(in);
        break;
    case 8:
        return R"({"type":"setProtocolVersion","version":")" + in.text() +
               R"("})";
    default:
        return in.text(true);
    }
    return m.toJson();
}

Message Driver::statusMessage(Input &in)
{
    Message m;
    m.type = MessageType::SetPeerStatus;
    uint8_t roles = in.byte();
    const char *names[] = {"producer", "consumer", "listener", "viewer"};
    for (int bit = 0; bit < 4; bit++) {
        if (roles & (1 << bit))
            m.roles.push_back(names[bit]);
    }
    if (roles & 0x10)
        m.roles.push_back("listener"); // the same role twice
    m.metaJson = metas[(roles >> 5) % std::size(metas)];
    return m;
}

Message Driver::sessionMessage(MessageType type, Input &in)
{
    Message m;
    m.type = type;
    uint8_t shape = in.byte();
    if (type == MessageType::StartSession) {
        m.peerId = pickPeer(in);
        if (shape & 1)
            m.offer = in.text();
        return m;
    }

    m.sessionId = pickSession(in);
    if (type == MessageType::Peer && (shape & 1))
        m.sdp =
            SdpPayload{shape & 2 ? "offer" : "answer", "v=0\r\n" + in.text()};
    else if (type == MessageType::Peer)
        m.ice = IcePayload{in.text(), in.byte()};
    return m;
}

// A type only the server may send, which a peer sends anyway.
Message Driver::serverOnlyMessage(Input &in)
{
    const MessageType types[] = {
        MessageType::Welcome, MessageType::SessionStarted,
        MessageType::PeerStatusChanged, MessageType::Error};
    Message m;
    m.type = types[in.byte() % std::size(types)];
    m.peerId = pickPeer(in);
    m.sessionId = pickSession(in);
    m.details = in.text();
    return m;
}

// One of the peers ever added (gone ones too), or a peer never known.
const std::string &Driver::pickPeer(Input &in) const
{
    size_t pick = in.byte() % (peersSeen_.size() + 1);
    return pick < peersSeen_.size() ? peersSeen_[pick] : nobody;
}

const std::string &Driver::pickSession(Input &in) const
{
    size_t pick = in.byte() % (sessionsSeen_.size() + 1);
    return pick < sessionsSeen_.size() ? sessionsSeen_[pick] : noSession;
}

// Every message goes to a peer that is there, errors only to the sender,
// and every message is one a peer can parse.
void Driver::checkOutbox(const Outbox &out, const std::string &sender)
{
    for (const SignallingRouter::Routed &routed : out) {
        const Message &m = routed.message;
        check(live_.count(routed.to) == 1,
              "routed to an unknown peer:", routed.to);
        check(m.type != MessageType::Error || routed.to == sender,
              "an error to a peer that did not ask:", m.details);
        check(m.type != MessageType::Welcome, "a welcome out of turn");
        if (m.type == MessageType::SessionStarted)
            sessionsSeen_.push_back(m.sessionId);

        std::string json = m.toJson();
        std::string why;
        if (g_utf8_validate(json.data(), static_cast<gssize>(json.size()),
                            nullptr))
            check(Message::parse(json, &why).has_value(),
                  "a routed message does not parse:", json + " " + why);
    }
}

void Driver::checkPeers() const
{
    check(router_.peerCount() == live_.size() &&
              router_.peers().size() == live_.size(),
          "the peer count is off");
    for (const auto &[id, peer] : router_.peers()) {
        check(live_.count(id) == 1, "a peer that should be gone:", id);
        size_t consuming = 0;
        for (const std::string &session : peer.sessions) {
            auto found = router_.sessions().find(session);
            check(found != router_.sessions().end(),
                  "a peer in a session that is over:", session);
            check(found->second.producer == id || found->second.consumer == id,
                  "a peer lists a session it is not in:", session);
            consuming += found->second.consumer == id;
        }
        check(consuming <= SignallingRouter::maxSessionsPerPeer,
              "too many sessions for one consumer:", id);
    }
}

void Driver::checkSessions() const
{
    check(router_.sessionCount() == router_.sessions().size(),
          "the session count is off");
    for (const auto &[id, session] : router_.sessions()) {
        check(session.producer != session.consumer,
              "a session with itself:", id);
        for (const std::string *member :
             {&session.producer, &session.consumer}) {
            const SignallingRouter::Peer *peer = router_.peer(*member);
            check(peer != nullptr, "a session member is gone:", *member);
            check(peer->sessions.count(id) == 1,
                  "a member does not list its session:", id);
        }
    }
}

GLogWriterOutput discard(GLogLevelFlags, const GLogField *, gsize, gpointer)
{
    return G_LOG_WRITER_HANDLED;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    // Every record is built (the logging code runs too) and dropped.
    g_log_set_writer_func(&discard, nullptr, nullptr);
    LogWriter::configure(LogFormat::Text, LogLevel::Trace);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Input in(data, size);
    Driver driver;
    while (!in.done())
        driver.step(in);
    return 0;
}
