#pragma once
// Decoding a file of any length in bounded memory: stream_reader reads blocks through libsndfile,
// mixes them to mono as load() does, and resamples them with libsoxr's stream resampler (the same
// high-quality recipe as load()'s one-shot call), so a six-hour file costs a few blocks of memory,
// not its length. The samples it returns, concatenated, are load()'s: the same values to rounding
// (tests/audio/stream_test.cpp) and the same count (ceil(n * to / from), zeros at the end where the
// resampler delivers fewer). It applies load()'s decode checks (decode_check.hpp): a file decoding to
// less than min_decoded_share of what its header declares, a truncated WAV included, is refused with
// load()'s message, at open where the header already tells, else when the end is reached.
#include <sndfile.h>
#include <soxr.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "cantus/audio/load.hpp"
#include "cantus/base/error.hpp"

namespace cantus::audio {

class stream_reader {
 public:
  // target_sr <= 0 keeps the file's rate. Throws io_error naming the file when it cannot be decoded.
  // block_frames other than decode_block_frames can decode less of a damaged MP3 than load() does.
  explicit stream_reader(const std::filesystem::path& path, double target_sr = 22050.0, std::size_t block_frames = decode_block_frames,
                         double min_decoded_share = default_min_decoded_share)
      : name_(path.string()), block_(std::max<std::size_t>(block_frames, 256)), min_share_(min_decoded_share) {
    if (!(min_share_ >= 0.0 && min_share_ <= 1.0))
      throw_value_error("cantus::audio::stream_reader: min_decoded_share must be a share from 0 to 1, got ", min_share_, " for '", name_, "'");
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) detail::throw_load_error(name_, "no such file");
    if (std::filesystem::is_directory(path, ec)) detail::throw_load_error(name_, "is a directory, not an audio file");
    if (std::isnan(target_sr) || std::isinf(target_sr))
      throw_value_error("cantus::audio::stream_reader: target_sr must be finite (<= 0 keeps the native rate), got ", target_sr);
    SF_INFO info{};
    file_.reset(sf_open(name_.c_str(), SFM_READ, &info));
    if (!file_)
      detail::throw_load_error(name_, "cannot decode: not in a format libsndfile reads (WAV, FLAC, OGG/Vorbis, Opus, MP3, ...) or corrupt (libsndfile says: ",
                               sf_strerror(nullptr), ")");
    if (info.channels <= 0 || info.samplerate <= 0)
      detail::throw_load_error(name_, "decoder reports ", info.channels, " channels at ", info.samplerate, " Hz");
    channels_ = static_cast<std::size_t>(info.channels);
    source_rate_ = info.samplerate;
    declared_ = detail::declared_frames(file_.get(), info);
    if (declared_ > info.frames) {  // a truncated file: what it can give at most is already known
      signal s;
      s.source = name_;
      detail::account_for_losses(s, info.frames, declared_, source_rate_, SF_ERR_NO_ERROR, "", min_share_);
    }
    rate_ = target_sr > 0 ? target_sr : source_rate_;
    if (rate_ != source_rate_) {
      const double ratio = rate_ / source_rate_;
      if (ratio > 256.0 || ratio < 1.0 / 256.0)
        detail::throw_load_error(name_, source_rate_, " Hz -> ", rate_, " Hz is a ratio of ", ratio, "; supported ratios are 1/256 to 256");
      const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
      const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
      const soxr_runtime_spec_t runtime = soxr_runtime_spec(1);
      soxr_error_t err = nullptr;
      soxr_.reset(soxr_create(source_rate_, rate_, 1, &err, &io, &quality, &runtime));
      if (err || !soxr_) detail::throw_load_error(name_, "libsoxr cannot resample ", source_rate_, " Hz -> ", rate_, " Hz: ", err ? err : "?");
    }
    interleaved_.resize(block_ * channels_);
    mono_.reserve(block_);
  }

  const std::string& source() const { return name_; }
  double sample_rate() const { return rate_; }         // of what read() returns
  double source_rate() const { return source_rate_; }  // of the file
  std::uint64_t decoded() const { return decoded_; }   // source samples decoded so far
  bool done() const { return finished_ && pending_.empty(); }
  // What decoding lost (as signal::decode_loss), known once the end was reached.
  const std::string& decode_loss() const { return loss_.decode_loss; }

  // Decodes the rest of the file without resampling or keeping it, for the end-of-file checks: a
  // caller keeping only the start of a file still learns whether the file is whole.
  void skip_rest() {
    while (!finished_) {
      const sf_count_t got = sf_readf_float(file_.get(), interleaved_.data(), static_cast<sf_count_t>(block_));
      if (got <= 0) {
        at_end();
        finished_ = true;
      } else {
        decoded_ += static_cast<std::uint64_t>(got);
      }
    }
    pending_.clear(), pos_ = 0;
  }

