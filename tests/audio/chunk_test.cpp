// Chunking a signal or a spectrogram into fixed-length windows: counts, contents, padding, edges.
#include <vector>

#include "cantus/audio.hpp"
#include "cantus_test.hpp"

namespace ca = cantus::audio;
using cantus::index_t;

BOOST_AUTO_TEST_SUITE(chunk)

BOOST_AUTO_TEST_CASE(counts_for_drop_and_pad) {
  struct row {
    index_t n, length, hop, drop, pad;
  };
  for (const row r : {row{0, 4, 2, 0, 0}, row{1, 4, 2, 0, 1}, row{3, 4, 2, 0, 1}, row{4, 4, 2, 1, 1}, row{5, 4, 2, 1, 2},
                      row{6, 4, 2, 2, 2}, row{7, 4, 2, 2, 3}, row{10, 4, 4, 2, 3}, row{12, 4, 4, 3, 3},
                      row{10, 3, 5, 2, 2}, row{11, 3, 5, 2, 3}, row{100, 1, 1, 100, 100}}) {
    BOOST_TEST_INFO("n " << r.n << " length " << r.length << " hop " << r.hop);
    const ca::chunking drop{r.length, r.hop, ca::last_chunk::drop}, pad{r.length, r.hop, ca::last_chunk::pad};
    BOOST_TEST(drop.count(r.n) == r.drop);
    BOOST_TEST(pad.count(r.n) == r.pad);
  }
  const auto starts = ca::chunking{4, 3, ca::last_chunk::pad}.starts(11);
  BOOST_TEST(starts == (std::vector<index_t>{0, 3, 6, 9}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(signal_windows_and_padding) {
  std::vector<float> x(10);
  for (int i = 0; i < 10; ++i) x[static_cast<std::size_t>(i)] = static_cast<float>(i);
  const auto d = ca::chunk_signal(x, {4, 3, ca::last_chunk::drop});
  BOOST_TEST_REQUIRE(d.extent(0) == 3);
  BOOST_TEST_REQUIRE(d.extent(1) == 4);
  for (index_t c = 0; c < 3; ++c)
    for (index_t j = 0; j < 4; ++j) BOOST_TEST_REQUIRE(d(c, j) == static_cast<float>(3 * c + j));
  const auto p = ca::chunk_signal(x, {4, 3, ca::last_chunk::pad}, -1.0f);
  BOOST_TEST_REQUIRE(p.extent(0) == 3);  // 0-3, 3-6, 6-9: sample 9 is covered, no fourth window
  const auto q = ca::chunk_signal(x, {4, 4, ca::last_chunk::pad}, -1.0f);
  BOOST_TEST_REQUIRE(q.extent(0) == 3);
  BOOST_TEST(q(2, 0) == 8.0f);
  BOOST_TEST(q(2, 1) == 9.0f);
  BOOST_TEST(q(2, 2) == -1.0f);
  BOOST_TEST(q(2, 3) == -1.0f);
  // Shorter than one window: none with drop, one padded with pad.
  BOOST_TEST(ca::chunk_signal(x, {16, 8, ca::last_chunk::drop}).extent(0) == 0);
  const auto one = ca::chunk_signal(x, {16, 8, ca::last_chunk::pad});
  BOOST_TEST_REQUIRE(one.extent(0) == 1);
  BOOST_TEST(one(0, 9) == 9.0f);
  BOOST_TEST(one(0, 10) == 0.0f);
  // Empty input: no windows either way.
  BOOST_TEST(ca::chunk_signal(std::vector<float>{}, {4, 2, ca::last_chunk::pad}).extent(0) == 0);
  // Hop longer than the window skips samples.
  const auto skip = ca::chunk_signal(x, {2, 5, ca::last_chunk::drop});
  BOOST_TEST_REQUIRE(skip.extent(0) == 2);
  BOOST_TEST(skip(1, 0) == 5.0f);
}

BOOST_AUTO_TEST_CASE(spectrogram_windows_along_frames) {
  cantus::tensor<float, 2> spec({3, 7});
  for (index_t r = 0; r < 3; ++r)
    for (index_t t = 0; t < 7; ++t) spec(r, t) = static_cast<float>(100 * r + t);
  const auto c = ca::chunk_spectrogram(spec.view(), {3, 2, ca::last_chunk::pad}, -80.0f);
  BOOST_TEST_REQUIRE(c.extent(0) == 3);
  BOOST_TEST_REQUIRE(c.extent(1) == 3);
  BOOST_TEST_REQUIRE(c.extent(2) == 3);
  for (index_t k = 0; k < 3; ++k)
    for (index_t r = 0; r < 3; ++r)
      for (index_t j = 0; j < 3; ++j) {
        const index_t t = 2 * k + j;
        BOOST_TEST_REQUIRE(c(k, r, j) == (t < 7 ? static_cast<float>(100 * r + t) : -80.0f));
      }
  const auto d = ca::chunk_spectrogram(spec.view(), {3, 2, ca::last_chunk::drop});
  BOOST_TEST(d.extent(0) == 3);  // starts 0, 2, 4 fit in 7 frames
  BOOST_TEST(ca::chunk_spectrogram(spec.view(), {8, 2, ca::last_chunk::drop}).extent(0) == 0);
  // A strided view (a band of rows) works as well.
  const auto band = ca::chunk_spectrogram(spec.view().slice(0, 1, 3), {7, 7, ca::last_chunk::drop});
  BOOST_TEST_REQUIRE(band.extent(1) == 2);
  BOOST_TEST(band(0, 0, 0) == 100.0f);
}

BOOST_AUTO_TEST_CASE(seconds_conversions_and_bad_arguments) {
  BOOST_TEST(ca::seconds_to_samples(1.5, 22050) == 33075);
  BOOST_TEST(ca::seconds_to_frames(3.0, 22050, 512) == 129);  // 129.2 frames
  BOOST_TEST(ca::seconds_to_frames(0.0, 22050, 512) == 0);
  BOOST_CHECK_THROW(ca::seconds_to_samples(-1, 22050), cantus::value_error);
  BOOST_CHECK_THROW(ca::seconds_to_samples(1, 0), cantus::value_error);
  BOOST_CHECK_THROW(ca::seconds_to_frames(1, 22050, 0), cantus::value_error);
  std::vector<float> x(10, 1.0f);
  BOOST_CHECK_THROW(ca::chunk_signal(x, {0, 1}), cantus::value_error);
  BOOST_CHECK_THROW(ca::chunk_signal(x, {4, 0}), cantus::value_error);
  const ca::chunking negative{-2, 1};
  BOOST_CHECK_THROW(negative.count(10), cantus::value_error);
}

BOOST_AUTO_TEST_SUITE_END()
