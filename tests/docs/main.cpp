#define BOOST_TEST_MODULE cantus docs examples
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>

namespace docs {

void in_scratch(const std::string& name, void (*block)()) {
  const auto dir = std::filesystem::path(CANTUS_TEST_SCRATCH_DIR) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto before = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  try {
    block();
  } catch (...) {
    std::filesystem::current_path(before);
    throw;
  }
  std::filesystem::current_path(before);
}

}  // namespace docs
