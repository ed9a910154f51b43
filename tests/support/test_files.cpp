// cantus_test_files: the small input files the shell tests need (tests need no Python), written with
// the standard library and cantus' own .npy writer and random stream:
//   tone PATH SECONDS HZ [RATE=22050] [AMPLITUDE=8000]   16-bit mono PCM WAV, int(AMPLITUDE * sin(2 pi HZ t))
//   clip PATH HZ SEED [SECONDS=3] [RATE=22050]           state_test's clip: a tone, a gated 2.5x overtone
//                                                        and deterministic noise (its own for each SEED)
//   wavs DIR        the decode-check set (22050 Hz): good_a.wav, good_b.wav (2 s, 440 and 550 Hz),
//                   long.wav (8 s, 660 Hz), truncated.wav (long.wav's header, still declaring 8 s, and
//                   the first quarter of its data: 2 s), one_sample.wav (a single sample)
//   npy PATH f4|i8 SHAPE VALUES...                       SHAPE as 6,2 (or 6 for one axis)
//   flip PATH OFFSET MASK   XOR the byte at OFFSET (negative: from the end) with MASK (0x40 or 64)
// Exit status 0, or 1 with a line on stderr naming what failed; 2 for a usage error.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cantus/core/npy.hpp"
#include "cantus/core/random.hpp"

namespace fs = std::filesystem;

