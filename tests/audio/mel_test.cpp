// Spectrograms: librosa goldens (shared clips and small committed references), the filter bank's
// properties, the STFT against a naive DFT, power_to_db, determinism and bad parameters.
#include <omp.h>

#include <cmath>
#include <complex>
#include <cstdint>
#include <numbers>
#include <string>
#include <vector>

#include "cantus/audio.hpp"
#include "cantus/core/npy.hpp"
#include "cantus/core/random.hpp"
#include "cantus_test.hpp"

namespace ca = cantus::audio;
using cantus::index_t;

namespace {

const std::filesystem::path golden_dir = std::filesystem::path(CANTUS_SOURCE_DIR) / "tests" / "audio" / "golden";

template <class T>
double max_abs_diff(const cantus::tensor<T, 2>& a, const cantus::tensor<T, 2>& b) {
  BOOST_REQUIRE(a.shape() == b.shape());
  double d = 0;
  for (index_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(double(a.data()[i]) - double(b.data()[i])));
  return d;
}

// The signal make_librosa_goldens.py builds from integer arithmetic (same float32 bits).
std::vector<float> reference_signal(int n = 16000) {
  std::vector<float> y(static_cast<std::size_t>(n));
  std::uint64_t lcg = 12345, phase = 0;
  for (int i = 0; i < n; ++i) {
    lcg = (1103515245ull * lcg + 12345ull) % (1ull << 31);
    const auto k = static_cast<std::int64_t>((lcg >> 16) % 2001) - 1000;
    phase = (phase + 26843545ull + 4000ull * static_cast<std::uint64_t>(i)) % (1ull << 32);
    const auto u = static_cast<std::int64_t>(phase >> 16);
    const std::int64_t tri = (u < 32768 ? u : 65535 - u) - 16384;
    y[static_cast<std::size_t>(i)] = static_cast<float>(tri) / 32768.0f + static_cast<float>(k) / 262144.0f;
  }
  std::fill(y.begin() + 8000, y.begin() + 10000, 0.0f);
  return y;
}

std::vector<float> noise(std::size_t n, std::uint64_t seed, float scale = 0.3f) {
  cantus::random_stream rs(seed, 0);
  std::vector<float> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = scale * static_cast<float>(rs.normal(i));
  return y;
}

// |DFT|^power of each frame in double, straight from the definitions (numpy-style padding).
std::vector<std::vector<double>> naive_power_spectrogram(const std::vector<float>& x, const ca::mel_params& p) {
  const int n_fft = p.n_fft, wl = p.effective_win_length();
  std::vector<double> w(static_cast<std::size_t>(n_fft), 0.0);
  for (int i = 0; i < wl; ++i)
    w[static_cast<std::size_t>((n_fft - wl) / 2 + i)] = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * i / wl);
  const auto n = static_cast<long>(x.size());
  const auto sample = [&](long i) -> double {
    if (i >= 0 && i < n) return x[static_cast<std::size_t>(i)];
    if (p.pad == ca::pad_mode::constant) return 0.0;
    while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;  // numpy 'reflect', repeatedly
    return x[static_cast<std::size_t>(i)];
  };
  const long offset = p.center ? n_fft / 2 : 0;
  const long frames = p.center ? 1 + n / p.hop_length : 1 + (n - n_fft) / p.hop_length;
  std::vector<std::vector<double>> S(static_cast<std::size_t>(frames));
  for (long t = 0; t < frames; ++t) {
    auto& col = S[static_cast<std::size_t>(t)];
    col.resize(static_cast<std::size_t>(n_fft / 2 + 1));
    for (int k = 0; k <= n_fft / 2; ++k) {
      std::complex<double> acc = 0;
      for (int i = 0; i < n_fft; ++i)
        acc += sample(t * p.hop_length - offset + i) * w[static_cast<std::size_t>(i)] *
               std::polar(1.0, -2 * std::numbers::pi * k * i / n_fft);
      col[static_cast<std::size_t>(k)] = std::pow(std::abs(acc), p.power);
    }
  }
  return S;
}

bool message_contains(const cantus::error& e, const std::string& what) {
  return std::string(e.what()).find(what) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mel)

