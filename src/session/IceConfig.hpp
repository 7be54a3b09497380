// How a viewer session's ICE agent reaches the outside world.
#pragma once

#include <string>
#include <vector>

namespace vmrtc {

struct IceConfig {
    std::string stunServer;               // stun://host:port or empty
    std::vector<std::string> turnServers; // turn(s)://user:pass@host:port
    int portMin = 0;                      // 0: any port
    int portMax = 0;
};

} // namespace vmrtc
