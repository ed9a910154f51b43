#pragma once
// Helpers shared by the data tests: small synthetic audio files and FMA-layout fixtures.
#include <sndfile.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <vector>

#include "cantus/base/error.hpp"

namespace cantus::testing {

// A mono 16-bit WAV of `seconds` of a sine at `hz` (plus a quieter fifth, so spectra differ per file).
inline void write_tone(const std::filesystem::path& path, double seconds, double hz, int sr = 22050) {
  std::filesystem::create_directories(path.parent_path());
  SF_INFO info{};
  info.samplerate = sr;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!f) throw io_error("write_tone: cannot write " + path.string());
  std::vector<float> x(static_cast<std::size_t>(seconds * sr));
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double t = static_cast<double>(i) / sr;
    x[i] = static_cast<float>(0.4 * std::sin(2 * std::numbers::pi * hz * t) + 0.1 * std::sin(2 * std::numbers::pi * 1.5 * hz * t));
  }
  sf_writef_float(f, x.data(), static_cast<sf_count_t>(x.size()));
  sf_close(f);
}

inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// An ID3v2 tag and nothing else: what some of FMA's broken "no audio" files hold.
inline std::string id3_tag_only() {
  std::string tag = "ID3";
  tag += '\x03';
  tag += '\x00';
  tag += '\x00';
  const std::string frame_text = std::string("\x03") + "Broken track";
  std::string frame = "TIT2";
  const auto n = static_cast<unsigned>(frame_text.size());
  frame += static_cast<char>((n >> 24) & 0xff);
  frame += static_cast<char>((n >> 16) & 0xff);
  frame += static_cast<char>((n >> 8) & 0xff);
  frame += static_cast<char>(n & 0xff);
  frame += '\x00';
  frame += '\x00';
  frame += frame_text;
  const auto size = static_cast<unsigned>(frame.size());  // syncsafe 7-bit groups
  tag += static_cast<char>((size >> 21) & 0x7f);
  tag += static_cast<char>((size >> 14) & 0x7f);
  tag += static_cast<char>((size >> 7) & 0x7f);
  tag += static_cast<char>(size & 0x7f);
  return tag + frame;
}

}  // namespace cantus::testing
