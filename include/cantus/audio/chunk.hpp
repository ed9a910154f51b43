#pragma once
// Cutting a signal (samples) or a spectrogram ([n_mels, frames]) into fixed-length windows with a hop.
//
// Windows start at 0, hop, 2 hop, ... With last_chunk::drop only whole windows are kept (a signal
// shorter than one window gives none); with last_chunk::pad windows are added until every sample
// is covered, the last one filled with `pad_value` past the end (a non-empty signal shorter than
// one window gives one; no window starts past the last sample, which matters when hop > length).
// An empty input gives no windows either way.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include "cantus/base/error.hpp"
#include "cantus/core/tensor.hpp"

namespace cantus::audio {

enum class last_chunk { drop, pad };

// Seconds to a whole number of samples at `sr` (rounded to nearest).
inline index_t seconds_to_samples(double seconds, double sr) {
  if (!(seconds >= 0) || !std::isfinite(seconds))
    throw_value_error("cantus::audio::seconds_to_samples: seconds must be >= 0 and finite, got ", seconds);
  if (!(sr > 0) || !std::isfinite(sr)) throw_value_error("cantus::audio::seconds_to_samples: sr must be positive, got ", sr);
  return static_cast<index_t>(std::llround(seconds * sr));
}
// Seconds to a whole number of spectrogram frames at `sr` with `hop_length` (rounded to nearest).
inline index_t seconds_to_frames(double seconds, double sr, int hop_length) {
  if (hop_length < 1) throw_value_error("cantus::audio::seconds_to_frames: hop_length must be positive, got ", hop_length);
  if (!(seconds >= 0) || !std::isfinite(seconds))
    throw_value_error("cantus::audio::seconds_to_frames: seconds must be >= 0 and finite, got ", seconds);
  if (!(sr > 0) || !std::isfinite(sr)) throw_value_error("cantus::audio::seconds_to_frames: sr must be positive, got ", sr);
  return static_cast<index_t>(std::llround(seconds * sr / hop_length));
}

struct chunking {
  index_t length = 0;  // window length (samples or frames), > 0
  index_t hop = 0;     // distance between window starts, > 0 (hop < length overlaps, hop > length skips)
  last_chunk last = last_chunk::drop;

  void validate(const char* where) const {
    if (length < 1) throw_value_error(where, ": chunk length must be positive, got ", length);
    if (hop < 1) throw_value_error(where, ": chunk hop must be positive, got ", hop);
  }
  // Number of windows over n items.
  index_t count(index_t n) const {
    validate("cantus::audio::chunking::count");
    if (n <= 0) return 0;
    if (last == last_chunk::drop) return n >= length ? 1 + (n - length) / hop : 0;
    if (n <= length) return 1;
    // Enough windows to reach the last sample, but none that would start past it (hop > length).
    return std::min(1 + (n - length + hop - 1) / hop, (n + hop - 1) / hop);
  }
  // Start offset of each window.
  std::vector<index_t> starts(index_t n) const {
    std::vector<index_t> s(static_cast<std::size_t>(count(n)));
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<index_t>(i) * hop;
    return s;
  }
};

// [chunks, length] windows of a signal.
inline tensor<float, 2> chunk_signal(std::span<const float> x, const chunking& c, float pad_value = 0.0f) {
  c.validate("cantus::audio::chunk_signal");
  const auto n = static_cast<index_t>(x.size());
  const index_t k = c.count(n);
  tensor<float, 2> out({k, c.length});
  for (index_t i = 0; i < k; ++i) {
    const index_t start = i * c.hop;
    float* row = out.data() + i * c.length;
    for (index_t j = 0; j < c.length; ++j) row[j] = start + j < n ? x[static_cast<std::size_t>(start + j)] : pad_value;
  }
  return out;
}

// [chunks, n_mels, length] windows along the frame axis of a [n_mels, frames] spectrogram. For a
// log-mel spectrogram a sensible pad_value is its floor (the minimum), i.e. silence.
inline tensor<float, 3> chunk_spectrogram(tensor_view<const float, 2> spec, const chunking& c, float pad_value = 0.0f) {
  c.validate("cantus::audio::chunk_spectrogram");
  const index_t rows = spec.extent(0), frames = spec.extent(1);
  const index_t k = c.count(frames);
  tensor<float, 3> out({k, rows, c.length});
  for (index_t i = 0; i < k; ++i) {
    const index_t start = i * c.hop;
    for (index_t r = 0; r < rows; ++r) {
      float* row = out.data() + (i * rows + r) * c.length;
      for (index_t j = 0; j < c.length; ++j) row[j] = start + j < frames ? spec(r, start + j) : pad_value;
    }
  }
  return out;
}

}  // namespace cantus::audio
