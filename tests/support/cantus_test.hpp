#pragma once
// Shared helpers for cantus' Boost.Test executables.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>

namespace cantus::testing {

// ../shared/data beside the repository; tests that need it skip themselves when it is absent.
inline std::filesystem::path shared_data() { return CANTUS_SHARED_DATA_DIR; }
inline bool have_shared_data() { return std::filesystem::exists(shared_data() / "README.md"); }

// A fresh scratch directory per test, in the build tree (<build>/tests/<area>/scratch, the folder
// CTest runs the test in) wherever the executable is started from: never in the source tree.
inline std::filesystem::path scratch_dir(const std::string& name) {
  auto d = std::filesystem::path(CANTUS_TEST_SCRATCH_DIR) / name;
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

// Whether an exception's message contains `part`; the message is logged when it does not.
inline bool message_has(const std::exception& e, const std::string& part) {
  const bool ok = std::string(e.what()).find(part) != std::string::npos;
  if (!ok) BOOST_TEST_MESSAGE("message was: " << e.what());
  return ok;
}

}  // namespace cantus::testing

// Skips the rest of a test case when ../shared/data is missing (a user's clone has none).
#define CANTUS_REQUIRE_SHARED_DATA()                                                   \
  do {                                                                                 \
    if (!::cantus::testing::have_shared_data()) {                                      \
      BOOST_TEST_MESSAGE("skipped: ../shared/data not found");                         \
      std::printf("skipped: ../shared/data not found\n");                              \
      return;                                                                          \
    }                                                                                  \
  } while (0)
