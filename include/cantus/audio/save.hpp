#pragma once
// Writing audio (libsndfile): mono float samples to a 16-bit PCM WAV, beside the target then published
// over it (publish_file: synced, renamed, directory synced), so a reader never sees half a file. Samples beyond [-1, 1] are scaled down together (the
// peak to 0.99) rather than clipped, and the scale is returned.
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "cantus/base/error.hpp"
#include "cantus/core/publish_file.hpp"

namespace cantus::audio {

inline double write_wav(const std::filesystem::path& path, std::span<const float> samples, int sample_rate) {
  if (sample_rate <= 0) throw_value_error("cantus::audio::write_wav: '", path.string(), "': sample rate must be positive, got ", sample_rate);
  float peak = 0;
  for (float v : samples) {
    if (!std::isfinite(v)) throw value_error(cantus::detail::concat("cantus::audio::write_wav: '", path.string(), "': non-finite sample"));
    peak = std::max(peak, std::abs(v));
  }
  const double scale = peak > 1.0f ? 0.99 / peak : 1.0;
  std::vector<float> out(samples.begin(), samples.end());
  if (scale != 1.0)
    for (float& v : out) v = static_cast<float>(v * scale);
  SF_INFO info{};
  info.samplerate = sample_rate;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  const std::string tmp = path.string() + ".tmp";
  {
    struct closer {
      void operator()(SNDFILE* f) const noexcept { sf_close(f); }
    };
    std::unique_ptr<SNDFILE, closer> f(sf_open(tmp.c_str(), SFM_WRITE, &info));
    if (!f) throw io_error(cantus::detail::concat("cantus::audio::write_wav: '", tmp, "': cannot write: ", sf_strerror(nullptr)));
    const auto n = static_cast<sf_count_t>(out.size());
    if (sf_writef_float(f.get(), out.data(), n) != n)
      throw io_error(cantus::detail::concat("cantus::audio::write_wav: '", tmp, "': write failed: ", sf_strerror(f.get())));
  }
  try {
    publish_file(tmp, path);
  } catch (const io_error& e) {
    std::error_code ignore;
    std::filesystem::remove(tmp, ignore);
    throw io_error(cantus::detail::concat("cantus::audio::write_wav: ", e.what()));
  }
  return scale;
}

}  // namespace cantus::audio