BOOST_AUTO_TEST_CASE(matches_librosa_golden_log_mel_of_shared_clips) {
  CANTUS_REQUIRE_SHARED_DATA();
  const auto data = cantus::testing::shared_data();
  for (const std::string clip : {"blues.00000", "metal.00003"}) {
    const auto sig = ca::load(data / "gtzan-mini" / clip.substr(0, clip.find('.')) / (clip + ".wav"), 0);
    BOOST_TEST(sig.sample_rate == 22050.0);
    const auto golden = cantus::npy::load<float, 2>(data / "golden" / (clip + ".logmel.npy"));
    const auto ours = ca::log_mel(sig.samples);
    BOOST_TEST_REQUIRE(ours.extent(0) == golden.extent(0));
    BOOST_TEST_REQUIRE(ours.extent(1) == golden.extent(1));
    const double d = max_abs_diff(ours, golden);
    std::printf("%s: max |cantus - librosa| = %.3g dB over %lld values\n", clip.c_str(), d,
                static_cast<long long>(ours.size()));
    BOOST_TEST(d <= 1e-3);
  }
}

BOOST_AUTO_TEST_CASE(matches_librosa_with_reflect_padding_short_window_power1_htk_no_norm) {
  ca::mel_params p;
  p.sr = 16000;
  p.n_fft = 512;
  p.hop_length = 160;
  p.win_length = 400;
  p.pad = ca::pad_mode::reflect;
  p.power = 1.0;
  p.n_mels = 40;
  p.fmin = 20;
  p.fmax = 7600;
  p.htk = true;
  p.norm = ca::mel_norm::none;
  const auto golden = cantus::npy::load<float, 2>(
      golden_dir / "logmel_sr16000_nfft512_hop160_win400_reflect_power1_nmels40_fmin20_fmax7600_htk_nonorm.npy");
  const auto ours = ca::log_mel(reference_signal(), p);
  BOOST_TEST_REQUIRE(ours.extent(0) == 40);
  BOOST_TEST_REQUIRE(ours.extent(1) == golden.extent(1));
  const double d = max_abs_diff(ours, golden);
  std::printf("reflect/win400/power1/htk/no-norm: max |cantus - librosa| = %.3g dB\n", d);
  BOOST_TEST(d <= 1e-3);
}

BOOST_AUTO_TEST_CASE(filter_banks_match_librosa) {
  {
    const auto golden = cantus::npy::load<float, 2>(golden_dir / "mel_fb_sr22050_nfft512_nmels40_slaney_f32.npy");
    const auto ours = ca::mel_filter_bank<float>(22050, 512, 40);
    // The same operations in the same order: the same bits on this machine; one float ulp of slack
    // for libm builds whose exp/log differ in a last bit (glibc picks FMA variants by CPU).
    float top = 0;
    for (cantus::index_t i = 0; i < golden.size(); ++i) top = std::max(top, golden.data()[i]);
    BOOST_TEST(max_abs_diff(ours, golden) <= 1.2e-7 * top);
  }
  {
    const auto golden =
        cantus::npy::load<float, 2>(golden_dir / "mel_fb_sr16000_nfft400_nmels32_fmin50_fmax7000_htk_nonorm_f32.npy");
    const auto ours = ca::mel_filter_bank<float>(16000, 400, 32, 50, 7000, true, ca::mel_norm::none);
    BOOST_TEST(max_abs_diff(ours, golden) <= 1e-7);
  }
  {
    const auto golden =
        cantus::npy::load<double, 2>(golden_dir / "mel_fb_sr44100_nfft256_nmels24_fmin30_fmax16000_slaney_f64.npy");
    const auto ours = ca::mel_filter_bank<double>(44100, 256, 24, 30, 16000);
    BOOST_TEST(max_abs_diff(ours, golden) <= 1e-15);
  }
}

