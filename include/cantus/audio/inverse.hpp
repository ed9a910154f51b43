#pragma once
// From a mel spectrogram back to audio, as librosa.feature.inverse.mel_to_audio does it: the linear
// power spectrum by non-negative least squares against the mel filter bank (mel_to_stft), then a
// phase by fast Griffin-Lim (griffin_lim: Perraudin et al.'s momentum, librosa's default 0.99), over
// the STFT / inverse STFT of librosa's conventions (centred frames padded with zeros, a periodic Hann
// window, overlap-add divided by the summed squared window). spectral_convergence() measures the
// result: || S - |STFT(y)| ||_F / || S ||_F.
//
// NNLS: librosa runs scipy's L-BFGS-B from the clipped pseudo-inverse; here accelerated projected
// gradient (FISTA) from the same start, a fixed number of steps of size 1 / ||B^T B||, so a given
// input always gives the same bits.
#include <Eigen/Dense>
#include <fftw3.h>

#include <cmath>
#include <complex>
#include <cstdint>
#include <span>
#include <vector>

#include "cantus/audio/fft.hpp"
#include "cantus/audio/filters.hpp"
#include "cantus/audio/mel.hpp"
#include "cantus/base/error.hpp"
#include "cantus/core/random.hpp"

// Separate compilation, as the classifiers (classify/common.hpp): the build tree compiles
// mel_to_stft once (audio/compiled.cpp, object library cantus_audio_objects, part of cantus::audio
// there) and defines CANTUS_AUDIO_COMPILED for everything linking cantus::audio, which then sees its
// declaration only: its pseudo-inverse (Eigen's complete orthogonal decomposition) costs about 12 s
// of compile time in every file that sees the definition, used or not. An installed cantus, and any
// consumer, keep the inline definition.
#if defined(CANTUS_AUDIO_COMPILED) && CANTUS_AUDIO_COMPILED && !defined(CANTUS_AUDIO_IMPLEMENTATION)
#define CANTUS_AUDIO_DEFINITIONS 0
#else
#define CANTUS_AUDIO_DEFINITIONS 1
#endif
#if defined(CANTUS_AUDIO_IMPLEMENTATION)
#define CANTUS_AUDIO_INLINE
#else
#define CANTUS_AUDIO_INLINE inline
#endif

namespace cantus::audio {

// A complex STFT, frame-major: value(t, k) is bin k of frame t.
struct stft_matrix {
  index_t frames = 0, bins = 0;
  std::vector<std::complex<float>> values;
  std::complex<float>& operator()(index_t t, index_t k) { return values[static_cast<std::size_t>(t * bins + k)]; }
  const std::complex<float>& operator()(index_t t, index_t k) const { return values[static_cast<std::size_t>(t * bins + k)]; }
};

// STFT and inverse STFT with the analysis settings of mel_params (n_fft, hop_length, win_length,
// center with zero padding).
class stft_transform {
 public:
  explicit stft_transform(const mel_params& p) : p_(p) {
    p_.validate();
    if (!p_.center || p_.pad != pad_mode::constant)
      throw_value_error("cantus::audio::stft_transform: only center=True with zero padding (librosa's default) is supported");
    const int n = p_.n_fft, wl = p_.effective_win_length(), left = (n - wl) / 2;
    window_.assign(static_cast<std::size_t>(n), 0.0f);
    for (int i = 0; i < wl; ++i)  // periodic Hann, as scipy's get_window('hann', wl, fftbins=True)
      window_[static_cast<std::size_t>(left + i)] = static_cast<float>(0.5 - 0.5 * std::cos(2.0 * M_PI * i / wl));
    r2c_ = r2c_plan(n);
    c2r_ = c2r_plan(n);
  }
  const mel_params& params() const { return p_; }
  index_t frames_for(index_t samples) const { return 1 + samples / p_.hop_length; }

  stft_matrix forward(std::span<const float> y) const {
    const index_t n = p_.n_fft, hop = p_.hop_length, half = n / 2, len = static_cast<index_t>(y.size());
    stft_matrix S;
    S.frames = frames_for(len);
    S.bins = n / 2 + 1;
    S.values.resize(static_cast<std::size_t>(S.frames * S.bins));
    fftw_buffer<float> in(static_cast<std::size_t>(n));
    fftw_buffer<fftwf_complex> out(static_cast<std::size_t>(S.bins));
    for (index_t t = 0; t < S.frames; ++t) {
      for (index_t i = 0; i < n; ++i) {
        const index_t at = t * hop + i - half;  // position in y of the padded frame's sample i
        in.data()[i] = at >= 0 && at < len ? y[static_cast<std::size_t>(at)] * window_[static_cast<std::size_t>(i)] : 0.0f;
      }
      fftwf_execute_dft_r2c(r2c_, in.data(), out.data());
      for (index_t k = 0; k < S.bins; ++k) S(t, k) = {out.data()[k][0], out.data()[k][1]};
    }
    return S;
  }

