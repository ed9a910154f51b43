// Decoding in bounded memory (cantus/audio/stream.hpp) against the whole-file load().
#include <boost/test/unit_test.hpp>
#include <sndfile.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <string>
#include <numbers>
#include <vector>

#include "cantus/audio.hpp"
#include "cantus/audio/stream.hpp"
#include "cantus_test.hpp"

using namespace cantus;
using namespace cantus::audio;

namespace {
// A stereo float WAV: two chirps, one per channel.
std::filesystem::path stereo_wav(const std::filesystem::path& path, int rate, double seconds) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = 2;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  BOOST_REQUIRE(f);
  const auto n = static_cast<sf_count_t>(seconds * rate);
  std::vector<float> x(static_cast<std::size_t>(2 * n));
  for (sf_count_t i = 0; i < n; ++i) {
    const double t = double(i) / rate;
    x[static_cast<std::size_t>(2 * i)] = static_cast<float>(0.4 * std::sin(2 * std::numbers::pi * (100 + 500 * t) * t));
    x[static_cast<std::size_t>(2 * i + 1)] = static_cast<float>(0.3 * std::sin(2 * std::numbers::pi * (3000 - 200 * t) * t));
  }
  BOOST_REQUIRE(sf_writef_float(f, x.data(), n) == n);
  sf_close(f);
  return path;
}
std::vector<float> read_all(stream_reader& r, std::size_t chunk) {
  std::vector<float> out;
  while (r.read(out, chunk) > 0) {}
  return out;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(streaming)

BOOST_AUTO_TEST_CASE(blocks_resampled_as_they_come_equal_the_whole_file) {
  const auto dir = testing::scratch_dir("stream");
  const auto wav = stereo_wav(dir / "long.wav", 44100, 7.3);
  const auto whole = load(wav, 22050);
  for (std::size_t block : {1000u, 65536u}) {
    stream_reader r(wav, 22050, block);
    const auto streamed = read_all(r, 777);
    BOOST_TEST(r.done());
    BOOST_TEST(r.decoded() == 321930u);  // 7.3 s at 44100 Hz
    BOOST_REQUIRE_EQUAL(streamed.size(), whole.samples.size());
    double worst = 0;
    for (std::size_t i = 0; i < streamed.size(); ++i) worst = std::max(worst, double(std::abs(streamed[i] - whole.samples[i])));
    BOOST_TEST(worst < 1e-5, "block " << block << ": worst difference " << worst);
  }
  // at the file's own rate the samples are the decoder's, bit for bit
  stream_reader native(wav, 0, 4096);
  BOOST_TEST(native.sample_rate() == 44100.0);
  BOOST_TEST((read_all(native, 10000) == load(wav, 0).samples));
}

BOOST_AUTO_TEST_CASE(bad_files_are_named) {
  const auto dir = testing::scratch_dir("stream_bad");
  try {
    stream_reader r(dir / "missing.flac");
    BOOST_FAIL("expected io_error");
  } catch (const io_error& e) {
    BOOST_TEST(std::string(e.what()).find("missing.flac") != std::string::npos);
  }
  { std::ofstream(dir / "junk.wav") << "not audio at all"; }
  BOOST_CHECK_THROW(stream_reader(dir / "junk.wav"), io_error);
  BOOST_CHECK_THROW(stream_reader{dir}, io_error);
}

// load() and stream_reader apply one set of decode checks (decode_check.hpp) with one message: a WAV
// whose data chunk declares 4 s and which holds 1 s (libsndfile clamps its count, so it looked whole)
// is refused by both, at any block size; kept with a share below 0.25, both say what it lost. Before,
// load() and the stream took it as a whole 1 s file.
BOOST_AUTO_TEST_CASE(a_truncated_wav_is_refused_alike_by_load_and_the_stream) {
  const auto dir = testing::scratch_dir("stream_truncated");
  const auto whole = stereo_wav(dir / "whole.wav", 22050, 4.0);
  std::ifstream in(whole, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto cut = dir / "cut.wav";
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, 44 + (bytes.size() - 44) / 4);
  std::string by_load, by_stream;
  try {
    load(cut, 22050);
  } catch (const io_error& e) {
    by_load = e.what();
  }
  for (std::size_t block : {std::size_t{1000}, decode_block_frames}) {
    try {
      stream_reader r(cut, 22050, block);
      read_all(r, 777);
    } catch (const io_error& e) {
      by_stream = e.what();
    }
    BOOST_TEST(by_stream == by_load, "block " << block);
  }
  BOOST_TEST(by_load.find("s its header declares (2") != std::string::npos, by_load);  // about 25 %: the header is not 44 bytes
  BOOST_TEST(by_load.find("less than the required 90 %") != std::string::npos, by_load);
  const auto kept = load(cut, 22050, 0.2);
  stream_reader r(cut, 22050, decode_block_frames, 0.2);
  BOOST_TEST(read_all(r, 777).size() == kept.samples.size());
  BOOST_TEST(!kept.decode_loss.empty());
  BOOST_TEST(r.decode_loss() == kept.decode_loss);
}

BOOST_AUTO_TEST_SUITE_END()
