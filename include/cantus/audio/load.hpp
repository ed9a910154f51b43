#pragma once
// Decoding (libsndfile: WAV, FLAC, OGG/Vorbis, Opus, and MP3 through mpg123 since libsndfile 1.1)
// and resampling (libsoxr, high quality: the resampler librosa uses by default, "soxr_hq").
#include <sndfile.h>
#include <soxr.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "cantus/audio/decode_check.hpp"
#include "cantus/audio/signal.hpp"
#include "cantus/base/error.hpp"

namespace cantus::audio {

// Resamples a mono signal from `from_sr` to `to_sr` Hz with libsoxr at high quality (SOXR_HQ, the
// same recipe as librosa's default res_type="soxr_hq"). The output holds ceil(n * to_sr / from_sr)
// samples, as librosa.resample's does. Runs on one thread (callers parallelise across files).
inline std::vector<float> resample(std::span<const float> x, double from_sr, double to_sr) {
  if (!(from_sr > 0) || !std::isfinite(from_sr))
    throw_value_error("cantus::audio::resample: from_sr must be a positive finite rate in Hz, got ", from_sr);
  if (!(to_sr > 0) || !std::isfinite(to_sr))
    throw_value_error("cantus::audio::resample: to_sr must be a positive finite rate in Hz, got ", to_sr);
  if (from_sr == to_sr || x.empty()) return {x.begin(), x.end()};
  const double ratio = to_sr / from_sr;
  if (ratio > 256.0 || ratio < 1.0 / 256.0)
    throw_value_error("cantus::audio::resample: ", from_sr, " Hz -> ", to_sr, " Hz is a ratio of ", ratio,
                      "; supported ratios are 1/256 to 256");
  const auto out_len = static_cast<std::size_t>(std::ceil(static_cast<double>(x.size()) * ratio));
  std::vector<float> y(out_len);
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  const soxr_runtime_spec_t runtime = soxr_runtime_spec(1);
  std::size_t done = 0;
  const soxr_error_t err = soxr_oneshot(from_sr, to_sr, 1, x.data(), x.size(), nullptr, y.data(), y.size(), &done,
                                        &io, &quality, &runtime);
  if (err)
    throw value_error(cantus::detail::concat("cantus::audio::resample: libsoxr failed resampling ", from_sr, " Hz -> ", to_sr,
                                     " Hz: ", err));
  // soxr may deliver a few samples less than the ceiling; librosa fixes the length with zeros too.
  std::fill(y.begin() + static_cast<std::ptrdiff_t>(std::min(done, y.size())), y.end(), 0.0f);
  return y;
}

namespace detail {
struct sndfile_closer {
  void operator()(SNDFILE* f) const noexcept { sf_close(f); }
};
}  // namespace detail

// Decodes an audio file to mono float (mean of the channels; integer formats scaled to [-1, 1) the
// way libsndfile and soundfile do, int16 / 32768) and resamples it to `target_sr` Hz with libsoxr.
// `target_sr <= 0` keeps the file's own rate. Throws io_error naming the file when it is missing,
// unreadable, of an unsupported format, holds no samples, decodes to non-finite values, or decodes to
// less than `min_decoded_share` of the duration its header declares (0 accepts any partial decode;
// a truncated WAV counts by the length its header declares: decode_check.hpp).
// An accepted file that still lost frames, or whose decoder stopped on an error, says so in
// signal::decode_loss.
inline signal load(const std::filesystem::path& path, double target_sr = 22050.0,
                   double min_decoded_share = default_min_decoded_share) {
  const std::string name = path.string();
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) detail::throw_load_error(name, "no such file");
  if (std::filesystem::is_directory(status)) detail::throw_load_error(name, "is a directory, not an audio file");
  if (std::isnan(target_sr) || std::isinf(target_sr))
    throw_value_error("cantus::audio::load: target_sr must be finite (<= 0 keeps the native rate), got ", target_sr,
                      " for '", name, "'");
  if (!(min_decoded_share >= 0.0 && min_decoded_share <= 1.0))
    throw_value_error("cantus::audio::load: min_decoded_share must be a share from 0 to 1, got ", min_decoded_share, " for '",
                      name, "'");

