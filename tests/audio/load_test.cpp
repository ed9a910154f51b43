// Decoding and resampling: shared MP3s and WAVs, WAVs written here with libsndfile, a sine through
// libsoxr, and every kind of bad file (made in a scratch directory: no audio is committed).
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <fstream>
#include <numbers>
#include <string>
#include <vector>

#include "cantus/audio.hpp"
#include "cantus/core/npy.hpp"
#include "cantus/core/random.hpp"
#include "cantus_test.hpp"

namespace ca = cantus::audio;
namespace fs = std::filesystem;

namespace {

// Writes interleaved int16 frames as a WAV with libsndfile.
void write_wav16(const fs::path& path, const std::vector<short>& interleaved, int channels, int sr) {
  SF_INFO info{};
  info.samplerate = sr;
  info.channels = channels;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  BOOST_TEST_REQUIRE(f != nullptr, "sf_open for writing: " << sf_strerror(nullptr));
  const auto frames = static_cast<sf_count_t>(interleaved.size() / static_cast<std::size_t>(channels));
  BOOST_TEST_REQUIRE(sf_writef_short(f, interleaved.data(), frames) == frames);
  sf_close(f);
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Magnitude of the DFT of x at frequency f (Hz), normalised so a sine of amplitude A gives A.
double tone_amplitude(const std::vector<float>& x, std::size_t begin, std::size_t end, double f, double sr) {
  std::complex<double> acc = 0;
  for (std::size_t i = begin; i < end; ++i)
    acc += static_cast<double>(x[i]) * std::polar(1.0, -2 * std::numbers::pi * f * static_cast<double>(i) / sr);
  return 2.0 * std::abs(acc) / static_cast<double>(end - begin);
}

// load() must throw io_error whose message names the file (and, when given, says why).
void expect_io_error(const fs::path& path, const std::string& why = "") {
  try {
    const auto s = ca::load(path);
    BOOST_ERROR("no error loading " << path << " (" << s.samples.size() << " samples)");
  } catch (const cantus::io_error& e) {
    const std::string msg = e.what();
    BOOST_TEST_INFO(msg);
    BOOST_TEST(msg.find(path.string()) != std::string::npos);
    if (!why.empty()) BOOST_TEST(msg.find(why) != std::string::npos);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(load)

BOOST_AUTO_TEST_CASE(decodes_fma_mp3_to_22050_hz_mono) {
  CANTUS_REQUIRE_SHARED_DATA();
  const auto mp3 = cantus::testing::shared_data() / "fma-gtzan" / "fma_small" / "001" / "001000.mp3";
  SF_INFO info{};
  SNDFILE* f = sf_open(mp3.c_str(), SFM_READ, &info);
  BOOST_TEST_REQUIRE(f != nullptr);
  sf_close(f);
  BOOST_TEST(info.samplerate == 44100);
  BOOST_TEST(info.channels == 2);
  const auto native = ca::load(mp3, 0);
  BOOST_TEST(native.sample_rate == 44100.0);
  const auto s = ca::load(mp3);  // default target_sr 22050
  BOOST_TEST(s.sample_rate == 22050.0);
  BOOST_TEST(s.source == mp3.string());
  BOOST_TEST(s.seconds() > 29.0);
  BOOST_TEST(s.seconds() < 31.5);
  BOOST_TEST(s.samples.size() == static_cast<std::size_t>(std::ceil(native.samples.size() * 0.5)));
  double energy = 0;
  float peak = 0;
  for (float v : s.samples) energy += double(v) * v, peak = std::max(peak, std::abs(v));
  BOOST_TEST(energy > 0.0);
  BOOST_TEST(peak <= 1.05f);  // resampling may overshoot full scale a little, as in librosa
}

BOOST_AUTO_TEST_CASE(mp3_decode_and_resample_match_librosa_load) {
  CANTUS_REQUIRE_SHARED_DATA();
  // golden/librosa_load_*_probe.npy: librosa.load(mp3, sr=22050)'s length and 64 of its samples.
  const auto probe = cantus::npy::load<double, 2>(std::filesystem::path(CANTUS_SOURCE_DIR) / "tests" / "audio" /
                                                  "golden" / "librosa_load_fma_001000_sr22050_probe.npy");
  const auto s = ca::load(cantus::testing::shared_data() / "fma-gtzan" / "fma_small" / "001" / "001000.mp3");
  BOOST_TEST_REQUIRE(static_cast<double>(s.samples.size()) == probe(2, 0));
  double diff = 0;
  for (cantus::index_t i = 0; i < 64; ++i)
    diff = std::max(diff, std::abs(double(s.samples[static_cast<std::size_t>(probe(0, i))]) - probe(1, i)));
  BOOST_TEST(diff <= 1e-6);
}

BOOST_AUTO_TEST_CASE(reads_gtzan_wav_as_int16_over_32768) {
  CANTUS_REQUIRE_SHARED_DATA();
  const auto wav = cantus::testing::shared_data() / "gtzan-mini" / "jazz" / "jazz.00000.wav";
  const auto s = ca::load(wav, 0);
  BOOST_TEST(s.sample_rate == 22050.0);
  BOOST_TEST(s.seconds() > 29.0);
  for (float v : s.samples) BOOST_TEST_REQUIRE(v * 32768.0f == std::round(v * 32768.0f));
}

BOOST_AUTO_TEST_CASE(wav_written_here_scales_and_downmixes_exactly) {
  const auto dir = cantus::testing::scratch_dir("audio_load_wav");
  // Stereo: the mono sample is the mean of the two channels.
  const std::vector<short> stereo = {16384, 0, -32768, -32768, 32767, -32767, 100, 300, 0, 0};
  write_wav16(dir / "stereo.wav", stereo, 2, 8000);
  const auto s = ca::load(dir / "stereo.wav", 0);
  BOOST_TEST(s.sample_rate == 8000.0);
  const std::vector<float> expected = {0.25f, -1.0f, 0.0f, 200.0f / 32768.0f, 0.0f};
  BOOST_TEST(s.samples == expected, boost::test_tools::per_element());
  // Three channels and FLAC go through the same path.
  std::vector<short> three;
  for (int i = 0; i < 300; ++i) three.insert(three.end(), {short(3 * i), short(0), short(-3 * i)});
  write_wav16(dir / "three.wav", three, 3, 8000);
  const auto t = ca::load(dir / "three.wav", 0);
  BOOST_TEST_REQUIRE(t.samples.size() == 300u);
  for (float v : t.samples) BOOST_TEST_REQUIRE(v == 0.0f);
}

BOOST_AUTO_TEST_CASE(flac_ogg_vorbis_and_opus_written_here_decode) {
  const auto dir = cantus::testing::scratch_dir("audio_load_formats");
  struct fmt {
    const char* name;
    int format, sr;
    double amplitude_tolerance;
  };
  for (const fmt f : {fmt{"tone.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 44100, 1e-3},
                      fmt{"tone.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 44100, 0.03},
                      fmt{"tone.opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 48000, 0.03}}) {
    SF_INFO info{};
    info.samplerate = f.sr;
    info.channels = 2;
    info.format = f.format;
    if (!sf_format_check(&info)) {
      std::printf("skipped: this libsndfile cannot write %s\n", f.name);
      continue;
    }
    std::vector<float> stereo(static_cast<std::size_t>(2 * f.sr));  // 1 s, 440 Hz at 0.5 in both channels
    for (int i = 0; i < f.sr; ++i)
      stereo[2 * i] = stereo[2 * i + 1] = 0.5f * static_cast<float>(std::sin(2 * std::numbers::pi * 440.0 * i / f.sr));
    SNDFILE* out = sf_open((dir / f.name).c_str(), SFM_WRITE, &info);
    BOOST_TEST_REQUIRE(out != nullptr, f.name << ": " << sf_strerror(nullptr));
    sf_writef_float(out, stereo.data(), f.sr);
    sf_close(out);
    const auto s = ca::load(dir / f.name, 22050);
    BOOST_TEST_INFO(f.name);
    BOOST_TEST(s.sample_rate == 22050.0);
    BOOST_TEST(std::abs(s.seconds() - 1.0) < 0.05);
    BOOST_TEST(std::abs(tone_amplitude(s.samples, 2205, 19845, 440.0, 22050) - 0.5) < f.amplitude_tolerance);
  }
}

BOOST_AUTO_TEST_CASE(resampling_a_sine_keeps_frequency_and_amplitude) {
  for (const auto& [from, to] : {std::pair{44100.0, 22050.0}, std::pair{22050.0, 48000.0}, std::pair{16000.0, 22050.0}}) {
    const double f = 440.0, amp = 0.5;
    const std::size_t n = static_cast<std::size_t>(from);  // 1 s
    std::vector<float> x(n);
    for (std::size_t i = 0; i < n; ++i)
      x[i] = static_cast<float>(amp * std::sin(2 * std::numbers::pi * f * static_cast<double>(i) / from));
    const auto y = ca::resample(x, from, to);
    BOOST_TEST_INFO(from << " -> " << to << " Hz");
    BOOST_TEST_REQUIRE(y.size() == static_cast<std::size_t>(std::ceil(double(n) * (to / from))));  // librosa's length
    // Away from the edges (filter transients): the tone is at the same frequency and amplitude,
    // and nothing is left at a neighbouring frequency.
    const std::size_t b = y.size() / 10, e = y.size() - y.size() / 10;
    BOOST_TEST(std::abs(tone_amplitude(y, b, e, f, to) - amp) < 1e-3);
    BOOST_TEST(tone_amplitude(y, b, e, f * 1.25, to) < 1e-3);
    double rms = 0;
    for (std::size_t i = b; i < e; ++i) rms += double(y[i]) * y[i];
    BOOST_TEST(std::abs(std::sqrt(rms / double(e - b)) - amp / std::sqrt(2.0)) < 1e-3);
  }
  // A tone above the new Nyquist frequency is removed, not aliased.
  std::vector<float> hi(44100);
  for (std::size_t i = 0; i < hi.size(); ++i) hi[i] = 0.5f * static_cast<float>(std::sin(2 * std::numbers::pi * 15000.0 * double(i) / 44100));
  const auto y = ca::resample(hi, 44100, 22050);
  double rms = 0;
  for (std::size_t i = 2205; i < y.size() - 2205; ++i) rms += double(y[i]) * y[i];
  BOOST_TEST(std::sqrt(rms / double(y.size() - 4410)) < 1e-3);
  // Same rate: a copy.
  BOOST_TEST(ca::resample(hi, 44100, 44100) == hi);
  BOOST_CHECK_THROW(ca::resample(hi, 0, 22050), cantus::value_error);
  BOOST_CHECK_THROW(ca::resample(hi, 44100, -1), cantus::value_error);
  BOOST_CHECK_THROW(ca::resample(hi, 44100, std::nan("")), cantus::value_error);
  BOOST_CHECK_THROW(ca::resample(hi, 1, 1e9), cantus::value_error);  // absurd ratio, not a 10^9-fold allocation
}

BOOST_AUTO_TEST_CASE(bad_files_are_io_errors_naming_the_file) {
  const auto dir = cantus::testing::scratch_dir("audio_load_bad");
  expect_io_error(dir / "missing.wav", "no such file");
  expect_io_error(dir, "directory");
  write_bytes(dir / "empty.wav", "");
  expect_io_error(dir / "empty.wav", "zero-length");
  write_bytes(dir / "empty.mp3", "");
  expect_io_error(dir / "empty.mp3", "zero-length");
  std::string noise(4096, '\0');
  cantus::random_stream rs(99, 0);
  for (std::size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>(rs.below(i, 256));
  write_bytes(dir / "random.wav", noise);
  expect_io_error(dir / "random.wav", "cannot decode");
  write_bytes(dir / "random.flac", noise);
  expect_io_error(dir / "random.flac");
  write_bytes(dir / "text.ogg", "this is not an Ogg stream\n");
  expect_io_error(dir / "text.ogg");
  // A float WAV holding a NaN.
  {
    SF_INFO info{};
    info.samplerate = 8000;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
    SNDFILE* f = sf_open((dir / "nan.wav").c_str(), SFM_WRITE, &info);
    BOOST_TEST_REQUIRE(f != nullptr);
    const float v[4] = {0.1f, std::nanf(""), 0.2f, 0.3f};
    sf_writef_float(f, v, 4);
    sf_close(f);
    expect_io_error(dir / "nan.wav", "NaN");
  }
  // A valid WAV header with no frames.
  write_wav16(dir / "no_frames.wav", {}, 1, 22050);
  expect_io_error(dir / "no_frames.wav", "zero-length");
}

BOOST_AUTO_TEST_CASE(truncated_mp3_decodes_what_it_holds) {
  CANTUS_REQUIRE_SHARED_DATA();
  const auto src = cantus::testing::shared_data() / "fma-gtzan" / "fma_small" / "001" / "001000.mp3";
  const auto dir = cantus::testing::scratch_dir("audio_load_truncated");
  const std::string bytes = read_bytes(src);
  const auto full = ca::load(src, 0);
  BOOST_TEST(full.decoded_frames == full.declared_frames);
  BOOST_TEST(full.decode_loss.empty());
  // The header still announces the whole clip; decoding must stop at the data's end, not pad. By
  // default 40 % of the declared duration is refused (issue 22, item 8); with no minimum it decodes.
  write_bytes(dir / "forty_percent.mp3", bytes.substr(0, bytes.size() * 2 / 5));
  BOOST_CHECK_THROW(ca::load(dir / "forty_percent.mp3", 0), cantus::io_error);
  const auto part = ca::load(dir / "forty_percent.mp3", 0, 0.0);
  BOOST_TEST(part.declared_frames == full.declared_frames);
  BOOST_TEST(part.decode_loss.find("its header declares") != std::string::npos, part.decode_loss);
  BOOST_TEST(part.seconds() > 0.3 * full.seconds());
  BOOST_TEST(part.seconds() < 0.5 * full.seconds());
  // What was decoded equals the start of the full decode.
  const std::size_t check = std::min<std::size_t>(part.samples.size(), 44100 * 5);
  double diff = 0;
  for (std::size_t i = 0; i < check; ++i) diff = std::max(diff, double(std::abs(part.samples[i] - full.samples[i])));
  BOOST_TEST(diff < 1e-6);
  for (float v : part.samples) BOOST_TEST_REQUIRE(std::isfinite(v));
  // The log-mel of a truncated file is finite too.
  const auto L = ca::log_mel(ca::load(dir / "forty_percent.mp3", 22050, 0.0).samples);
  for (cantus::index_t i = 0; i < L.size(); ++i) BOOST_TEST_REQUIRE(std::isfinite(L.data()[i]));
  // Cut inside the first frames: an io_error naming the file, or a short finite signal; never a crash.
  write_bytes(dir / "stub.mp3", bytes.substr(0, 300));
  try {
    const auto stub = ca::load(dir / "stub.mp3", 0, 0.0);
    for (float v : stub.samples) BOOST_TEST_REQUIRE(std::isfinite(v));
    BOOST_TEST(stub.seconds() < 0.2);
  } catch (const cantus::io_error& e) {
    BOOST_TEST(std::string(e.what()).find("stub.mp3") != std::string::npos);
  }
}

// Issue 22, item 8: an MP3 damaged in the middle used to decode to half its length with no word.
BOOST_AUTO_TEST_CASE(mp3_damaged_in_the_middle_is_refused_or_reported) {
  const auto dir = cantus::testing::scratch_dir("audio_load_damaged");
  SF_INFO info{};
  info.samplerate = 22050;
  info.channels = 1;
  info.format = SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
  if (!sf_format_check(&info)) {
    std::printf("skipped: this libsndfile cannot write MP3\n");
    return;
  }
  std::vector<float> x(22050 * 6);  // 6 s of two tones
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = 0.3f * static_cast<float>(std::sin(0.05 * i)) + 0.1f * static_cast<float>(std::sin(0.31 * i));
  SNDFILE* out = sf_open((dir / "intact.mp3").c_str(), SFM_WRITE, &info);
  BOOST_TEST_REQUIRE(out != nullptr, sf_strerror(nullptr));
  sf_writef_float(out, x.data(), static_cast<sf_count_t>(x.size()));
  sf_close(out);
  const auto intact = ca::load(dir / "intact.mp3", 0);
  BOOST_TEST(intact.declared_frames == 22050 * 6);
  BOOST_TEST(intact.decoded_frames == intact.declared_frames);
  BOOST_TEST(intact.decode_loss.empty(), intact.decode_loss);

  std::string bytes = read_bytes(dir / "intact.mp3");
  std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2),
            bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2 + 3000), '\0');
  write_bytes(dir / "damaged.mp3", bytes);
  try {
    ca::load(dir / "damaged.mp3", 0);
    BOOST_FAIL("a file decoding to half its declared duration was accepted");
  } catch (const cantus::io_error& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find("damaged.mp3") != std::string::npos, what);
    BOOST_TEST(what.find("s of the 6 s its header declares") != std::string::npos, what);
    BOOST_TEST(what.find("less than the required 90 %") != std::string::npos, what);
  }
  // A smaller minimum keeps the file, and the signal says what was lost.
  const auto kept = ca::load(dir / "damaged.mp3", 0, 0.3);
  BOOST_TEST(kept.decoded_frames < kept.declared_frames * 6 / 10);
  BOOST_TEST(kept.decoded_frames > kept.declared_frames * 3 / 10);
  BOOST_TEST(kept.decode_loss.find("its header declares") != std::string::npos, kept.decode_loss);
  BOOST_TEST(kept.decode_loss.find("the decoder stopped") != std::string::npos, kept.decode_loss);
  BOOST_CHECK_THROW(ca::load(dir / "damaged.mp3", 0, 1.5), cantus::value_error);
}

BOOST_AUTO_TEST_CASE(silent_file_loads_and_gives_constant_log_mel) {
  const auto dir = cantus::testing::scratch_dir("audio_load_silent");
  write_wav16(dir / "silent.wav", std::vector<short>(44100 * 2, 0), 2, 44100);
  const auto s = ca::load(dir / "silent.wav");
  BOOST_TEST(s.sample_rate == 22050.0);
  BOOST_TEST(s.samples.size() == 22050u);
  const auto L = ca::log_mel(s.samples);
  for (cantus::index_t i = 0; i < L.size(); ++i) BOOST_TEST_REQUIRE(L.data()[i] == -100.0f);
}

BOOST_AUTO_TEST_SUITE_END()
