#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

#include "cantus/audio.hpp"
#include "cantus/core/npy.hpp"
#include "cantus_test.hpp"

namespace ca = cantus::audio;

namespace {
// Largest absolute difference between two [rows, cols] arrays of equal shape.
double max_abs_diff(const cantus::tensor<float, 2>& a, const cantus::tensor<float, 2>& b) {
  BOOST_REQUIRE(a.shape() == b.shape());
  double d = 0;
  for (cantus::index_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(double(a.data()[i]) - double(b.data()[i])));
  return d;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(mel)

BOOST_AUTO_TEST_CASE(matches_librosa_golden_log_mel) {
  CANTUS_REQUIRE_SHARED_DATA();
  const auto data = cantus::testing::shared_data();
  for (const char* clip : {"blues.00000", "metal.00003"}) {
    const std::string genre = std::string(clip).substr(0, std::string(clip).find('.'));
    const auto sig = ca::load(data / "gtzan-mini" / genre / (std::string(clip) + ".wav"), 0);
    BOOST_TEST(sig.sample_rate == 22050.0);
    const auto golden = cantus::npy::load<float, 2>(data / "golden" / (std::string(clip) + ".logmel.npy"));
    const auto ours = ca::log_mel(sig.samples);
    BOOST_TEST_REQUIRE(ours.extent(0) == golden.extent(0));
    BOOST_TEST_REQUIRE(ours.extent(1) == golden.extent(1));
    const double d = max_abs_diff(ours, golden);
    BOOST_TEST_MESSAGE(clip << ": max |cantus - librosa| = " << d << " dB");
    std::printf("%s: max |cantus - librosa| = %.3g dB\n", clip, d);
    BOOST_TEST(d <= 1e-3);
  }
}

BOOST_AUTO_TEST_SUITE_END()
