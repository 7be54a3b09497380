// One viewer joining the server and leaving again, in one of the ways
// viewers do: after a picture, after the transport came up, or abandoned
// somewhere in the middle of negotiation.
#pragma once

#include "WebRtcReceiver.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace vmrtc::test {

// Runs on the default main context. step() never blocks for long, so a
// test can keep several cycles going at once from one thread.
class ViewerCycle {
public:
    enum class Kind {
        Frame,             // a decoded frame, then endSession
        ConnectedEnd,      // the transport up, then endSession
        ConnectedClose,    // the transport up, then the WebSocket closes
        CloseBeforeOffer,  // startSession, then the WebSocket closes
        CloseAfterOffer,   // the offer arrives, the WebSocket closes
        AnswerNoMedia,     // an answer without a media section
        AnswerUnusable,    // an answer webrtcbin cannot apply
        AnswerNoCandidate, // an answer, no candidates either way, then close
    };

    // The kind of the index-th cycle of a soak: most reach the transport,
    // one in ten a picture, the rest are abandoned in turn.
    static Kind kindFor(int index);
    static const char *name(Kind kind);

    static constexpr std::chrono::seconds deadline{30};

    ViewerCycle(Kind kind, std::string signallingUrl, std::string session);

    // Advances the cycle; true once it is over, reached or failed.
    bool step();

    Kind kind() const { return kind_; }
    // Empty when the cycle did what its kind says; otherwise what failed.
    const std::string &failure() const { return failure_; }

private:
    using Clock = std::chrono::steady_clock;

    bool stepReceiver();
    bool goalReached() const;
    void leave();
    void runAbandoned();

    Kind kind_;
    std::string url_;
    std::string session_;
    Clock::time_point started_ = Clock::now();
    std::unique_ptr<WebRtcReceiver> receiver_;
    std::string failure_;
};

} // namespace vmrtc::test
