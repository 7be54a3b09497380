// The state /healthz reports: signalling, the shared pipeline, viewers.
#pragma once

#include <cstddef>
#include <string>

namespace vmrtc {

enum class PipelineHealth { Ok, Rebuilding, Failed };

// A snapshot taken on the main thread for one request.
struct HealthStatus {
    bool registered = false; // registered as producer with signalling
    PipelineHealth pipeline = PipelineHealth::Ok;
    size_t viewers = 0;

    bool healthy() const
    {
        return registered && pipeline == PipelineHealth::Ok;
    }

    // Why it is not healthy, empty when it is.
    std::string reason() const;

    // {"status":"ok"|"unavailable","signalling":…,"pipeline":…,
    //  "viewers":N[,"reason":…]}
    std::string json() const;
};

} // namespace vmrtc
