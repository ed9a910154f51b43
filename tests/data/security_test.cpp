// Security basics (issue 22): child processes get argument vectors, never a shell; paths built from
// metadata stay inside the corpus root; a lock file cannot be turned into a way to touch another file.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include "cantus/data/fma.hpp"
#include "cantus/core/directory_lock.hpp"
#include "app/subprocess.hpp"
#include "cantus_test.hpp"
#include "data_test_support.hpp"

using namespace cantus;
namespace fs = std::filesystem;

namespace {
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

BOOST_AUTO_TEST_SUITE(security)

// Text that a shell would act on reaches the program verbatim and does nothing else.
BOOST_AUTO_TEST_CASE(child_processes_never_see_a_shell) {
  const auto dir = testing::scratch_dir("sec_spawn");
  const auto marker = dir / "pwned";
  const std::string hostile = "clip; touch " + marker.string() + " $(touch " + marker.string() + ") `touch " +
                              marker.string() + "` | true && echo \"quoted\" 'single' *";
  const auto log = dir / "echo.log";
  BOOST_TEST(paper::run_program({"echo", hostile}, log) == 0);
  BOOST_TEST(!fs::exists(marker));
  BOOST_TEST(testing::read_bytes(log) == hostile + "\n");
  // A program name with shell syntax is looked up as a file, not interpreted.
  BOOST_CHECK_THROW(paper::run_program({"true; touch " + marker.string()}, log), io_error);
  BOOST_TEST(!fs::exists(marker));
}

// FMA's audio paths are built from track ids alone, and an id is digits only: nothing in tracks.csv
// can name a file outside the audio folder.
BOOST_AUTO_TEST_CASE(metadata_cannot_name_paths_outside_the_corpus) {
  const auto root = testing::scratch_dir("sec_fma");
  const std::string head = ",set,set,track\n,split,subset,genre_top\ntrack_id,,,\n";
  for (const std::string id : {"../../etc/passwd", "-1", "1/2", "/tmp/x", "1e3", " 7", "7 "}) {
    testing::write_bytes(root / "fma_metadata" / "tracks.csv", head + "\"" + id + "\",training,small,Rock\n");
    const auto e = error_of([&] { data::fma::load(root); });
    BOOST_TEST(e.find("is not a number") != std::string::npos, id << ": " << e);
  }
  testing::write_bytes(root / "fma_metadata" / "tracks.csv", head + "123456789,training,small,Rock\n");
  data::fma::options o;
  o.require_audio = false;
  const auto c = data::fma::load(root, o);
  BOOST_TEST_REQUIRE(c.tracks.size() == 1u);
  const auto rel = c.tracks[0].path.lexically_relative(root / "fma_small");
  BOOST_TEST(!rel.empty());
  BOOST_TEST(rel.native().find("..") == std::string::npos, rel);
}

// A symlink or a FIFO planted at DIR/lock is refused, naming it; the link's target is neither created
// nor changed, and nothing blocks.
BOOST_AUTO_TEST_CASE(lock_files_cannot_clobber_another_file) {
  const auto dir = testing::scratch_dir("sec_lock");
  const auto victim = dir / "victim.txt";
  fs::create_directories(dir / "cache");
  fs::create_symlink(victim, dir / "cache" / "lock");  // dangling: would be created through the link
  auto e = error_of([&] { cantus::directory_lock l(dir / "cache", "feature store", false); });
  BOOST_TEST(e.find("cache/lock: is a symbolic link") != std::string::npos, e);
  BOOST_TEST(!fs::exists(victim));
  testing::write_bytes(victim, "precious\n");
  e = error_of([&] { cantus::directory_lock l(dir / "cache", "feature store", false); });
  BOOST_TEST(e.find("symbolic link") != std::string::npos, e);
  BOOST_TEST(testing::read_bytes(victim) == "precious\n");

  fs::remove(dir / "cache" / "lock");
  BOOST_REQUIRE(::mkfifo((dir / "cache" / "lock").c_str(), 0600) == 0);
  e = error_of([&] { cantus::directory_lock l(dir / "cache", "feature store", false); });
  BOOST_TEST(e.find("is not a regular file") != std::string::npos, e);

  fs::remove(dir / "cache" / "lock");
  testing::write_bytes(dir / "cache" / "lock", "left by an older run\n");
  { cantus::directory_lock l(dir / "cache", "feature store", false); }
  BOOST_TEST(testing::read_bytes(dir / "cache" / "lock") == "left by an older run\n");
}

BOOST_AUTO_TEST_SUITE_END()
