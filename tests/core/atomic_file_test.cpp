// Issue 22, item 1: an output path that is not a regular file is never replaced.
#include <boost/test/unit_test.hpp>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include "cantus/core/atomic_file.hpp"
#include "cantus_test.hpp"

using namespace cantus;
namespace fs = std::filesystem;

namespace {
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

BOOST_AUTO_TEST_SUITE(atomic_file)

BOOST_AUTO_TEST_CASE(regular_files_are_replaced_whole) {
  const auto dir = testing::scratch_dir("atomic_regular");
  write_file_atomically(dir / "a.txt", [](std::ofstream& o) { o << "first"; });
  write_file_atomically(dir / "a.txt", [](std::ofstream& o) { o << "second"; });
  BOOST_TEST(slurp(dir / "a.txt") == "second");
  BOOST_CHECK_THROW(write_file_atomically(dir / "b.txt", [](std::ofstream&) { throw io_error("stop"); }), io_error);
  BOOST_TEST(!fs::exists(dir / "b.txt"));
  for (const auto& e : fs::directory_iterator(dir)) BOOST_TEST(e.path().filename().string().find(".tmp.") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_symbolic_link_is_written_through_and_kept) {
  const auto dir = testing::scratch_dir("atomic_symlink");
  write_file_atomically(dir / "target.json", [](std::ofstream& o) { o << "old"; });
  fs::create_symlink("target.json", dir / "link.json");
  write_file_atomically(dir / "link.json", [](std::ofstream& o) { o << "new"; });
  BOOST_TEST(fs::is_symlink(fs::symlink_status(dir / "link.json")));
  BOOST_TEST(slurp(dir / "target.json") == "new");
  // A dangling link makes its target.
  fs::create_symlink("made.json", dir / "dangling.json");
  write_file_atomically(dir / "dangling.json", [](std::ofstream& o) { o << "made"; });
  BOOST_TEST(fs::is_symlink(fs::symlink_status(dir / "dangling.json")));
  BOOST_TEST(slurp(dir / "made.json") == "made");
}

BOOST_AUTO_TEST_CASE(a_fifo_is_streamed_to_not_replaced) {
  const auto dir = testing::scratch_dir("atomic_fifo");
  const fs::path fifo = dir / "out.fifo";
  BOOST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto reader = std::async(std::launch::async, [&] { return slurp(fifo); });
  write_file_atomically(fifo, [](std::ofstream& o) { o << "through the pipe"; });
  BOOST_TEST(reader.get() == "through the pipe");
  BOOST_TEST(fs::is_fifo(fs::status(fifo)));
}

BOOST_AUTO_TEST_CASE(a_directory_is_refused_by_name) {
  const auto dir = testing::scratch_dir("atomic_dir");
  fs::create_directories(dir / "sub");
  try {
    write_file_atomically(dir / "sub", [](std::ofstream& o) { o << "x"; });
    BOOST_FAIL("expected io_error");
  } catch (const io_error& e) {
    BOOST_TEST(std::string(e.what()).find("is a directory") != std::string::npos, e.what());
  }
  BOOST_TEST(fs::is_directory(dir / "sub"));
}

BOOST_AUTO_TEST_SUITE_END()
