// tacit/version.h: the version Meson's project() declares, and the
// features this build was configured with.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>

#include "tacit/threads.h"
#include "tacit/version.h"

TEST_CASE("version macros and version_string() are meson.build's project version") {
  CHECK(std::strcmp(TACIT_VERSION_STRING, TACIT_PROJECT_VERSION) == 0);
  CHECK(std::strcmp(tacit::version_string(), TACIT_PROJECT_VERSION) == 0);
  char joined[32];
  std::snprintf(joined, sizeof joined, "%d.%d.%d", TACIT_VERSION_MAJOR, TACIT_VERSION_MINOR,
                TACIT_VERSION_PATCH);
  CHECK(std::strcmp(joined, TACIT_PROJECT_VERSION) == 0);
}

TEST_CASE("feature macros say what this build has") {
  CHECK(TACIT_HAS_FILES == 1);  // the tests need the file readers
  CHECK((TACIT_HAS_THREADS == 1) == tacit::threads_enabled());
}
