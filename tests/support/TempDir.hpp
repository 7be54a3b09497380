// A directory of a test's own under $TMPDIR, removed with everything in it
// when the test is done.
#pragma once

#include <string>

namespace vmrtc::test {

class TempDir {
public:
    explicit TempDir(const std::string &prefix); // throws if it cannot
    ~TempDir();

    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;

    // Writes a file in the directory, as bytes; returns its path.
    std::string write(const std::string &name,
                      const std::string &content) const;

    std::string path;
};

} // namespace vmrtc::test
