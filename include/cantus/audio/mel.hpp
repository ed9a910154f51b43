#pragma once
// Mel spectrograms with librosa 0.10's algorithm, parameter names and defaults:
//   librosa.feature.melspectrogram(y=, sr=22050, n_fft=2048, hop_length=512, win_length=None,
//       window='hann', center=True, pad_mode='constant', power=2.0, n_mels=128, fmin=0, fmax=None,
//       htk=False, norm='slaney')  followed by  librosa.power_to_db(S, ref=1.0, amin=1e-10, top_db=80).
//
// How it is fast: one FFTW real-to-complex plan per size, executed on per-thread buffers; frames in
// parallel with OpenMP in one parallel region per call (each frame's result depends only on its
// samples, so the bits do not depend on the thread count); the mel projection touches only each
// filter's nonzero band (about two weights per FFT bin instead of n_mels); the per-frame loops and a
// vectorisable log10 are compiled for AVX2 as well as the baseline and picked at load time.
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <numbers>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "cantus/audio/fft.hpp"
#include "cantus/audio/filters.hpp"
#include "cantus/base/error.hpp"
#include "cantus/core/tensor.hpp"

namespace cantus::audio {

// How the signal is extended by n_fft/2 samples at each end when center = true: zeros (librosa >= 0.9's
// default) or a mirror image without repeating the edge sample (numpy 'reflect': librosa < 0.9's
// default, which the 2019 paper used).
enum class pad_mode { constant, reflect };

// The per-frame loops, compiled twice where GCC can (baseline and x86-64-v3: AVX2 + FMA) and
// chosen at load time by the processor (an ifunc): the library is header-only, so it cannot rely on
// the consumer's -march, and these loops are half of the log-mel's time.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && !defined(CANTUS_AUDIO_NO_CLONES)
#define CANTUS_AUDIO_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define CANTUS_AUDIO_CLONES
#endif

// One mel filter's nonzero band of FFT bins and where its weights start in a flat array.
struct mel_band {
  int first_bin;
  int length;
  std::size_t offset;
};

namespace kernels {
CANTUS_AUDIO_CLONES inline void multiply(float* CANTUS_RESTRICT y, const float* CANTUS_RESTRICT a,
                                         const float* CANTUS_RESTRICT b, int n) {
  for (int i = 0; i < n; ++i) y[i] = a[i] * b[i];
}
// |c|^2 for interleaved complex values c[2k], c[2k+1], k in [0, n).
CANTUS_AUDIO_CLONES inline void squared_magnitude(const float* CANTUS_RESTRICT c, float* CANTUS_RESTRICT p, int n) {
  for (int k = 0; k < n; ++k) p[k] = c[2 * k] * c[2 * k] + c[2 * k + 1] * c[2 * k + 1];
}
// Each filter's dot product over its band only. Bands are padded with zero weights to a multiple
// of 8 bins (the spectrum buffer has room past the last bin), so every band is whole 8-wide vector
// steps with no scalar tail; padding adds exact zeros.
inline constexpr int mel_band_step = 8;
CANTUS_AUDIO_CLONES inline void sparse_project(const float* CANTUS_RESTRICT spectrum, const float* CANTUS_RESTRICT weights,
                                               const mel_band* bands, int n_mels, float* CANTUS_RESTRICT mel) {
  for (int m = 0; m < n_mels; ++m) {
    const mel_band& bd = bands[m];
    const float* w = weights + bd.offset;
    const float* p = spectrum + bd.first_bin;
    float acc[mel_band_step] = {};
    for (int j = 0; j < bd.length; j += mel_band_step)
      for (int l = 0; l < mel_band_step; ++l) acc[l] += w[j + l] * p[j + l];
    mel[m] = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
  }
}
// 10 log10(max(amin, x)) - ref_db in place, with Cephes' single-precision log10 (a degree-9
// polynomial on the mantissa and log10(e), log10(2) split in high and low parts: within an ulp of a
// correctly rounded log10f, so 10 log10 of amin = 1e-10 gives exactly -100 as NumPy does), written so
// the compiler vectorises it: a block costs less than one libm call per value. Needs
// amin >= FLT_MIN (mel_params::validate checks it) so every argument is a normal float. Returns
// false when a value was NaN or infinite (the input held NaN/inf or overflowed); the caller reports it.
CANTUS_AUDIO_CLONES inline bool power_to_db_inplace(float* CANTUS_RESTRICT x, std::size_t n, float amin, float ref_db) {
  int bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const float v0 = x[i];
    bad |= (v0 != v0) | (v0 > std::numeric_limits<float>::max());
    const float v = v0 < amin ? amin : v0;
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(v);
    const std::int32_t exponent = static_cast<std::int32_t>(bits >> 23) - 126;  // v = m 2^exponent, m in [0.5, 1)
    const float m = std::bit_cast<float>((bits & 0x007fffffu) | 0x3f000000u);
    const std::int32_t low = m < 0.707106781186547524f;  // then use 2m in [0.707, 1.414) and exponent - 1
    const float e = static_cast<float>(exponent - low);
    const float t = m + (low ? m : 0.0f) - 1.0f;
    const float z = t * t;
    float y = 7.0376836292e-2f;
    y = y * t - 1.1514610310e-1f;
    y = y * t + 1.1676998740e-1f;
    y = y * t - 1.2420140846e-1f;
    y = y * t + 1.4249322787e-1f;
    y = y * t - 1.6668057665e-1f;
    y = y * t + 2.0000714765e-1f;
    y = y * t - 2.4999993993e-1f;
    y = y * t + 3.3333331174e-1f;
    y = y * t * z;
    y -= 0.5f * z;  // y = log(1 + t) - t
    float r = y * 7.00731903251827651129e-4f;  // log10(e) = 4.3359375e-1 + 7.0073190e-4
    r += t * 7.00731903251827651129e-4f;
    r += e * 2.48745663981195213739e-4f;  // log10(2) = 3.0078125e-1 + 2.4874566e-4
    r += y * 4.3359375e-1f;
    r += t * 4.3359375e-1f;
    r += e * 3.0078125e-1f;
    x[i] = 10.0f * r - ref_db;
  }
  return bad == 0;
}
// False when a value is NaN or infinite.
CANTUS_AUDIO_CLONES inline bool all_finite(const float* CANTUS_RESTRICT x, std::size_t n) {
  int bad = 0;
  for (std::size_t i = 0; i < n; ++i) bad |= (x[i] != x[i]) | (std::fabs(x[i]) > std::numeric_limits<float>::max());
  return bad == 0;
}
}  // namespace kernels