  // librosa.istft(S, length=length): overlap-add of the windowed inverse transforms divided by the
  // summed squared window where it is not ~0, the centre padding removed.
  std::vector<float> inverse(const stft_matrix& S, index_t length) const {
    const index_t n = p_.n_fft, hop = p_.hop_length, half = n / 2;
    if (S.bins != n / 2 + 1)
      throw_value_error("cantus::audio::stft_transform::inverse: ", S.bins, " bins, expected n_fft / 2 + 1 = ", n / 2 + 1);
    const index_t full = n + hop * (S.frames - 1);
    std::vector<double> y(static_cast<std::size_t>(full), 0.0), wss(static_cast<std::size_t>(full), 0.0);
    fftw_buffer<fftwf_complex> in(static_cast<std::size_t>(S.bins));
    fftw_buffer<float> out(static_cast<std::size_t>(n));
    for (index_t t = 0; t < S.frames; ++t) {
      for (index_t k = 0; k < S.bins; ++k) in.data()[k][0] = S(t, k).real(), in.data()[k][1] = S(t, k).imag();
      fftwf_execute_dft_c2r(c2r_, in.data(), out.data());
      for (index_t i = 0; i < n; ++i) {
        const auto w = static_cast<double>(window_[static_cast<std::size_t>(i)]);
        y[static_cast<std::size_t>(t * hop + i)] += w * out.data()[i] / static_cast<double>(n);
        wss[static_cast<std::size_t>(t * hop + i)] += w * w;
      }
    }
    std::vector<float> r(static_cast<std::size_t>(length), 0.0f);
    for (index_t i = 0; i < length && i + half < full; ++i) {
      const auto j = static_cast<std::size_t>(i + half);
      r[static_cast<std::size_t>(i)] = static_cast<float>(wss[j] > 1e-30 ? y[j] / wss[j] : y[j]);
    }
    return r;
  }

