// Unit tests of STUN/TURN URL parsing.
#include "catch.hpp"

#include "config/IceServerUrl.hpp"

using vmrtc::IceServerUrl;

TEST_CASE("STUN URLs", "[ice]")
{
    std::string why;
    auto url = IceServerUrl::parse("stun://stun.l.example.com:19302", &why);
    REQUIRE(url);
    CHECK(url->scheme == "stun");
    CHECK(url->host == "stun.l.example.com");
    CHECK(url->port == 19302);
    CHECK(url->toString() == "stun://stun.l.example.com:19302");

    auto noPort = IceServerUrl::parse("stun://10.0.0.1", &why);
    REQUIRE(noPort);
    CHECK(noPort->toString() == "stun://10.0.0.1:3478");

    auto v6 = IceServerUrl::parse("stun://[2001:db8::1]:3478", &why);
    REQUIRE(v6);
    CHECK(v6->host == "[2001:db8::1]");
}

TEST_CASE("TURN URLs", "[ice]")
{
    std::string why;
    auto url = IceServerUrl::parse("turn://alice:s3cr:et@relay:3478", &why);
    REQUIRE(url);
    CHECK(url->user == "alice");
    CHECK(url->password == "s3cr:et");
    CHECK(url->host == "relay");

    auto tls = IceServerUrl::parse("turns://a:b@relay?transport=tcp", &why);
    REQUIRE(tls);
    CHECK(tls->port == 5349);
    CHECK(tls->transport == "tcp");
    CHECK(tls->toString() == "turns://a:b@relay:5349?transport=tcp");
}

TEST_CASE("bad ICE server URLs say why without echoing secrets", "[ice]")
{
    for (const char *bad :
         {"", "stun:host:3478", "http://h", "stun://", "stun://h:0",
          "stun://h:65536", "stun://h:12ab", "stun://u:p@h", "turn://h:3478",
          "turn://user@h", "turn://:pw@h", "turn://u:@h", "turn://u:pw@",
          "turn://u:pw@h?transport=sctp", "stun://h?x=1", "stun://bad host",
          "stun://[zz::1]"}) {
        INFO(bad);
        std::string why;
        CHECK_FALSE(IceServerUrl::parse(bad, &why));
        CHECK_FALSE(why.empty());
        CHECK(why.find("pw") == std::string::npos);
    }
}