struct mel_params {
  double sr = 22050;
  int n_fft = 2048;
  int hop_length = 512;
  int win_length = 0;  // 0 = n_fft; a shorter periodic Hann window is centred in the n_fft frame
  bool center = true;
  pad_mode pad = pad_mode::constant;
  double power = 2.0;  // 2 = power, 1 = magnitude
  int n_mels = 128;
  double fmin = 0;
  double fmax = 0;  // 0 = sr / 2
  bool htk = false;
  mel_norm norm = mel_norm::slaney;
  // power_to_db
  double ref = 1.0;
  bool ref_max = false;  // librosa's ref=np.max: dB relative to the loudest value (0 dB there); ref unused
  double amin = 1e-10;
  double top_db = 80;  // < 0 = no clipping (librosa's top_db=None)

  int effective_win_length() const { return win_length > 0 ? win_length : n_fft; }
  double effective_fmax() const { return fmax > 0 ? fmax : sr / 2; }
  int n_bins() const { return n_fft / 2 + 1; }

  // Throws value_error naming the parameter, its value and the valid range.
  void validate() const {
    const auto bad = [](const auto&... parts) { throw_value_error("cantus::audio::mel_params: ", parts...); };
    if (!(sr > 0) || !std::isfinite(sr)) bad("sr must be a positive sample rate in Hz, got ", sr);
    if (n_fft < 2) bad("n_fft must be at least 2, got ", n_fft);
    if (n_fft > (1 << 24)) bad("n_fft (", n_fft, ") is absurdly large (> 2^24 samples per frame)");
    if (hop_length < 1) bad("hop_length must be positive, got ", hop_length);
    if (hop_length > n_fft)
      bad("hop_length (", hop_length, ") exceeds n_fft (", n_fft, "): frames would skip samples; use n_fft >= hop_length");
    if (win_length < 0 || win_length > n_fft) bad("win_length must be in [1, n_fft=", n_fft, "] (0 = n_fft), got ", win_length);
    if (!(power > 0) || !std::isfinite(power)) bad("power must be positive (2 = power, 1 = magnitude), got ", power);
    if (n_mels < 1) bad("n_mels must be positive, got ", n_mels);
    if (n_mels > n_bins())
      bad("n_mels (", n_mels, ") exceeds the n_fft/2+1 = ", n_bins(), " FFT bins of n_fft=", n_fft,
          ": most mel filters would be empty");
    if (!(fmin >= 0) || !std::isfinite(fmin)) bad("fmin must be >= 0 Hz, got ", fmin);
    if (fmax < 0 || !std::isfinite(fmax)) bad("fmax must be > 0 Hz (0 = sr/2), got ", fmax);
    if (effective_fmax() > sr / 2) bad("fmax (", fmax, " Hz) exceeds the Nyquist frequency sr/2 = ", sr / 2, " Hz");
    if (fmin >= effective_fmax()) bad("fmin (", fmin, " Hz) must be below fmax (", effective_fmax(), " Hz)");
    if (!(ref > 0) || !std::isfinite(ref)) bad("ref must be a positive finite power, got ", ref);
    if (!(amin >= std::numeric_limits<float>::min()) || !std::isfinite(amin))
      bad("amin must be a positive normal float (>= ", std::numeric_limits<float>::min(), "), got ", amin);
    if (std::isnan(top_db)) bad("top_db must be a number (< 0 turns clipping off), got NaN");
  }
};