 private:
  mel_params p_;
  std::vector<float> window_;
  fftwf_plan r2c_ = nullptr, c2r_ = nullptr;
};

// librosa.feature.inverse.mel_to_stft: the magnitude spectrogram [n_bins, frames] whose power
// (p.power) projected on the mel filter bank best matches M [n_mels, frames] with non-negative
// entries; `iterations` FISTA steps from the clipped pseudo-inverse.
CANTUS_AUDIO_INLINE tensor<float, 2> mel_to_stft(const tensor<float, 2>& M, const mel_params& p, int iterations = 200);

#if CANTUS_AUDIO_DEFINITIONS
CANTUS_AUDIO_INLINE tensor<float, 2> mel_to_stft(const tensor<float, 2>& M, const mel_params& p, int iterations) {
  p.validate();
  if (M.extent(0) != p.n_mels)
    throw_value_error("cantus::audio::mel_to_stft: the mel spectrogram has ", M.extent(0), " bands, the parameters ", p.n_mels);
  if (iterations < 0) throw_value_error("cantus::audio::mel_to_stft: iterations must be >= 0, got ", iterations);
  using mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const auto fb = mel_filter_bank<float>(p.sr, p.n_fft, p.n_mels, p.fmin, p.fmax, p.htk, p.norm);
  const Eigen::Map<const mat> B(fb.data(), fb.extent(0), fb.extent(1));
  const Eigen::Map<const mat> target(M.data(), M.extent(0), M.extent(1));
  // Step size: 1 / largest eigenvalue of B^T B (= of B B^T, the smaller), by power iteration.
  const Eigen::MatrixXf G = B * B.transpose();
  Eigen::VectorXf v = Eigen::VectorXf::Ones(G.rows());
  float L = 1;
  for (int i = 0; i < 100; ++i) {
    const Eigen::VectorXf w = G * v;
    L = w.norm();
    if (!(L > 0)) throw_value_error("cantus::audio::mel_to_stft: the mel filter bank is all zeros");
    v = w / L;
  }
  mat X = Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXf>(B).pseudoInverse() * target;
  X = X.cwiseMax(0.0f);
  mat Y = X, Xn;
  double t = 1;
  for (int k = 0; k < iterations; ++k) {
    Xn = (Y - (B.transpose() * (B * Y - target)) / L).cwiseMax(0.0f);
    const double tn = (1 + std::sqrt(1 + 4 * t * t)) / 2;
    Y = Xn + static_cast<float>((t - 1) / tn) * (Xn - X);
    X.swap(Xn);
    t = tn;
  }
  tensor<float, 2> S({static_cast<index_t>(X.rows()), static_cast<index_t>(X.cols())});
  const float inv = static_cast<float>(1.0 / p.power);
  for (index_t i = 0; i < S.size(); ++i) S.data()[i] = std::pow(X.data()[i], inv);
  return S;
}
#endif  // CANTUS_AUDIO_DEFINITIONS

struct griffin_lim_options {
  int n_iter = 32;
  double momentum = 0.99;
  bool random_init = true;  // random phases (librosa's init="random"), else zero phase
  std::uint64_t seed = 0;
};

// Fast Griffin-Lim: a signal of `length` samples whose STFT magnitude approaches S [n_bins, frames].
inline std::vector<float> griffin_lim(const tensor<float, 2>& S, const stft_transform& tf, index_t length,
                                      const griffin_lim_options& o = {}) {
  const index_t bins = S.extent(0), frames = S.extent(1);
  if (bins != tf.params().n_fft / 2 + 1)
    throw_value_error("cantus::audio::griffin_lim: ", bins, " bins, expected n_fft / 2 + 1 = ", tf.params().n_fft / 2 + 1);
  if (frames != tf.frames_for(length))
    throw_value_error("cantus::audio::griffin_lim: ", frames, " frames do not cover ", length, " samples (", tf.frames_for(length),
                      " frames)");
  if (o.n_iter < 0 || !(o.momentum >= 0)) throw_value_error("cantus::audio::griffin_lim: n_iter must be >= 0 and momentum >= 0");
  stft_matrix angles{frames, bins, std::vector<std::complex<float>>(static_cast<std::size_t>(frames * bins), {1.0f, 0.0f})};
  if (o.random_init) {
    const random_stream r(o.seed, 0x6c);
    for (std::size_t i = 0; i < angles.values.size(); ++i) angles.values[i] = std::polar(1.0f, static_cast<float>(2 * M_PI * r.uniform(i)));
  }
  auto with_magnitude = [&](const stft_matrix& a) {
    stft_matrix z = a;
    for (index_t t = 0; t < frames; ++t)
      for (index_t k = 0; k < bins; ++k) z(t, k) *= S(k, t);
    return z;
  };
  stft_matrix rebuilt{frames, bins, std::vector<std::complex<float>>(angles.values.size(), {0.0f, 0.0f})};
  const auto keep = static_cast<float>(o.momentum / (1 + o.momentum));
  for (int it = 0; it < o.n_iter; ++it) {
    const stft_matrix prev = rebuilt;
    rebuilt = tf.forward(tf.inverse(with_magnitude(angles), length));
    for (std::size_t i = 0; i < angles.values.size(); ++i) {
      const std::complex<float> a = rebuilt.values[i] - keep * prev.values[i];
      angles.values[i] = a / (std::abs(a) + 1e-30f);
    }
  }
  return tf.inverse(with_magnitude(angles), length);
}

// librosa.feature.inverse.mel_to_audio: mel power [n_mels, frames] -> a signal of `length` samples
// (default: frames the hop covers, (frames - 1) * hop_length).
inline std::vector<float> mel_to_audio(const tensor<float, 2>& M, const mel_params& p, index_t length = 0,
                                       const griffin_lim_options& o = {}, int nnls_iterations = 200) {
  const stft_transform tf(p);
  if (length <= 0) length = (M.extent(1) - 1) * p.hop_length;
  return griffin_lim(mel_to_stft(M, p, nnls_iterations), tf, length, o);
}

// || S - |STFT(y)| ||_F / || S ||_F for a magnitude S [n_bins, frames].
inline double spectral_convergence(const tensor<float, 2>& S, std::span<const float> y, const stft_transform& tf) {
  const auto Y = tf.forward(y);
  if (Y.frames != S.extent(1) || Y.bins != S.extent(0))
    throw_value_error("cantus::audio::spectral_convergence: the signal's STFT is ", Y.bins, " x ", Y.frames, ", S is ", S.extent(0),
                      " x ", S.extent(1));
  double num = 0, den = 0;
  for (index_t t = 0; t < Y.frames; ++t)
    for (index_t k = 0; k < Y.bins; ++k) {
      const double s = S(k, t), d = s - std::abs(Y(t, k));
      num += d * d, den += s * s;
    }
  return den > 0 ? std::sqrt(num / den) : 0.0;
}

// |STFT(y)|, [n_bins, frames].
inline tensor<float, 2> magnitude(const stft_matrix& Y) {
  tensor<float, 2> S({Y.bins, Y.frames});
  for (index_t t = 0; t < Y.frames; ++t)
    for (index_t k = 0; k < Y.bins; ++k) S(k, t) = std::abs(Y(t, k));
  return S;
}

}  // namespace cantus::audio