  // Appends up to n samples to out; returns how many (0 only at the end of the file).
  std::size_t read(std::vector<float>& out, std::size_t n) {
    std::size_t given = 0;
    while (given < n) {
      while (pending_.empty() && !finished_) fill();  // the resampler may hold a first block back
      if (pending_.empty()) break;
      const std::size_t k = std::min(n - given, pending_.size() - pos_);
      out.insert(out.end(), pending_.begin() + static_cast<std::ptrdiff_t>(pos_), pending_.begin() + static_cast<std::ptrdiff_t>(pos_ + k));
      pos_ += k, given += k;
      if (pos_ == pending_.size()) pending_.clear(), pos_ = 0;
    }
    return given;
  }

 private:
  struct sf_closer {
    void operator()(SNDFILE* f) const noexcept { sf_close(f); }
  };
  struct soxr_closer {
    void operator()(soxr_t s) const noexcept { soxr_delete(s); }
  };

  // Decodes one block into pending_ (resampled), or at the end flushes the resampler and pads.
  void fill() {
    const sf_count_t got = sf_readf_float(file_.get(), interleaved_.data(), static_cast<sf_count_t>(block_));
    mono_.clear();
    if (got > 0) {
      const auto frames = static_cast<std::size_t>(got);
      mono_.resize(frames);
      for (std::size_t i = 0; i < frames; ++i) {
        float s = 0;
        if (channels_ == 1) s = interleaved_[i];
        else if (channels_ == 2) s = (interleaved_[2 * i] + interleaved_[2 * i + 1]) * 0.5f;
        else {
          for (std::size_t c = 0; c < channels_; ++c) s += interleaved_[i * channels_ + c];
          s *= 1.0f / static_cast<float>(channels_);
        }
        if (!(std::fabs(s) <= std::numeric_limits<float>::max())) detail::throw_load_error(name_, "decoded samples contain NaN or infinity");
        mono_[i] = s;
      }
      decoded_ += frames;
    } else {
      at_end();
    }
    if (!soxr_) {
      pending_.assign(mono_.begin(), mono_.end());
      if (got <= 0) finished_ = true;
      return;
    }
    const double ratio = rate_ / source_rate_;
    if (got > 0) {
      pending_.resize(static_cast<std::size_t>(std::ceil(static_cast<double>(mono_.size()) * ratio)) + 64);
      std::size_t idone = 0, odone = 0;
      const soxr_error_t err = soxr_process(soxr_.get(), mono_.data(), mono_.size(), &idone, pending_.data(), pending_.size(), &odone);
      if (err) detail::throw_load_error(name_, "libsoxr failed: ", err);
      pending_.resize(odone);
      emitted_ += odone;
      return;
    }
    // End of input: drain the resampler, then pad or cut to ceil(n * ratio) as load() does.
    const auto total = static_cast<std::uint64_t>(std::ceil(static_cast<double>(decoded_) * ratio));
    std::vector<float> tail(4096);
    for (;;) {
      std::size_t odone = 0;
      const soxr_error_t err = soxr_process(soxr_.get(), nullptr, 0, nullptr, tail.data(), tail.size(), &odone);
      if (err) detail::throw_load_error(name_, "libsoxr failed: ", err);
      if (odone == 0) break;
      pending_.insert(pending_.end(), tail.begin(), tail.begin() + static_cast<std::ptrdiff_t>(odone));
    }
    const std::uint64_t have = emitted_ + pending_.size();
    if (have > total) pending_.resize(pending_.size() - static_cast<std::size_t>(std::min<std::uint64_t>(have - total, pending_.size())));
    else pending_.resize(pending_.size() + static_cast<std::size_t>(total - have), 0.0f);
    emitted_ = total;
    finished_ = true;
  }

  // The end of the file: nothing decoded, or less than its header declares, is refused as load() does.
  void at_end() {
    if (decoded_ == 0) detail::throw_load_error(name_, "holds no audio samples (zero-length)");
    loss_.source = name_;
    detail::account_for_losses(loss_, static_cast<std::int64_t>(decoded_), declared_, source_rate_, sf_error(file_.get()),
                               sf_strerror(file_.get()), min_share_);
  }

  std::string name_;
  std::size_t block_, channels_ = 1;
  double min_share_ = default_min_decoded_share;
  std::int64_t declared_ = -1;
  signal loss_;  // its decode_loss, once the end was reached
  double source_rate_ = 0, rate_ = 0;
  std::unique_ptr<SNDFILE, sf_closer> file_;
  std::unique_ptr<std::remove_pointer_t<soxr_t>, soxr_closer> soxr_;
  std::vector<float> interleaved_, mono_, pending_;
  std::size_t pos_ = 0;
  std::uint64_t decoded_ = 0, emitted_ = 0;
  bool finished_ = false;
};

}  // namespace cantus::audio
