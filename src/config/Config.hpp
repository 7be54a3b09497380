// The validated configuration the rest of the server runs on.
#pragma once

#include <string>
#include <vector>

namespace vmrtc {

// Which viewers may send input to the VM (INPUT).
enum class InputPolicy {
    All,     // every viewer: each reached the VM through the controller
    Off,     // nobody: watch only
    Granted, // sessions whose startSession carries "control": true
};

struct Config {
    std::string sessionId;
    std::string display;
    std::string controllerUrl;
    std::string signallingUrl;
    std::string signallingToken;          // secret; empty when unset
    std::string stunServer;               // stun://host:port, empty when unset
    std::vector<std::string> turnServers; // secret; turn(s)://u:p@host:port
    int fps = 30;
    int bitrateKbps = 2000;
    int width = 0; // 0: the display's own size
    int height = 0;
    std::string pipeline = "x11-damage-vp8"; // template name or file
    int icePortMin = 0;               // 0: any port
    int icePortMax = 0;
    int maxViewers = 8;
    InputPolicy input = InputPolicy::All;
    bool clipboardOut = false; // the VM's clipboard is sent to viewers
    int healthPort = 9090;     // on 127.0.0.1; 0: no health endpoint
};

} // namespace vmrtc
