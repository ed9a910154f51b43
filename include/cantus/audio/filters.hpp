#pragma once
// librosa 0.10's mel filter bank (librosa.filters.mel), reproduced operation for operation in double
// precision: Slaney's auditory mel scale (linear below 1 kHz, logarithmic above) or HTK's formula,
// triangular filters on the FFT bin frequencies, and Slaney's area normalisation (each triangle
// scaled by 2 / its width in Hz) or none.
#include <cmath>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "cantus/base/error.hpp"
#include "cantus/core/tensor.hpp"

namespace cantus::audio {

enum class mel_norm { slaney, none };

// librosa.hz_to_mel / mel_to_hz for one value.
inline double hz_to_mel(double hz, bool htk = false) {
  if (htk) return 2595.0 * std::log10(1.0 + hz / 700.0);
  constexpr double f_sp = 200.0 / 3;
  constexpr double min_log_hz = 1000.0;
  constexpr double min_log_mel = min_log_hz / f_sp;
  const double logstep = std::log(6.4) / 27.0;
  if (hz >= min_log_hz) return min_log_mel + std::log(hz / min_log_hz) / logstep;
  return hz / f_sp;
}
inline double mel_to_hz(double mel, bool htk = false) {
  if (htk) return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
  constexpr double f_sp = 200.0 / 3;
  constexpr double min_log_hz = 1000.0;
  constexpr double min_log_mel = min_log_hz / f_sp;
  const double logstep = std::log(6.4) / 27.0;
  if (mel >= min_log_mel) return min_log_hz * std::exp(logstep * (mel - min_log_mel));
  return f_sp * mel;
}

// librosa.mel_frequencies: n points evenly spaced on the mel scale from fmin to fmax, in Hz.
// The spacing follows numpy.linspace exactly (start + i * step, last point set to stop).
inline std::vector<double> mel_frequencies(int n, double fmin, double fmax, bool htk = false) {
  std::vector<double> f(static_cast<std::size_t>(std::max(n, 0)));
  if (n <= 0) return f;
  const double lo = hz_to_mel(fmin, htk), hi = hz_to_mel(fmax, htk);
  const double step = n > 1 ? (hi - lo) / (n - 1) : 0.0;
  for (int i = 0; i < n; ++i) f[static_cast<std::size_t>(i)] = mel_to_hz(i * step + lo, htk);
  if (n > 1) f.back() = mel_to_hz(hi, htk);
  return f;
}

// librosa.fft_frequencies (numpy.fft.rfftfreq(n_fft, 1 / sr)): the centre frequency of each bin.
inline std::vector<double> fft_frequencies(double sr, int n_fft) {
  std::vector<double> f(static_cast<std::size_t>(n_fft / 2 + 1));
  const double d = 1.0 / sr;
  const double val = 1.0 / (n_fft * d);
  for (std::size_t k = 0; k < f.size(); ++k) f[k] = static_cast<double>(k) * val;
  return f;
}

// librosa.filters.mel(sr=, n_fft=, n_mels=, fmin=, fmax=, htk=, norm=, dtype=T) as [n_mels, n_fft/2+1].
// fmax <= 0 means sr / 2. With T = float the rounding follows librosa's float32 default exactly (each
// triangle rounded to float32, then scaled by the double-precision Slaney factor and rounded again).
// Checks nothing beyond what makes the arithmetic defined; mel_params::validate() judges the choice.
template <class T = float>
tensor<T, 2> mel_filter_bank(double sr, int n_fft, int n_mels = 128, double fmin = 0.0, double fmax = 0.0,
                             bool htk = false, mel_norm norm = mel_norm::slaney) {
  static_assert(std::is_floating_point_v<T>);
  if (!(sr > 0)) throw_value_error("cantus::audio::mel_filter_bank: sr must be positive, got ", sr);
  if (n_fft < 1) throw_value_error("cantus::audio::mel_filter_bank: n_fft must be positive, got ", n_fft);
  if (n_mels < 1) throw_value_error("cantus::audio::mel_filter_bank: n_mels must be positive, got ", n_mels);
  if (fmax <= 0) fmax = sr / 2;
  const int n_bins = n_fft / 2 + 1;
  const auto fftfreqs = fft_frequencies(sr, n_fft);
  const auto mel_f = mel_frequencies(n_mels + 2, fmin, fmax, htk);
  tensor<T, 2> w({n_mels, n_bins});
  for (int i = 0; i < n_mels; ++i) {
    const double fdiff_lo = mel_f[i + 1] - mel_f[i], fdiff_hi = mel_f[i + 2] - mel_f[i + 1];
    const double enorm = norm == mel_norm::slaney ? 2.0 / (mel_f[i + 2] - mel_f[i]) : 1.0;
    for (int k = 0; k < n_bins; ++k) {
      const double lower = -(mel_f[i] - fftfreqs[k]) / fdiff_lo;
      const double upper = (mel_f[i + 2] - fftfreqs[k]) / fdiff_hi;
      const T tri = static_cast<T>(std::max(0.0, std::min(lower, upper)));
      w(i, k) = norm == mel_norm::slaney ? static_cast<T>(static_cast<double>(tri) * enorm) : tri;
    }
  }
  return w;
}

}  // namespace cantus::audio
