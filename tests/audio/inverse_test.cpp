// Mel spectrogram -> audio (cantus/audio/inverse.hpp) and WAV writing (cantus/audio/save.hpp).
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <numbers>
#include <vector>

#include "cantus/audio.hpp"
#include "cantus/audio/inverse.hpp"
#include "cantus/audio/save.hpp"
#include "cantus/core/random.hpp"
#include "cantus_test.hpp"

using namespace cantus;
using namespace cantus::audio;

namespace {
// A rising chirp over a little noise: energy in many bins, moving in time.
std::vector<float> chirp(index_t n, double sr = 22050) {
  std::vector<float> x(static_cast<std::size_t>(n));
  const random_stream r(5, 1);
  for (index_t i = 0; i < n; ++i) {
    const double t = double(i) / sr, f = 200 + 1800 * t;
    x[static_cast<std::size_t>(i)] = static_cast<float>(0.5 * std::sin(2 * std::numbers::pi * f * t) + 0.01 * (r.uniform(std::uint64_t(i)) - 0.5));
  }
  return x;
}
mel_params small() {
  mel_params p;
  p.n_fft = 512;
  p.hop_length = 128;
  p.n_mels = 64;
  return p;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(mel_inversion)

BOOST_AUTO_TEST_CASE(inverse_stft_gives_the_signal_back) {
  const auto x = chirp(5001);
  const stft_transform tf(small());
  const auto S = tf.forward(x);
  BOOST_TEST(S.frames == 1 + 5001 / 128);
  BOOST_TEST(S.bins == 257);
  const auto y = tf.inverse(S, 5001);
  double worst = 0;
  for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, double(std::abs(x[i] - y[i])));
  BOOST_TEST(worst < 1e-5);
}

BOOST_AUTO_TEST_CASE(stft_power_through_the_filter_bank_is_the_mel_spectrogram) {
  // ties the STFT here to mel_spectrogram, which matches librosa's goldens (mel_test.cpp)
  const auto p = small();
  const auto x = chirp(4000);
  const auto mel = mel_spectrogram(p).power(x);
  const auto S = magnitude(stft_transform(p).forward(x));
  const auto fb = mel_filter_bank<float>(p.sr, p.n_fft, p.n_mels);
  double scale = 0, worst = 0;
  for (index_t t = 0; t < mel.extent(1); ++t)
    for (index_t m = 0; m < p.n_mels; ++m) {
      double v = 0;
      for (index_t k = 0; k < S.extent(0); ++k) v += double(fb(m, k)) * S(k, t) * S(k, t);
      scale = std::max(scale, double(mel(m, t)));
      worst = std::max(worst, std::abs(v - mel(m, t)));
    }
  BOOST_TEST(worst / scale < 1e-4);
}

BOOST_AUTO_TEST_CASE(nnls_recovers_a_spectrum_that_fits_the_mel_bands) {
  const auto p = small();
  const auto x = chirp(8000);
  const auto M = mel_spectrogram(p).power(x);
  const auto fb = mel_filter_bank<float>(p.sr, p.n_fft, p.n_mels);
  auto fit = [&](const tensor<float, 2>& S) {  // || B S^2 - M || / || M ||
    double num = 0, den = 0;
    for (index_t t = 0; t < M.extent(1); ++t)
      for (index_t m = 0; m < p.n_mels; ++m) {
        double v = 0;
        for (index_t k = 0; k < S.extent(0); ++k) v += double(fb(m, k)) * S(k, t) * S(k, t);
        num += (v - M(m, t)) * (v - M(m, t)), den += double(M(m, t)) * M(m, t);
      }
    return std::sqrt(num / den);
  };
  const auto start = mel_to_stft(M, p, 0), S = mel_to_stft(M, p, 200);
  BOOST_TEST(S.extent(0) == 257);
  BOOST_TEST(S.extent(1) == M.extent(1));
  for (index_t i = 0; i < S.size(); ++i) BOOST_TEST_REQUIRE(S.data()[i] >= 0.0f);
  BOOST_TEST_MESSAGE("mel fit: clipped pseudo-inverse " << fit(start) << ", 200 FISTA steps " << fit(S));
  BOOST_TEST(fit(S) < 1e-3);
  BOOST_TEST(fit(S) < 0.5 * fit(start), "FISTA " << fit(S) << " vs clipped pseudo-inverse " << fit(start));
  BOOST_CHECK_THROW(mel_to_stft(tensor<float, 2>({10, 4}), p), value_error);
}

BOOST_AUTO_TEST_CASE(griffin_lim_finds_a_phase_and_is_deterministic) {
  const auto p = small();
  const auto x = chirp(11025);
  const stft_transform tf(p);
  const auto S = magnitude(tf.forward(x));
  const auto y2 = griffin_lim(S, tf, 11025, {.n_iter = 2});
  const auto y = griffin_lim(S, tf, 11025, {.n_iter = 32});
  const double sc2 = spectral_convergence(S, y2, tf), sc = spectral_convergence(S, y, tf);
  BOOST_TEST_MESSAGE("spectral convergence: 2 iterations " << sc2 << ", 32 iterations " << sc);
  BOOST_TEST(sc < 0.1, "spectral convergence after 32 iterations: " << sc);
  BOOST_TEST(sc < sc2);
  BOOST_TEST((griffin_lim(S, tf, 11025, {.n_iter = 32}) == y));
  BOOST_CHECK_THROW(griffin_lim(S, tf, 20000), value_error);  // frames do not cover that length
  // the whole way from mel power, against the true magnitude
  const auto z = mel_to_audio(mel_spectrogram(p).power(x), p, 11025);
  BOOST_TEST(z.size() == 11025u);
  BOOST_TEST_MESSAGE("mel_to_audio: spectral convergence " << spectral_convergence(S, z, tf));
  BOOST_TEST(spectral_convergence(S, z, tf) < 0.2);
}

BOOST_AUTO_TEST_CASE(wav_round_trip) {
  const auto dir = testing::scratch_dir("wav");
  const auto x = chirp(3000);
  BOOST_TEST(write_wav(dir / "a.wav", x, 22050) == 1.0);
  const auto back = cantus::audio::load(dir / "a.wav", 0);
  BOOST_TEST(back.sample_rate == 22050);
  BOOST_REQUIRE_EQUAL(back.samples.size(), x.size());
  for (std::size_t i = 0; i < x.size(); ++i) BOOST_TEST_REQUIRE(std::abs(back.samples[i] - x[i]) <= 1.0f / 32768);
  std::vector<float> loud(100, 2.0f);
  BOOST_TEST(write_wav(dir / "b.wav", loud, 8000) == 0.99 / 2.0, boost::test_tools::tolerance(1e-12));
  BOOST_CHECK_THROW(write_wav(dir / "c.wav", std::vector<float>{0.f, NAN}, 8000), value_error);
  BOOST_CHECK_THROW(write_wav(dir / "no-such-dir" / "d.wav", x, 22050), io_error);
}

BOOST_AUTO_TEST_SUITE_END()
