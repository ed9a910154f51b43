// The feature store's index and journal (paper/feature_store.hpp: internal::parse_index, read-only
// here), then feature_store::open on a directory holding that index with data files of the sizes it
// names, and every read open() allows (verify(), each track's mel and raw views). Each input is tried
// as it is (the checksum line) and with its checksum line recomputed, so mutations reach the fields.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "cantus/data/feature_store.hpp"
#include "fuzz_support.hpp"

namespace {
namespace fs = std::filesystem;

// Data files larger than this are not made: the point is the index's arithmetic, not disk space.
constexpr std::uint64_t max_floats = 1 << 16;

void sized_file(const fs::path& p, std::uint64_t floats) {
  fs::remove(p);
  if (floats == 0 || floats > max_floats) return;
  cantus_fuzz::write_file(p, "", 0);
  fs::resize_file(p, floats * sizeof(float));
}

void parse_and_open(const std::string& text) {
  const auto dir = cantus_fuzz::scratch_dir() / "store";
  fs::create_directories(dir);
  cantus_fuzz::write_file(dir / "index.tsv", text.data(), text.size());
  cantus_fuzz::accepts([&] {
    const auto x = cantus::data::internal::parse_index(dir / "index.tsv");
    sized_file(dir / "mel.f32", x.mel_floats);
    sized_file(dir / "raw.f32", x.raw_floats);
    const auto s = cantus::data::feature_store::open(dir);
    (void)s.verify();
    for (const auto& t : s.all()) {
      if (!t.ok) continue;
      const auto mel = s.mel(t);
      float sum = 0;
      for (cantus::index_t i = 0; i < mel.size(); ++i) sum += mel.data()[i];
      if (s.has_raw())
        for (float v : s.raw(t)) sum += v;
      if (sum != 0) std::abort();  // the data files are all zeros
    }
  });
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  parse_and_open(text);
  const auto last = text.rfind("checksum\t");
  std::string body = text.substr(0, last == std::string::npos ? text.size() : last);
  char line[40];
  std::snprintf(line, sizeof line, "checksum\t%016llx\n", static_cast<unsigned long long>(cantus::data::checksum(body)));
  parse_and_open(body + line);
  return 0;
}
