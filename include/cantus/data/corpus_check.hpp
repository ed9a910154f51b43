#pragma once
// Checking a corpus before spending hours on it: every audio file opened (header probe, fast) or
// fully decoded, problems named with their track ids, a table of tracks per split and genre, and a
// verdict on whether the corpus can train and evaluate a classifier.
#include <sndfile.h>
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cantus/audio/load.hpp"
#include "cantus/audio/stream.hpp"
#include "cantus/data/corpus.hpp"

namespace cantus::data {

struct audio_probe {
  bool ok = false;
  double seconds = 0;
  int sample_rate = 0;
  int channels = 0;
  std::string error;
};

// Why a file libsndfile cannot open is unreadable, in words a user can act on.
inline std::string unreadable_reason(const std::filesystem::path& path, const char* decoder_error) {
  std::ifstream in(path, std::ios::binary);
  unsigned char h[10] = {};
  in.read(reinterpret_cast<char*>(h), sizeof h);
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (in.gcount() == 10 && h[0] == 'I' && h[1] == 'D' && h[2] == '3') {
    // ID3v2 header: the tag's size in four 7-bit groups, after the 10-byte header.
    const std::uintmax_t tag = 10 + ((std::uintmax_t(h[6] & 0x7f) << 21) | (std::uintmax_t(h[7] & 0x7f) << 14) |
                                     (std::uintmax_t(h[8] & 0x7f) << 7) | std::uintmax_t(h[9] & 0x7f));
    if (!ec && size <= tag + 128) return cantus::detail::concat("holds only an ID3 tag (", size, " bytes), no audio frames");
    return cantus::detail::concat("ID3 tag followed by data that is not decodable audio (", size, " bytes)");
  }
  // libsndfile's message for an unrecognised MP3 says the file "does not exist": do not repeat it.
  const std::string why = decoder_error && std::string_view(decoder_error).find("does not exist") == std::string_view::npos ? decoder_error : "libsndfile cannot open it";
  return cantus::detail::concat("unreadable: not a recognised audio format (", why, ")");
}

// Opens the file with libsndfile and reads its header (duration is the header's estimate for MP3);
// with decode = true, decodes it entirely in blocks (exact length, catches damage inside the stream).
inline audio_probe probe_audio(const std::filesystem::path& path, bool decode = false) {
  audio_probe r;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    r.error = "missing audio file";
    return r;
  }
  if (std::filesystem::file_size(path, ec) == 0) {
    r.error = "empty file (0 bytes)";
    return r;
  }
  if (decode) {
    try {
      // Block by block, nothing kept: a 3-hour file needs a block of memory, not the whole file (and
      // threads decode several files at once). The stream applies load()'s checks (decode_check.hpp).
      audio::stream_reader in(path, 0);
      std::vector<float> block;
      std::uint64_t n = 0;
      for (std::size_t got; (got = in.read(block, std::size_t{1} << 16)) > 0; block.clear()) n += got;
      r.ok = true;
      r.seconds = static_cast<double>(n) / in.sample_rate();
      r.sample_rate = static_cast<int>(in.sample_rate());
      r.channels = 1;
    } catch (const std::exception& e) {
      r.error = e.what();
    }
    return r;
  }
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f) {
    r.error = unreadable_reason(path, sf_strerror(nullptr));
    return r;
  }
  r.sample_rate = info.samplerate;
  r.channels = info.channels;
  // A header that promises frames but the stream that yields none (e.g. an MP3 holding only an ID3 tag).
  float probe[4096];
  const sf_count_t got = info.channels > 0 && info.channels <= 16 ? sf_readf_float(f, probe, 4096 / info.channels) : 0;
  // A truncated WAV's header declares more than libsndfile's clamped count: judged as decoding judges
  // it (audio/decode_check.hpp), with its message, also without decoding.
  const std::int64_t declared = info.samplerate > 0 ? audio::detail::declared_frames(f, info) : -1;
  sf_close(f);
  if (declared > info.frames) try {
      audio::signal s;
      s.source = path.string();
      audio::detail::account_for_losses(s, info.frames, declared, info.samplerate, SF_ERR_NO_ERROR, "", audio::default_min_decoded_share);
    } catch (const std::exception& e) {
      r.error = e.what();
      return r;
    }
  if (info.samplerate <= 0 || info.channels <= 0 || info.frames <= 0 || got <= 0) {
    r.error = "holds no audio samples";
    return r;
  }
  r.seconds = static_cast<double>(info.frames) / info.samplerate;
  r.ok = true;
  return r;
}

