// FMA's tracks.csv (data/fma.hpp): the three header lines, columns found by (group, field), track
// ids (digits only, no overflow, no repeats), splits and durations, through fma::load as the
// programs call it (audio files not required, so every row is looked at).
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "cantus/data/fma.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cantus::data;
  static const auto root = [] {
    const auto r = cantus_fuzz::scratch_dir() / "fma";
    std::filesystem::create_directories(r / "fma_metadata");
    return r;
  }();
  cantus_fuzz::input_file("fma/fma_metadata/tracks.csv", data, size);
  cantus_fuzz::accepts([&] {
    const auto t = fma::tracks_table::read(root / "fma_metadata" / "tracks.csv");
    for (std::size_t r = 0; r < t.rows(); ++r) {
      cantus_fuzz::accepts([&] { (void)t.track_id(r); });
      for (std::size_t c = 0; c < t.columns(); ++c) (void)t.at(r, c);
    }
  });
  for (const char* subset : {"small", "full"}) {
    fma::options o;
    o.subset = subset;
    o.require_audio = false;
    cantus_fuzz::accepts([&] { (void)fma::load(root, o); });
  }
  return 0;
}