  SF_INFO info{};
  std::unique_ptr<SNDFILE, detail::sndfile_closer> file(sf_open(name.c_str(), SFM_READ, &info));
  if (!file) {
    if (std::filesystem::file_size(path, ec) == 0 && !ec) detail::throw_load_error(name, "zero-length file (0 bytes)");
    detail::throw_load_error(name, "cannot decode: not in a format libsndfile reads (WAV, FLAC, OGG/Vorbis, Opus, MP3, ...) or corrupt (libsndfile says: ", sf_strerror(nullptr), ")");
  }
  if (info.channels <= 0 || info.samplerate <= 0)
    detail::throw_load_error(name, "decoder reports ", info.channels, " channels at ", info.samplerate, " Hz");
  const std::int64_t declared = detail::declared_frames(file.get(), info);

  // Read until the decoder returns nothing: an MP3 header's frame count is an estimate (truncated
  // files claim more than they hold, VBR files without a Xing header guess), so it is only a hint.
  const auto channels = static_cast<std::size_t>(info.channels);
  constexpr std::size_t block_frames = decode_block_frames;
  std::vector<float> interleaved(block_frames * channels);
  signal out;
  out.source = name;
  out.sample_rate = info.samplerate;
  // The header's count is only trusted up to 2^22 frames (16 MB, over a minute and a half at 44.1
  // kHz): a 55-byte FLAC claiming 924,784,920 frames reserved 3.7 GB before decoding anything (found
  // by tests/fuzz, fuzz_audio). Longer files grow as blocks arrive.
  if (info.frames > 0) out.samples.reserve(static_cast<std::size_t>(std::min<sf_count_t>(info.frames, sf_count_t{1} << 22)));
  for (;;) {
    const sf_count_t got = sf_readf_float(file.get(), interleaved.data(), static_cast<sf_count_t>(block_frames));
    if (got <= 0) break;
    const auto frames = static_cast<std::size_t>(got);
    const std::size_t base = out.samples.size();
    out.samples.resize(base + frames);
    float* dst = out.samples.data() + base;
    if (channels == 1) {
      std::copy_n(interleaved.data(), frames, dst);
    } else if (channels == 2) {
      for (std::size_t i = 0; i < frames; ++i) dst[i] = (interleaved[2 * i] + interleaved[2 * i + 1]) * 0.5f;
    } else {
      const float inv = 1.0f / static_cast<float>(channels);
      for (std::size_t i = 0; i < frames; ++i) {
        float s = 0.0f;
        for (std::size_t c = 0; c < channels; ++c) s += interleaved[i * channels + c];
        dst[i] = s * inv;
      }
    }
  }
  if (out.samples.empty()) detail::throw_load_error(name, "holds no audio samples (zero-length)");
  detail::account_for_losses(out, static_cast<std::int64_t>(out.samples.size()), declared, info.samplerate, sf_error(file.get()),
                             sf_strerror(file.get()), min_decoded_share);
  // Float files can hold NaN/inf; one branch-free pass (it vectorises) instead of a test per sample.
  int non_finite = 0;
  for (float v : out.samples) non_finite |= (v != v) | (std::fabs(v) > std::numeric_limits<float>::max());
  if (non_finite) detail::throw_load_error(name, "decoded samples contain NaN or infinity");

  if (target_sr > 0 && target_sr != out.sample_rate) {
    try {
      out.samples = resample(out.samples, out.sample_rate, target_sr);
    } catch (const value_error& e) {
      throw value_error(cantus::detail::concat("cantus::audio::load: '", name, "': ", e.what()));
    }
    out.sample_rate = target_sr;
  }
  return out;
}

}  // namespace cantus::audio