BOOST_AUTO_TEST_CASE(slaney_filter_bank_properties) {
  // Slaney's scale is linear (66.7 Hz per mel) below 1 kHz, logarithmic above; HTK's 1000 Hz ~ 1000 mel.
  BOOST_TEST(std::abs(ca::hz_to_mel(1000.0) - 15.0) < 1e-12);
  BOOST_TEST(std::abs(ca::hz_to_mel(1000.0, true) - 999.9855) < 1e-3);
  for (double hz : {0.0, 55.0, 999.0, 1000.0, 4321.0, 11025.0})
    for (bool htk : {false, true}) BOOST_TEST(std::abs(ca::mel_to_hz(ca::hz_to_mel(hz, htk), htk) - hz) < 1e-9 * (1 + hz));

  const double sr = 22050;
  const int n_fft = 2048;
  const auto fb = ca::mel_filter_bank<double>(sr, n_fft, 128);
  const auto edges = ca::mel_frequencies(130, 0, sr / 2);
  const double bin_hz = sr / n_fft;
  for (int m = 0; m < 128; ++m) {
    double peak = 0, area = 0;
    int nonzero = 0;
    for (int k = 0; k < n_fft / 2 + 1; ++k) {
      const double w = fb(m, k), f = k * bin_hz;
      BOOST_TEST_REQUIRE(w >= 0.0);
      if (w > 0) {
        ++nonzero;
        BOOST_TEST_REQUIRE(f > edges[m]);  // zero outside the filter's own band
        BOOST_TEST_REQUIRE(f < edges[m + 2]);
      }
      peak = std::max(peak, w);
      area += w * bin_hz;
    }
    BOOST_TEST_REQUIRE(nonzero > 0);
    // Slaney normalisation: the triangle's height is 2 / width, so its area is 1 (up to sampling).
    BOOST_TEST_REQUIRE(peak <= 2.0 / (edges[m + 2] - edges[m]) + 1e-12);
    if (nonzero >= 20) BOOST_TEST_REQUIRE(std::abs(area - 1.0) < 0.01);
  }
  // Without normalisation the triangles peak at (at most) 1.
  const auto raw = ca::mel_filter_bank<double>(sr, n_fft, 128, 0, 0, false, ca::mel_norm::none);
  double top = 0;
  for (index_t i = 0; i < raw.size(); ++i) top = std::max(top, raw.data()[i]);
  BOOST_TEST(top <= 1.0);
  BOOST_TEST(top > 0.95);
}

BOOST_AUTO_TEST_CASE(stft_power_matches_a_naive_dft) {
  const auto x = noise(700, 11);
  for (auto pad : {ca::pad_mode::constant, ca::pad_mode::reflect})
    for (bool center : {true, false})
      for (double power : {2.0, 1.0, 1.5}) {
        ca::mel_params p;
        p.sr = 8000;
        p.n_fft = 64;
        p.hop_length = 24;
        p.win_length = 50;
        p.n_mels = 16;
        p.pad = pad;
        p.center = center;
        p.power = power;
        const auto S = ca::mel_spectrogram(p).spectrogram(x);
        const auto ref = naive_power_spectrogram(x, p);
        BOOST_TEST_REQUIRE(S.extent(0) == 33);
        BOOST_TEST_REQUIRE(S.extent(1) == static_cast<index_t>(ref.size()));
        double scale = 0, err = 0;
        for (std::size_t t = 0; t < ref.size(); ++t)
          for (std::size_t k = 0; k < 33; ++k) {
            scale = std::max(scale, ref[t][k]);
            err = std::max(err, std::abs(ref[t][k] - S(static_cast<index_t>(k), static_cast<index_t>(t))));
          }
        BOOST_TEST_INFO("pad " << int(pad) << " center " << center << " power " << power);
        BOOST_TEST(err <= 1e-5 * scale);
      }
}

BOOST_AUTO_TEST_CASE(mel_power_is_the_filter_bank_times_the_spectrogram) {
  const auto x = noise(5000, 3);
  ca::mel_params p;
  p.sr = 16000;
  p.n_fft = 256;
  p.hop_length = 64;
  p.n_mels = 48;
  p.fmin = 100;
  p.fmax = 6000;
  const ca::mel_spectrogram mel(p);
  const auto S = mel.spectrogram(x);
  const auto M = mel.power(x);
  const auto fb = mel.filter_bank();
  BOOST_TEST_REQUIRE(M.extent(0) == 48);
  BOOST_TEST_REQUIRE(M.extent(1) == S.extent(1));
  for (index_t m = 0; m < 48; ++m)
    for (index_t t = 0; t < M.extent(1); ++t) {
      double ref = 0;
      for (index_t k = 0; k < S.extent(0); ++k) ref += double(fb(m, k)) * S(k, t);
      BOOST_TEST_REQUIRE(std::abs(M(m, t) - ref) <= 1e-5 * ref + 1e-30);
    }
  // log is power_to_db of power: 10 log10(max(amin, S)) floored at max - top_db.
  const auto L = mel.log(x);
  float top = -1e30f;
  for (index_t i = 0; i < M.size(); ++i) top = std::max(top, 10.0f * std::log10(std::max(M.data()[i], 1e-10f)));
  for (index_t i = 0; i < M.size(); ++i) {
    const float ref = std::max(10.0f * std::log10(std::max(M.data()[i], 1e-10f)), top - 80.0f);
    BOOST_TEST_REQUIRE(std::abs(L.data()[i] - ref) <= 2e-5f * (1 + std::abs(ref)));
  }
}

