// FMA's genres.csv (data/fma.hpp read_genres): columns by name, integer fields; then fma::load with
// a fixed tracks.csv, which compares each track's genre_top with the top-level genres read.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include "cantus/data/fma.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cantus::data;
  static const auto root = [] {
    const auto r = cantus_fuzz::scratch_dir() / "fma";
    std::filesystem::create_directories(r / "fma_metadata");
    std::ofstream(r / "fma_metadata" / "tracks.csv") << ",track,set,set\n,genre_top,subset,split\ntrack_id,,,\n"
                                                        "2,Rock,small,training\n3,Hip-Hop,small,test\n";
    return r;
  }();
  const auto path = cantus_fuzz::input_file("fma/fma_metadata/genres.csv", data, size);
  cantus_fuzz::accepts([&] { (void)fma::read_genres(path); });
  fma::options o;
  o.require_audio = false;
  cantus_fuzz::accepts([&] { (void)fma::load(root, o); });
  return 0;
}
