// Audio decoding (audio/load.hpp load(), audio/stream.hpp stream_reader): every container libsndfile
// reads here (WAV, AU, FLAC, OGG Vorbis, Opus, MP3 through mpg123), at the file's own rate and
// resampled, whole and streamed in small blocks.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cantus/audio/load.hpp"
#include "cantus/audio/stream.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cantus;
  // libsndfile finds the format from the bytes; the extension only matters for raw data, never used.
  const auto path = cantus_fuzz::input_file("input.audio", data, size);
  cantus_fuzz::accepts([&] { (void)audio::load(path, 0); });
  cantus_fuzz::accepts([&] { (void)audio::load(path, 22050); });
  cantus_fuzz::accepts([&] {
    audio::stream_reader r(path, 16000, 256);
    std::vector<float> out;
    while (r.read(out, 1000) > 0) out.clear();
  });
  return 0;
}
