// A plain HTTP request from a test to a server on this machine.
#pragma once

#include <string>

namespace vmrtc::test {

struct HttpReply {
    int status = 0; // 0 when nothing answered
    std::string body;
    std::string contentType;
    std::string allow; // the Allow header, for 405
};

// Blocking: the default main context is not iterated meanwhile, so the
// server must be another process.
class HttpGet {
public:
    static HttpReply fetch(const std::string &url,
                           const std::string &method = "GET");
    // A TCP port on 127.0.0.1 that nothing listened on a moment ago.
    static int freePort();
};

} // namespace vmrtc::test
