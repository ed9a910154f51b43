#pragma once
// A decoded, mono, floating-point audio signal: what load() returns and what the spectrogram and
// chunking functions take (as std::span<const float> of `samples`).
#include <cstdint>
#include <string>
#include <vector>

namespace cantus::audio {

struct signal {
  std::vector<float> samples;  // mono, nominally in [-1, 1]
  double sample_rate = 0.0;    // Hz
  std::string source;          // the file it came from (for error messages), empty when synthesised
  // What decoding lost, filled by load(): the frames the file's header declares (-1: not known), the
  // frames decoded (both at the file's own rate), and, when fewer were decoded or the decoder stopped
  // on an error yet the file was still accepted, what was lost, in words (empty when nothing was).
  std::int64_t declared_frames = -1;
  std::int64_t decoded_frames = 0;
  std::string decode_loss;

  double seconds() const { return sample_rate > 0 ? static_cast<double>(samples.size()) / sample_rate : 0.0; }
};

}  // namespace cantus::audio