// A reusable mel spectrogram transform: window, sparse filter bank and FFT plan are made once.
// Thread-safe: const member functions may run concurrently (each call uses its own buffers).
class mel_spectrogram {
 public:
  explicit mel_spectrogram(mel_params p = {}) : p_(std::move(p)) {
    p_.validate();
    make_window();
    make_filters();
    plan_ = r2c_plan(p_.n_fft);
  }

  const mel_params& params() const { return p_; }

  // Frames of a signal of n samples: 1 + n / hop with center padding, else 1 + (n - n_fft) / hop.
  index_t frame_count(index_t n) const {
    if (p_.center) return 1 + n / p_.hop_length;
    return n >= p_.n_fft ? 1 + (n - p_.n_fft) / p_.hop_length : 0;
  }

  // Mel power (|STFT|^power projected on the filter bank), [n_mels, frames].
  tensor<float, 2> power(std::span<const float> samples) const { return compute(samples, output::mel_power); }
  // power_to_db of the above: 10 log10(max(amin, S)) - 10 log10(max(amin, ref)) (ref_max: minus the
  // largest such value), floored at max - top_db.
  tensor<float, 2> log(std::span<const float> samples) const { return compute(samples, output::mel_db); }
  // The linear-frequency |STFT|^power before the mel projection, [n_fft/2+1, frames]
  // (librosa's np.abs(librosa.stft(y, ...))**power).
  tensor<float, 2> spectrogram(std::span<const float> samples) const { return compute(samples, output::linear_power); }

  // The filter bank as librosa.filters.mel returns it (float32), [n_mels, n_fft/2+1].
  tensor<float, 2> filter_bank() const {
    return mel_filter_bank<float>(p_.sr, p_.n_fft, p_.n_mels, p_.fmin, p_.effective_fmax(), p_.htk, p_.norm);
  }
  // The periodic Hann window (zero-padded to n_fft when win_length < n_fft).
  const std::vector<float>& window() const { return window_; }