BOOST_AUTO_TEST_CASE(power_to_db_ref_amin_and_top_db) {
  const auto x = noise(22050, 5);
  ca::mel_params p;
  const auto base = ca::log_mel(x, p);
  float hi = -1e30f, lo = 1e30f;
  for (index_t i = 0; i < base.size(); ++i) hi = std::max(hi, base.data()[i]), lo = std::min(lo, base.data()[i]);
  BOOST_TEST(hi - lo <= 80.0f + 1e-4f);
  p.ref = 10.0;  // -10 dB everywhere
  const auto shifted = ca::log_mel(x, p);
  for (index_t i = 0; i < base.size(); ++i) BOOST_TEST_REQUIRE(std::abs(shifted.data()[i] - (base.data()[i] - 10.0f)) < 1e-4f);
  // ref_max (librosa's ref=np.max): the same values minus their maximum, floored at -top_db.
  p.ref = 1.0;
  p.ref_max = true;
  const auto relative = ca::log_mel(x, p);
  float rtop = -1e30f;
  for (index_t i = 0; i < relative.size(); ++i) {
    rtop = std::max(rtop, relative.data()[i]);
    BOOST_TEST_REQUIRE(relative.data()[i] >= -80.0f);
    BOOST_TEST_REQUIRE(std::abs(relative.data()[i] - std::max(base.data()[i] - hi, -80.0f)) < 1e-4f);
  }
  BOOST_TEST(rtop == 0.0f);
  p.ref_max = false;
  p.top_db = -1;  // off: the quiet bands go below max - 80
  std::vector<float> quiet(x);
  for (std::size_t i = 0; i < quiet.size(); ++i) quiet[i] *= i < 11025 ? 1.0f : 1e-6f;
  const auto open = ca::log_mel(quiet, p);
  float ohi = -1e30f, olo = 1e30f;
  for (index_t i = 0; i < open.size(); ++i) ohi = std::max(ohi, open.data()[i]), olo = std::min(olo, open.data()[i]);
  BOOST_TEST(ohi - olo > 80.0f);
}

BOOST_AUTO_TEST_CASE(silence_gives_amin_in_db_never_nan) {
  // librosa: power_to_db of all-zero power is 10 log10(amin) - 10 log10(ref) = -100 dB everywhere.
  const std::vector<float> silent(22050 * 2, 0.0f);
  const auto L = ca::log_mel(silent);
  BOOST_TEST_REQUIRE(L.extent(1) == 1 + 44100 / 512);
  for (index_t i = 0; i < L.size(); ++i) BOOST_TEST_REQUIRE(L.data()[i] == -100.0f);
  ca::mel_params p;
  p.ref = 1e-10;  // relative to the floor itself: 0 dB
  const auto rel = ca::log_mel(silent, p);
  for (index_t i = 0; i < rel.size(); ++i) BOOST_TEST_REQUIRE(rel.data()[i] == 0.0f);
  p.ref = 1.0;
  p.ref_max = true;  // librosa's ref=np.max on silence: 0 dB everywhere
  const auto rmax = ca::log_mel(silent, p);
  for (index_t i = 0; i < rmax.size(); ++i) BOOST_TEST_REQUIRE(rmax.data()[i] == 0.0f);
}

