// Unit tests of the KEY=VALUE env-file reader.
#include "catch.hpp"

#include "config/EnvFile.hpp"

#include <glib.h>
#include <glib/gstdio.h>

#include <fstream>
#include <string>

using vmrtc::EnvFile;

namespace {

std::string valueOf(const EnvFile &file, const char *key)
{
    const vmrtc::EnvEntry *entry = file.find(key);
    REQUIRE(entry != nullptr);
    return entry->value;
}

// A scratch directory removed with everything in it at scope exit.
struct ScratchDir {
    std::string path;
    ScratchDir()
    {
        char *made = g_dir_make_tmp("vmrtc-envfile-XXXXXX", nullptr);
        REQUIRE(made != nullptr);
        path = made;
        g_free(made);
    }
    ~ScratchDir()
    {
        std::string command = "rm -rf '" + path + "'";
        (void)std::system(command.c_str());
    }
    std::string write(const char *name, const std::string &content) const
    {
        std::string file = path + "/" + name;
        std::ofstream(file, std::ios::binary) << content;
        return file;
    }
};

} // namespace

TEST_CASE("plain assignments, comments and blank lines", "[envfile]")
{
    EnvFile f = EnvFile::parse("# a comment\n\nSESSION_ID=abc\n"
                               "   # indented comment\nDISPLAY=:1\n");
    CHECK(f.errors.empty());
    REQUIRE(f.entries.size() == 2);
    CHECK(valueOf(f, "SESSION_ID") == "abc");
    CHECK(f.find("SESSION_ID")->line == 3);
    CHECK(valueOf(f, "DISPLAY") == ":1");
}

TEST_CASE("export prefix, blanks around '=' and trailing blanks", "[envfile]")
{
    EnvFile f = EnvFile::parse("export A=1\nexport\tB = two  \n  C=3\t\n");
    CHECK(f.errors.empty());
    CHECK(valueOf(f, "A") == "1");
    CHECK(valueOf(f, "B") == "two");
    CHECK(valueOf(f, "C") == "3");
}

TEST_CASE("a key named export is still a key", "[envfile]")
{
    EnvFile f = EnvFile::parse("export=yes\n");
    CHECK(valueOf(f, "export") == "yes");
}

TEST_CASE("single quotes are literal", "[envfile]")
{
    EnvFile f = EnvFile::parse("A='x \"y\" $z \\n # not a comment'\n");
    CHECK(f.errors.empty());
    CHECK(valueOf(f, "A") == "x \"y\" $z \\n # not a comment");
}

TEST_CASE("double quotes take backslash escapes", "[envfile]")
{
    EnvFile f = EnvFile::parse(
        "A=\"say \\\"hi\\\" \\\\ \\$HOME \\` \\n \\q\" # trailing comment\n");
    CHECK(f.errors.empty());
    CHECK(valueOf(f, "A") == "say \"hi\" \\ $HOME ` \n \\q");
}

TEST_CASE("an unquoted value keeps '#' and inner quotes", "[envfile]")
{
    EnvFile f = EnvFile::parse("URL=http://h/#frag\nQ=it's\n");
    CHECK(valueOf(f, "URL") == "http://h/#frag");
    CHECK(valueOf(f, "Q") == "it's");
}

TEST_CASE("CRLF line ends", "[envfile]")
{
    EnvFile f = EnvFile::parse("A=1\r\nB=\"two\"\r\n# c\r\n\r\nC='3'\r\n");
    CHECK(f.errors.empty());
    CHECK(valueOf(f, "A") == "1");
    CHECK(valueOf(f, "B") == "two");
    CHECK(valueOf(f, "C") == "3");
}

TEST_CASE("empty values and a missing final newline", "[envfile]")
{
    EnvFile f = EnvFile::parse("A=\nB=''\nC=last");
    CHECK(valueOf(f, "A").empty());
    CHECK(valueOf(f, "B").empty());
    CHECK(valueOf(f, "C") == "last");
}

TEST_CASE("a later assignment wins", "[envfile]")
{
    EnvFile f = EnvFile::parse("A=1\nA=2\n");
    CHECK(valueOf(f, "A") == "2");
    CHECK(f.find("A")->line == 2);
}

TEST_CASE("malformed lines are reported with their number and skipped",
          "[envfile]")
{
    EnvFile f = EnvFile::parse("GOOD=1\n"
                               "no equals sign\n"
                               "1BAD=x\n"
                               "A='open\n"
                               "B=\"open\n"
                               "C='x' y\n"
                               "=value\n"
                               "D-E=1\n"
                               "ALSO_GOOD=2\n");
    REQUIRE(f.errors.size() == 7);
    CHECK(f.errors[0].line == 2);
    CHECK(f.errors[0].reason == "expected KEY=VALUE");
    CHECK(f.errors[1].line == 3);
    CHECK(f.errors[2].reason == "unterminated single quote");
    CHECK(f.errors[3].reason == "unterminated double quote");
    CHECK(f.errors[4].reason == "text after the closing quote");
    CHECK(f.errors[5].line == 7);
    CHECK(f.errors[6].line == 8);
    CHECK(valueOf(f, "GOOD") == "1");
    CHECK(valueOf(f, "ALSO_GOOD") == "2");
    CHECK(f.entries.size() == 2);
}

TEST_CASE("bytes that are not UTF-8 are kept as they are", "[envfile]")
{
    EnvFile f = EnvFile::parse("A=caf\xe9\n");
    CHECK(valueOf(f, "A") == "caf\xe9");
}

TEST_CASE("load reads a file", "[envfile]")
{
    ScratchDir dir;
    std::string path = dir.write("ok.env", "SESSION_ID=from-file\n");
    std::string why;
    auto f = EnvFile::load(path, &why);
    REQUIRE(f);
    CHECK(why.empty());
    CHECK(valueOf(*f, "SESSION_ID") == "from-file");
}

TEST_CASE("load refuses what is not a KEY=VALUE text file", "[envfile]")
{
    ScratchDir dir;
    std::string why;

    CHECK_FALSE(EnvFile::load(dir.path + "/missing.env", &why));
    CHECK(why == "No such file or directory");

    CHECK_FALSE(EnvFile::load(dir.path, &why));
    CHECK(why == "it is a directory");

    std::string binary = dir.write("bin.env", std::string("A=1\0\x01\x02", 6));
    CHECK_FALSE(EnvFile::load(binary, &why));
    CHECK(why.find("NUL bytes") != std::string::npos);

    std::string big =
        dir.write("big.env", std::string(EnvFile::maxBytes + 1, '#'));
    CHECK_FALSE(EnvFile::load(big, &why));
    CHECK(why == "it is larger than 1 MiB");

    CHECK_FALSE(EnvFile::load("/dev/null/not-a-dir", &why));
    CHECK_FALSE(why.empty());
}

TEST_CASE("load of a character device is refused", "[envfile]")
{
    std::string why;
    CHECK_FALSE(EnvFile::load("/dev/zero", &why));
    CHECK(why == "it is not a regular file");
}
