// The one place tests include Catch2 from, so moving to Catch2 v3 is a
// change here and in meson.build only.
#pragma once

#if __has_include(<catch2/catch_all.hpp>)
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif
