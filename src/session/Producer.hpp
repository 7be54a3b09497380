// The producer side of the protocol: one ViewerSession per startSession.
#pragma once

#include "capture/MediaPipeline.hpp"
#include "health/Metrics.hpp"
#include "input/ControlChannel.hpp"
#include "input/InputService.hpp"
#include "session/ViewerSession.hpp"
#include "signalling/SignallingClient.hpp"

#include <map>
#include <memory>
#include <string>

namespace vmrtc {

// Routes signalling messages to viewer sessions and sessions' offers and
// candidates back to signalling; attaches each session to the shared
// chain. Main thread only.
class Producer {
public:
    struct Options {
        SignallingClient::Options signalling;
        IceConfig ice;
        size_t maxViewers = 8;
        InputService *input = nullptr; // outlives the producer; may be null
        Metrics *metrics = nullptr;    // outlives the producer; may be null
    };

    Producer(Options options, MediaPipeline &media);
    ~Producer();

    void start();

    size_t sessionCount() const { return sessions_.size(); }
    bool registered() const { return signalling_.registered(); }
    unsigned signallingReconnects() const { return signalling_.reconnects(); }

    // Ends every session (telling signalling) and, while media is not
    // ready, refuses new ones; signalling stays registered throughout.
    void endAll(EndReason why, const std::string &detail);
    void mediaReady(bool ready) { mediaReady_ = ready; }

    // Asks every session's webrtcbin for its stats, for /metrics.
    void refreshStats();

private:
    void handle(const Message &message);
    void startSession(const Message &message);
    void peerMessage(const Message &message);
    void viewerBranchFailed(GstElement *bin, const std::string &error);
    void endSession(const std::string &id, EndReason why,
                    const std::string &detail, bool tellSignalling);
    ViewerSession::Events eventsFor(const std::string &id, bool granted);
    void send(Message message);

    Options options_;
    MediaPipeline &media_;
    SignallingClient signalling_;
    std::map<std::string, std::shared_ptr<ViewerSession>> sessions_;
    std::map<std::string, std::shared_ptr<ControlChannel>> controls_;
    bool mediaReady_ = true;
};

} // namespace vmrtc