BOOST_AUTO_TEST_CASE(frame_counts_and_short_signals) {
  const ca::mel_spectrogram mel{ca::mel_params{}};
  BOOST_TEST(mel.frame_count(661794) == 1293);  // a 30.01 s GTZAN clip: 1 + n // hop
  BOOST_TEST(mel.frame_count(1) == 1);
  // A signal shorter than n_fft still gives (padded) frames with center = true, all finite.
  const auto L = mel.log(noise(100, 9));
  BOOST_TEST(L.extent(1) == 1);
  for (index_t i = 0; i < L.size(); ++i) BOOST_TEST_REQUIRE(std::isfinite(L.data()[i]));
  ca::mel_params p;
  p.pad = ca::pad_mode::reflect;
  const auto R = ca::log_mel(noise(300, 9), p);  // reflection folds back more than once
  for (index_t i = 0; i < R.size(); ++i) BOOST_TEST_REQUIRE(std::isfinite(R.data()[i]));
}

BOOST_AUTO_TEST_CASE(same_bits_for_any_thread_count) {
  const auto x = noise(22050 * 5, 21);
  const ca::mel_spectrogram mel{ca::mel_params{}};
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = mel.log(x);
  omp_set_num_threads(std::max(2, threads));
  const auto many = mel.log(x);
  omp_set_num_threads(threads);
  BOOST_TEST(max_abs_diff(one, many) == 0.0);
}

BOOST_AUTO_TEST_CASE(absurd_parameters_name_the_parameter) {
  const auto expect = [](auto change, const std::string& name) {
    ca::mel_params p;
    change(p);
    try {
      ca::mel_spectrogram m(p);
      BOOST_ERROR("no error for bad " << name);
    } catch (const cantus::value_error& e) {
      BOOST_TEST_INFO(e.what());
      BOOST_TEST(message_contains(e, name));
    }
  };
  expect([](ca::mel_params& p) { p.hop_length = 4096; }, "hop_length");  // n_fft < hop
  expect([](ca::mel_params& p) { p.hop_length = 0; }, "hop_length");
  expect([](ca::mel_params& p) { p.n_fft = 256, p.hop_length = 128, p.n_mels = 200; }, "n_mels");  // > n_fft/2+1
  expect([](ca::mel_params& p) { p.fmax = 20000; }, "fmax");  // > sr/2
  expect([](ca::mel_params& p) { p.fmin = 12000; }, "fmin");  // >= fmax
  expect([](ca::mel_params& p) { p.fmin = -1; }, "fmin");
  expect([](ca::mel_params& p) { p.sr = 0; }, "sr");
  expect([](ca::mel_params& p) { p.n_fft = 1; }, "n_fft");
  expect([](ca::mel_params& p) { p.n_fft = 1 << 30; }, "n_fft");
  expect([](ca::mel_params& p) { p.win_length = 4096; }, "win_length");
  expect([](ca::mel_params& p) { p.power = 0; }, "power");
  expect([](ca::mel_params& p) { p.n_mels = 0; }, "n_mels");
  expect([](ca::mel_params& p) { p.amin = 0; }, "amin");
  expect([](ca::mel_params& p) { p.ref = -1; }, "ref");
  expect([](ca::mel_params& p) { p.top_db = std::nan(""); }, "top_db");
}

BOOST_AUTO_TEST_CASE(bad_signals_are_errors_not_nan) {
  const ca::mel_spectrogram mel{ca::mel_params{}};
  BOOST_CHECK_THROW(mel.log(std::vector<float>{}), cantus::value_error);
  auto x = noise(22050, 4);
  x[12345] = std::nanf("");
  try {
    mel.log(x);
    BOOST_ERROR("NaN input gave no error");
  } catch (const cantus::value_error& e) {
    BOOST_TEST(message_contains(e, "NaN"));
  }
  x[12345] = std::numeric_limits<float>::infinity();
  BOOST_CHECK_THROW(mel.power(x), cantus::value_error);
  ca::mel_params p;
  p.center = false;
  BOOST_CHECK_THROW(ca::log_mel(noise(1000, 1), p), cantus::value_error);  // shorter than n_fft, no padding
  // Many empty filters (n_mels close to n_fft/2+1) warn like librosa but still give finite values.
  p = {};
  p.n_fft = 256;
  p.hop_length = 64;
  p.n_mels = 128;
  const auto L = ca::log_mel(noise(4000, 2), p);
  for (index_t i = 0; i < L.size(); ++i) BOOST_TEST_REQUIRE(std::isfinite(L.data()[i]));
}

BOOST_AUTO_TEST_SUITE_END()
