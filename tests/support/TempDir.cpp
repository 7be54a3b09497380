// TempDir: make, fill and remove a test's own directory.
#include "TempDir.hpp"

#include <glib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace vmrtc::test {

TempDir::TempDir(const std::string &prefix)
{
    std::string pattern = prefix + "-XXXXXX";
    char *made = g_dir_make_tmp(pattern.c_str(), nullptr);
    if (!made)
        throw std::runtime_error("cannot make a directory " + pattern);
    path = made;
    g_free(made);
}

TempDir::~TempDir()
{
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
}

std::string TempDir::write(const std::string &name,
                           const std::string &content) const
{
    std::string file = path + "/" + name;
    std::ofstream(file, std::ios::binary) << content;
    return file;
}

} // namespace vmrtc::test