 private:
  void make_window() {
    // scipy.signal.get_window('hann', win_length, fftbins=True), computed in double, centred in n_fft.
    const int wl = p_.effective_win_length();
    window_.assign(static_cast<std::size_t>(p_.n_fft), 0.0f);
    const int left = (p_.n_fft - wl) / 2;
    for (int n = 0; n < wl; ++n)
      window_[static_cast<std::size_t>(left + n)] =
          static_cast<float>(0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * n / wl));
  }

  void make_filters() {
    const auto fb = filter_bank();
    const int n_bins = p_.n_bins();
    bands_.clear();
    weights_.clear();
    std::vector<int> empty;
    for (int m = 0; m < p_.n_mels; ++m) {
      int lo = 0, hi = n_bins;
      while (lo < n_bins && fb(m, lo) == 0.0f) ++lo;
      while (hi > lo && fb(m, hi - 1) == 0.0f) --hi;
      if (lo == hi) empty.push_back(m);
      const int padded = (hi - lo + kernels::mel_band_step - 1) / kernels::mel_band_step * kernels::mel_band_step;
      bands_.push_back({lo, padded, weights_.size()});
      for (int k = lo; k < lo + padded; ++k) weights_.push_back(k < hi ? fb(m, k) : 0.0f);
    }
    if (!empty.empty()) {
      // librosa warns the same way ("Empty filters detected in mel frequency basis").
      std::cerr << "cantus::audio::mel_spectrogram: warning: " << empty.size() << " of " << p_.n_mels
                << " mel filters are empty (first: band " << empty.front() << "): n_mels=" << p_.n_mels
                << " is too high for n_fft=" << p_.n_fft << " at sr=" << p_.sr
                << "; those bands will be constant (amin)\n";
    }
  }

  // The sample at (possibly out-of-range) index i of the center-padded signal.
  float padded_sample(std::span<const float> x, index_t i) const {
    const auto n = static_cast<index_t>(x.size());
    if (i >= 0 && i < n) return x[static_cast<std::size_t>(i)];
    if (p_.pad == pad_mode::constant || n == 1) return p_.pad == pad_mode::constant ? 0.0f : x[0];
    // numpy.pad(mode='reflect') applied repeatedly folds with period 2 (n - 1).
    const index_t period = 2 * (n - 1);
    index_t j = i % period;
    if (j < 0) j += period;
    if (j >= n) j = period - j;
    return x[static_cast<std::size_t>(j)];
  }

  void check_input(std::span<const float> x) const {
    if (x.empty()) throw_value_error("cantus::audio::mel_spectrogram: the signal holds no samples");
    if (!p_.center && static_cast<index_t>(x.size()) < p_.n_fft)
      throw_value_error("cantus::audio::mel_spectrogram: with center=false the signal needs at least n_fft=", p_.n_fft,
                        " samples, got ", x.size());
    if (p_.center && p_.pad == pad_mode::reflect && x.size() < 2)
      throw_value_error("cantus::audio::mel_spectrogram: pad_mode reflect needs at least 2 samples, got ", x.size());
  }

  enum class output { mel_power, mel_db, linear_power };

  tensor<float, 2> compute(std::span<const float> x, output what) const {
    const bool to_db = what == output::mel_db, linear = what == output::linear_power;
    check_input(x);
    const index_t frames = frame_count(static_cast<index_t>(x.size()));
    const int n_fft = p_.n_fft, n_bins = p_.n_bins(), n_mels = p_.n_mels;
    const int rows = linear ? n_bins : n_mels;
    tensor<float, 2> out({rows, frames});
    constexpr index_t block = 16;  // frames per task: a [block, n_mels] buffer transposed into `out`
    const index_t blocks = (frames + block - 1) / block;
    const index_t offset = p_.center ? n_fft / 2 : 0;
    const auto n = static_cast<index_t>(x.size());
    const float amin = static_cast<float>(p_.amin);
    const float ref_db = p_.ref_max ? 0.0f : static_cast<float>(10.0 * std::log10(std::max(p_.amin, p_.ref)));
    const bool power2 = p_.power == 2.0, power1 = p_.power == 1.0;
    const float half_power = static_cast<float>(p_.power / 2);
    float* const dst = out.data();
    std::atomic<index_t> first_bad_frame{frames};
    float top = -std::numeric_limits<float>::infinity();  // the largest output value (for top_db)

#pragma omp parallel if (blocks > 1)
    {
      fftw_buffer<float> frame(static_cast<std::size_t>(n_fft));
      fftw_buffer<fftwf_complex> spectrum(static_cast<std::size_t>(n_bins));
      // Zeros past the last bin: padded bands read up to mel_band_step - 1 values beyond it.
      std::vector<float> pw(static_cast<std::size_t>(n_bins + kernels::mel_band_step), 0.0f);
      std::vector<float> local(static_cast<std::size_t>(block * rows));
#pragma omp for schedule(dynamic) reduction(max : top)
      for (index_t b = 0; b < blocks; ++b) {
        const index_t t0 = b * block, t1 = std::min(frames, t0 + block);
        for (index_t t = t0; t < t1; ++t) {
          const index_t start = t * p_.hop_length - offset;
          float* in = frame.data();
          const float* w = window_.data();
          if (start >= 0 && start + n_fft <= n) {
            kernels::multiply(in, x.data() + start, w, n_fft);
          } else {
            for (int i = 0; i < n_fft; ++i) in[i] = padded_sample(x, start + i) * w[i];
          }
          fftwf_execute_dft_r2c(plan_, in, spectrum.data());
          const fftwf_complex* c = spectrum.data();
          float* p = pw.data();
          if (power2) {
            kernels::squared_magnitude(&c[0][0], p, n_bins);
          } else if (power1) {
            for (int k = 0; k < n_bins; ++k) p[k] = std::sqrt(c[k][0] * c[k][0] + c[k][1] * c[k][1]);
          } else {
            for (int k = 0; k < n_bins; ++k) p[k] = std::pow(c[k][0] * c[k][0] + c[k][1] * c[k][1], half_power);
          }
          if (linear)
            std::copy_n(p, n_bins, local.data() + (t - t0) * rows);
          else
            kernels::sparse_project(p, weights_.data(), bands_.data(), n_mels, local.data() + (t - t0) * rows);
        }
        const index_t count = (t1 - t0) * rows;
        const bool finite = to_db ? kernels::power_to_db_inplace(local.data(), static_cast<std::size_t>(count), amin, ref_db)
                                  : kernels::all_finite(local.data(), static_cast<std::size_t>(count));
        for (index_t i = 0; i < count; ++i) top = local[static_cast<std::size_t>(i)] > top ? local[static_cast<std::size_t>(i)] : top;
        if (!finite) {
          index_t seen = first_bad_frame.load();  // keep the smallest, whichever thread gets there first
          while (t0 < seen && !first_bad_frame.compare_exchange_weak(seen, t0)) {
          }
        }
        for (index_t t = t0; t < t1; ++t)
          for (int r = 0; r < rows; ++r) dst[r * frames + t] = local[static_cast<std::size_t>((t - t0) * rows + r)];
      }
      // ref_max subtracts the maximum; top_db floors everything at the maximum minus top_db. The
      // maximum is exact (independent of the thread count); same parallel region, one fork/join.
      if (to_db && (p_.top_db >= 0 || p_.ref_max)) {
        const float shift = p_.ref_max ? top : 0.0f;
        const float floor =
            p_.top_db >= 0 ? (top - shift) - static_cast<float>(p_.top_db) : -std::numeric_limits<float>::infinity();
#pragma omp for schedule(static)
        for (int r = 0; r < rows; ++r) {
          float* o = dst + static_cast<index_t>(r) * frames;
          for (index_t i = 0; i < frames; ++i) {
            const float v = o[i] - shift;
            o[i] = v < floor ? floor : v;
          }
        }
      }
    }
    if (const index_t bad = first_bad_frame.load(); bad < frames)
      throw_value_error("cantus::audio::mel_spectrogram: NaN or infinite values from frames ", bad, " to ",
                        std::min(frames, bad + block) - 1, " (around sample ", bad * p_.hop_length,
                        "): the signal holds NaN/inf samples or values so large their power overflows");
    return out;
  }

  mel_params p_;
  std::vector<float> window_;
  std::vector<mel_band> bands_;
  std::vector<float> weights_;
  fftwf_plan plan_ = nullptr;
};

// librosa.power_to_db(librosa.feature.melspectrogram(y=samples, ...)) in one call: [n_mels, frames].
inline tensor<float, 2> log_mel(std::span<const float> samples, const mel_params& p = {}) {
  return mel_spectrogram(p).log(samples);
}

}  // namespace cantus::audio