namespace {

constexpr double two_pi = 6.283185307179586;

void put_u32(std::ofstream& out, std::uint32_t v) {
  const unsigned char b[4] = {static_cast<unsigned char>(v), static_cast<unsigned char>(v >> 8),
                              static_cast<unsigned char>(v >> 16), static_cast<unsigned char>(v >> 24)};
  out.write(reinterpret_cast<const char*>(b), 4);
}
void put_u16(std::ofstream& out, std::uint16_t v) {
  const unsigned char b[2] = {static_cast<unsigned char>(v), static_cast<unsigned char>(v >> 8)};
  out.write(reinterpret_cast<const char*>(b), 2);
}

// A 44-byte RIFF header for `frames` 16-bit mono frames, then frames_written samples from sample(i):
// frames_written < frames gives a file whose header declares more than it holds.
void write_wav(const fs::path& path, std::uint64_t frames, int rate, const std::function<double(std::uint64_t)>& sample,
               std::uint64_t frames_written) {
  if (rate <= 0) throw std::runtime_error("sample rate must be positive");
  if (frames * 2 > 0xFFFFFFFFull - 36) throw std::runtime_error("too long for a WAV file");
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot create the file");
  const auto data_bytes = static_cast<std::uint32_t>(frames * 2);
  out.write("RIFF", 4);
  put_u32(out, 36 + data_bytes);
  out.write("WAVEfmt ", 8);
  put_u32(out, 16);
  put_u16(out, 1);  // PCM
  put_u16(out, 1);  // mono
  put_u32(out, static_cast<std::uint32_t>(rate));
  put_u32(out, static_cast<std::uint32_t>(rate) * 2);
  put_u16(out, 2);
  put_u16(out, 16);
  out.write("data", 4);
  put_u32(out, data_bytes);
  std::vector<char> buf;
  buf.reserve(1 << 16);
  for (std::uint64_t i = 0; i < frames_written; ++i) {
    const double v = std::trunc(std::fmax(-32768.0, std::fmin(32767.0, sample(i))));  // as Python's int()
    const auto s = static_cast<std::uint16_t>(static_cast<std::int16_t>(v));
    buf.push_back(static_cast<char>(s & 0xff));
    buf.push_back(static_cast<char>(s >> 8));
    if (buf.size() >= (1 << 16)) {
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
    }
  }
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  out.close();
  if (!out) throw std::runtime_error("write failed");
}

std::uint64_t frames_of(double seconds, int rate) {
  if (!(seconds >= 0)) throw std::runtime_error("seconds must be >= 0");
  return static_cast<std::uint64_t>(seconds * rate + 1e-6);
}

void tone(const fs::path& path, double seconds, double hz, int rate = 22050, double amplitude = 8000) {
  const std::uint64_t n = frames_of(seconds, rate);
  write_wav(path, n, rate, [&](std::uint64_t i) { return amplitude * std::sin(two_pi * hz * double(i) / rate); }, n);
}

// A tone at hz, an overtone at 2.5 hz switched on every other 0.1 s (at 22050 Hz), and uniform noise
// from cantus' random stream seeded with `seed`, at full scale.
void clip(const fs::path& path, double hz, std::uint64_t seed, double seconds = 3, int rate = 22050) {
  const std::uint64_t n = frames_of(seconds, rate);
  cantus::random_stream noise(seed);
  write_wav(path, n, rate, [&](std::uint64_t i) {
    const double t = double(i) / rate;
    const double v = 0.4 * std::sin(two_pi * hz * t) + 0.2 * std::sin(two_pi * 2.5 * hz * t) * double((i / 2205) % 2) +
                     0.05 * (noise.uniform_double(i) * 2 - 1);
    return 32767 * std::fmax(-1.0, std::fmin(1.0, v));
  }, n);
}

void wavs(const fs::path& dir) {
  fs::create_directories(dir);
  tone(dir / "good_a.wav", 2, 440);
  tone(dir / "good_b.wav", 2, 550);
  tone(dir / "long.wav", 8, 660);
  const std::uint64_t n = 8 * 22050;
  write_wav(dir / "truncated.wav", n, 22050, [](std::uint64_t i) { return 8000 * std::sin(two_pi * 660 * double(i) / 22050); },
            n / 4);
  write_wav(dir / "one_sample.wav", 1, 22050, [](std::uint64_t) { return 0.0; }, 1);
}

std::vector<cantus::index_t> parse_shape(const std::string& s) {
  std::vector<cantus::index_t> shape;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    const std::size_t end = s.find(',', pos);
    const std::string part = s.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (!part.empty()) shape.push_back(std::stoll(part));
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  if (shape.empty()) throw std::runtime_error("empty shape '" + s + "'");
  return shape;
}

template <class T, class Parse>
void npy(const fs::path& path, const std::vector<cantus::index_t>& shape, char** values, int count, Parse parse) {
  std::size_t n = 1;
  for (auto e : shape) n *= static_cast<std::size_t>(e);
  if (static_cast<std::size_t>(count) != n)
    throw std::runtime_error("shape holds " + std::to_string(n) + " values, " + std::to_string(count) + " given");
  std::vector<T> data;
  for (int i = 0; i < count; ++i) data.push_back(static_cast<T>(parse(values[i])));
  cantus::npy::write(path, data.data(), shape);
}

void flip(const fs::path& path, long long offset, unsigned mask) {
  std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
  if (!f) throw std::runtime_error("cannot open the file for update");
  const auto size = static_cast<long long>(fs::file_size(path));
  const long long at = offset < 0 ? size + offset : offset;
  if (at < 0 || at >= size) throw std::runtime_error("offset " + std::to_string(offset) + " outside a file of " + std::to_string(size) + " bytes");
  char c;
  f.seekg(at);
  f.get(c);
  c = static_cast<char>(static_cast<unsigned char>(c) ^ mask);
  f.seekp(at);
  f.put(c);
  f.close();
  if (!f) throw std::runtime_error("write failed");
}

int usage() {
  std::fputs("usage: cantus_test_files tone PATH SECONDS HZ [RATE] [AMPLITUDE]\n"
             "       cantus_test_files clip PATH HZ SEED [SECONDS] [RATE]\n"
             "       cantus_test_files wavs DIR\n"
             "       cantus_test_files npy PATH f4|i8 SHAPE VALUES...\n"
             "       cantus_test_files flip PATH OFFSET MASK\n",
             stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  const std::string cmd = argv[1];
  const fs::path path = argv[2];
  try {
    if (cmd == "tone" && argc >= 5 && argc <= 7) {
      tone(path, std::stod(argv[3]), std::stod(argv[4]), argc > 5 ? std::stoi(argv[5]) : 22050,
           argc > 6 ? std::stod(argv[6]) : 8000);
    } else if (cmd == "clip" && argc >= 5 && argc <= 7) {
      clip(path, std::stod(argv[3]), std::stoull(argv[4]), argc > 5 ? std::stod(argv[5]) : 3,
           argc > 6 ? std::stoi(argv[6]) : 22050);
    } else if (cmd == "wavs" && argc == 3) {
      wavs(path);
    } else if (cmd == "npy" && argc >= 5) {
      const std::string type = argv[3];
      const auto shape = parse_shape(argv[4]);
      if (type == "f4")
        npy<float>(path, shape, argv + 5, argc - 5, [](const char* s) { return std::stod(s); });
      else if (type == "i8")
        npy<std::int64_t>(path, shape, argv + 5, argc - 5, [](const char* s) { return std::stoll(s); });
      else
        return usage();
    } else if (cmd == "flip" && argc == 5) {
      flip(path, std::stoll(argv[3]), static_cast<unsigned>(std::stoul(argv[4], nullptr, 0)) & 0xffu);
    } else {
      return usage();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cantus_test_files %s '%s': %s\n", cmd.c_str(), path.string().c_str(), e.what());
    return 1;
  }
  return 0;
}