// Every unreadable, empty or too short audio file of the corpus, as problems with track ids.
inline std::vector<problem> check_audio(const corpus& c, bool decode = false, int threads = 0) {
  std::vector<audio_probe> probes(c.tracks.size());
  const int n = static_cast<int>(c.tracks.size());
#pragma omp parallel for schedule(dynamic) num_threads(threads > 0 ? threads : omp_get_max_threads())
  for (int i = 0; i < n; ++i) probes[i] = probe_audio(c.tracks[i].path, decode);
  std::vector<problem> out;
  for (int i = 0; i < n; ++i) {
    const auto& t = c.tracks[i];
    const auto& p = probes[i];
    if (!p.ok) out.push_back({t.id, t.path, p.error});
    else if (p.seconds < t.min_seconds)
      out.push_back({t.id, t.path, cantus::detail::concat("only ", p.seconds, " s of audio (fewer than the ", t.min_seconds,
                                                          " s a track of this corpus needs: broken clip)")});
  }
  return out;
}

// Tracks per genre (rows) and split (columns), with totals.
inline void print_table(const corpus& c, std::FILE* out = stdout) {
  std::size_t width = 5;
  for (const auto& l : c.labels) width = std::max(width, l.size());
  std::fprintf(out, "%-*s %10s %10s %10s %10s\n", static_cast<int>(width), "genre", "training", "validation", "test", "total");
  std::size_t col[4] = {0, 0, 0, 0};
  for (std::size_t l = 0; l < c.labels.size(); ++l) {
    std::size_t row[4] = {0, 0, 0, 0};
    for (auto s : all_splits) row[static_cast<int>(s)] = c.count(s, static_cast<int>(l));
    row[3] = row[0] + row[1] + row[2];
    for (int k = 0; k < 4; ++k) col[k] += row[k];
    std::fprintf(out, "%-*s %10zu %10zu %10zu %10zu\n", static_cast<int>(width), c.labels[l].c_str(), row[0], row[1], row[2], row[3]);
  }
  std::fprintf(out, "%-*s %10zu %10zu %10zu %10zu\n", static_cast<int>(width), "total", col[0], col[1], col[2], col[3]);
}

// Usable = at least two genres, every genre has training tracks, and the test split has tracks:
// every table and figure is measured on it (validation tracks cannot stand in for it). `why`
// receives the reason when it is not.
inline bool usable(const corpus& c, const std::vector<problem>& broken, std::string* why = nullptr) {
  auto fail = [&](std::string w) {
    if (why) *why = std::move(w);
    return false;
  };
  std::set<std::pair<std::int64_t, std::filesystem::path>> broken_files;
  for (const auto& b : broken) broken_files.emplace(b.track_id, b.path);
  std::vector<bool> bad(c.tracks.size(), false);
  for (std::size_t i = 0; i < c.tracks.size(); ++i) bad[i] = broken_files.count({c.tracks[i].id, c.tracks[i].path}) > 0;
  std::vector<std::size_t> train(c.labels.size(), 0);
  std::size_t test = 0;
  for (std::size_t i = 0; i < c.tracks.size(); ++i) {
    if (bad[i]) continue;
    if (c.tracks[i].split == split::training) ++train[static_cast<std::size_t>(c.tracks[i].label)];
    else if (c.tracks[i].split == split::test) ++test;
  }
  if (c.labels.size() < 2) return fail(cantus::detail::concat("only ", c.labels.size(), " genre(s); a classifier needs at least 2"));
  for (std::size_t l = 0; l < c.labels.size(); ++l)
    if (!train[l]) return fail("genre '" + c.labels[l] + "' has no usable training track");
  if (!test) return fail("the test split has no usable track");
  return true;
}

}  // namespace cantus::data
