#pragma once
// A decoded, mono, floating-point audio signal: what load() returns and what the spectrogram and
// chunking functions take (as std::span<const float> of `samples`).
#include <string>
#include <vector>

namespace cantus::audio {

struct signal {
  std::vector<float> samples;  // mono, nominally in [-1, 1]
  double sample_rate = 0.0;    // Hz
  std::string source;          // the file it came from (for error messages), empty when synthesised

  double seconds() const { return sample_rate > 0 ? static_cast<double>(samples.size()) / sample_rate : 0.0; }
};

}  // namespace cantus::audio
