// Catch2 entry point shared by the test programs (v2; v3 links its own).
#define CATCH_CONFIG_MAIN
#include "catch.hpp"
