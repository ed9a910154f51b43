// Feature extraction shared by 2 ranks (cantus/data/sharded_store.hpp): the joined store has the
// bytes of one process's build, no track is decoded twice, and the blocks a dead rank left behind
// (one complete, one interrupted) are completed by the next run, decoding only what is missing.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>

#include "../data/data_test_support.hpp"
#include "cantus/data/folders.hpp"
#include "cantus/data/sharded_store.hpp"
#include "distributed_fixture.hpp"

using namespace cantus;
using namespace cantus::data;
namespace fs = std::filesystem;

namespace {

// 3 genres x 4 clips of 1 s tones, written by rank 0.
data::corpus tones(const fs::path& root) {
  if (cantus::testing::world().rank() == 0) {
    const char* genres[] = {"alpha", "beta", "gamma"};
    for (int g = 0; g < 3; ++g)
      for (int i = 0; i < 4; ++i)
        cantus::testing::write_tone(root / genres[g] / ("clip" + std::to_string(i) + ".wav"), 1.0, 110.0 * (g + 1) + 17 * i);
  }
  cantus::testing::world().barrier();
  return data::folders::load(root);
}

feature_params params() {
  feature_params p;
  p.mel.n_mels = 32;
  p.mel.n_fft = 1024;
  p.mel.hop_length = 256;
  p.raw_sample_rate = 8000;
  return p;
}

store_options quiet() {
  store_options o;
  o.threads = 1;
  o.verbose = false;
  o.checkpoint_tracks = 1;
  return o;
}

// A file of the store, the index without the audio files' stat identities: whether one is recorded
// depends on when the file was looked at (data/file_identity.hpp), not on who built the store.
std::string store_file(const fs::path& dir, const char* name) {
  if (std::string(name) != "index.tsv") return cantus::testing::read_bytes(dir / name);
  auto x = data::internal::parse_index(dir / name);
  for (auto& t : x.tracks) t.identity = {};
  return data::internal::format_index(x);
}

double total(double v) {
  cantus::testing::world().all_reduce_sum(&v, 1);
  return v;
}

}  // namespace

BOOST_AUTO_TEST_CASE(ranks_share_the_extraction_and_the_store_equals_one_process_build) {
  auto& w = cantus::testing::world();
  if (w.size() < 2) {
    cantus::testing::skip("needs 2 MPI ranks (CTest runs it as test_distributed_mpi2)");
    return;
  }
  const auto dir = cantus::testing::scratch("sharded_store");
  const auto c = tones(dir / "corpus");
  const auto p = params();
  std::size_t mine = 0;
  const auto s = open_or_build_sharded(c, p, dir / "shared", w, quiet(), 5, &mine);
  BOOST_TEST(total(double(mine)) == 12.0);  // every track once
  BOOST_TEST(mine > 0u);                    // and both ranks worked
  BOOST_TEST(s.all().size() == 12u);
  BOOST_TEST(!fs::exists(dir / "shared" / "parts"));
  if (w.rank() == 0) {
    feature_store::build(c, p, dir / "alone", quiet());
    for (const char* f : {"index.tsv", "mel.f32", "raw.f32"})
      BOOST_TEST(store_file(dir / "shared", f) == store_file(dir / "alone", f), f);
  }
  // A second run finds it complete and decodes nothing.
  open_or_build_sharded(c, p, dir / "shared", w, quiet(), 5, &mine);
  BOOST_TEST(total(double(mine)) == 0.0);
  // Issue 34: a file rewritten with other audio of the same size is not "complete": rank 0 extracts
  // that track again (the others are copied), and the store equals one process's build of the new audio.
  if (w.rank() == 0) {
    const auto size = fs::file_size(c.tracks[7].path);
    cantus::testing::write_tone(c.tracks[7].path, 1.0, 987.0);
    BOOST_REQUIRE_EQUAL(fs::file_size(c.tracks[7].path), size);
  }
  w.barrier();
  const auto changed = open_or_build_sharded(c, p, dir / "shared", w, quiet(), 5, &mine);
  BOOST_TEST(total(double(mine)) == 1.0);
  BOOST_TEST(changed.content_key() != s.content_key());
  if (w.rank() == 0) {
    feature_store::build(c, p, dir / "alone-changed", quiet());
    for (const char* f : {"index.tsv", "mel.f32", "raw.f32"})
      BOOST_TEST(store_file(dir / "shared", f) == store_file(dir / "alone-changed", f), f);
  }
}

BOOST_AUTO_TEST_CASE(a_rerun_completes_what_a_dead_rank_left) {
  auto& w = cantus::testing::world();
  if (w.size() < 2) {
    cantus::testing::skip("needs 2 MPI ranks (CTest runs it as test_distributed_mpi2)");
    return;
  }
  const auto dir = cantus::testing::scratch("sharded_rerun");
  const auto c = tones(dir / "corpus");
  const auto p = params();
  // What a job leaves when a rank dies: block 0 (tracks 0-4) complete, block 1 (5-9) with 2 tracks
  // committed, block 2 never started.
  if (w.rank() == 0) {
    auto block = [&](std::size_t first, std::size_t last) {
      data::corpus part = c;
      part.tracks.assign(c.tracks.begin() + static_cast<std::ptrdiff_t>(first), c.tracks.begin() + static_cast<std::ptrdiff_t>(last + 1));
      return part;
    };
    feature_store::build(block(0, 4), p, dir / "shared" / "parts" / "000000-000004", quiet());
    auto o = quiet();
    int left = 2;
    o.keep_going = [&] { return --left > 0; };
    const auto r = feature_store::build(block(5, 9), p, dir / "shared" / "parts" / "000005-000009", o);
    BOOST_TEST(r.interrupted);
    BOOST_TEST(r.extracted == 2u);
  }
  w.barrier();
  std::size_t mine = 0;
  const auto s = open_or_build_sharded(c, p, dir / "shared", w, quiet(), 5, &mine);
  BOOST_TEST(total(double(mine)) == 5.0);  // 3 of block 1 and the 2 of block 2
  BOOST_TEST(s.all().size() == 12u);
  if (w.rank() == 0) {
    feature_store::build(c, p, dir / "alone", quiet());
    for (const char* f : {"index.tsv", "mel.f32", "raw.f32"})
      BOOST_TEST(store_file(dir / "shared", f) == store_file(dir / "alone", f), f);
  }
}
