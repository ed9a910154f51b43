#pragma once
// A cached feature store: every track of a corpus decoded once, in parallel, to a log-mel spectrogram
// (and optionally its raw samples at a chosen rate, for raw-audio models), kept in one float32 file
// per kind that is memory-mapped for reading, plus a text index.
//
// Cache directory layout:
//   index.tsv        parameters (extraction + corpus listing), labels, one line per track (id,
//                    split, label, status, offsets, frames, seconds, checksum of its data, checksum
//                    of its audio file's bytes and the file's stat identity, path, message) and a
//                    checksum of the index itself; written last, atomically: its presence means the
//                    cache is complete.
//   mel.f32          every ok track's [n_mels, frames] log-mel, row-major, back to back.
//   raw.f32          every ok track's samples at raw_sample_rate (only when asked for).
//   journal.tsv      while building: the committed prefix of tracks (same format as the index),
//                    rewritten atomically after the data it describes was flushed and fsync'ed.
//   mel.f32.partial, raw.f32.partial   while building: the data being appended.
// Tracks are appended in corpus order whatever the thread count, so the files are identical for any
// number of threads, and an interrupted build resumes after the last committed track. A build holds
// DIR/lock (directory_lock), so two processes building one cache take turns. Any corpus
// (data::corpus) can be cached; needs the audio component (docs/data.md).
//
// A cache is keyed by content, not by paths and sizes: every build looks at each audio file again. A
// file whose stat identity is the one recorded is trusted (data/file_identity.hpp); any other is
// hashed, and when its bytes differ from those it was extracted from, the track is extracted again
// (said on stderr) while the unchanged tracks are copied from the old data. content_key() names what a
// store holds (parameters, corpus, every file's bytes, every track's data) for the caches and runs
// built on it. Stores of format 1 (before content checksums) are extracted again by build().
#include <fcntl.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "cantus/audio/load.hpp"
#include "cantus/audio/stream.hpp"
#include "cantus/audio/mel.hpp"
#include "cantus/core/atomic_file.hpp"
#include "cantus/base/error.hpp"
#include "cantus/core/progress.hpp"
#include "cantus/core/tensor.hpp"
#include "cantus/data/checksum.hpp"
#include "cantus/data/corpus.hpp"
#include "cantus/data/file_identity.hpp"
#include "cantus/data/mapped_file.hpp"
#include "cantus/core/directory_lock.hpp"

namespace cantus::data {

struct feature_params {
  audio::mel_params mel{};     // mel.sr is the rate every file is decoded (resampled) to
  double raw_sample_rate = 0;  // > 0: also store the samples at this rate; 0: log-mel only
  double max_seconds = 0;      // > 0: keep only the first max_seconds of each track
  // A file decoding to less than this share of its declared duration is broken (audio::load).
  double min_decoded_share = audio::default_min_decoded_share;
};

// "key value" lines naming every parameter that changes the cached numbers.
inline std::string describe(const feature_params& p) {
  const auto& m = p.mel;
  std::ostringstream s;
  s.precision(17);
  s << "sr " << m.sr << "\nn_fft " << m.n_fft << "\nhop_length " << m.hop_length << "\nwin_length " << m.effective_win_length()
    << "\ncenter " << m.center << "\npad_mode " << (m.pad == audio::pad_mode::constant ? "constant" : "reflect") << "\npower "
    << m.power << "\nn_mels " << m.n_mels << "\nfmin " << m.fmin << "\nfmax " << m.effective_fmax() << "\nhtk " << m.htk << "\nnorm "
    << (m.norm == audio::mel_norm::slaney ? "slaney" : "none") << "\nref " << m.ref << "\nref_max " << m.ref_max << "\namin " << m.amin << "\ntop_db " << m.top_db
    << "\nraw_sample_rate " << p.raw_sample_rate << "\nmax_seconds " << p.max_seconds << "\nmin_decoded_share "
    << p.min_decoded_share << "\n";
  return s.str();
}

// What the cache depends on besides the parameters and the files' content: which tracks, with which
// labels and splits, from which files (relative to the corpus root). The content is not here: it is
// checked file by file (feature_store::build) and named by feature_store::content_key().
inline std::string corpus_fingerprint(const data::corpus& c) {
  data::checksum64 h;
  for (const auto& t : c.tracks) {
    auto rel = t.path.lexically_relative(c.root);
    if (rel.empty() || rel.native().starts_with("..")) rel = t.path;
    std::ostringstream line;
    line.precision(17);
    line << t.id << '\t' << rel.string() << '\t' << t.label_name << '\t' << split_name(t.split) << '\t' << t.min_seconds << '\n';
    h.add(line.str());
  }
  char hex[40];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h.value()));
  return cantus::detail::concat("corpus ", hex, " ", c.tracks.size(), " tracks\n");
}

struct stored_track {
  std::int64_t id = 0;
  data::split split = data::split::training;
  int label = -1;
  bool ok = false;
  std::uint64_t mel_offset = 0;  // in floats, into mel.f32
  std::uint64_t frames = 0;
  std::uint64_t raw_offset = 0;  // in floats, into raw.f32
  std::uint64_t raw_samples = 0;
  double seconds = 0;            // decoded length (after max_seconds)
  std::uint64_t checksum = 0;    // of the track's mel then raw floats
  std::string path;
  std::string message;           // why the track failed; for a kept track, what its decoding lost (or empty)
  std::uint64_t content = 0;     // checksum of the audio file's bytes it was extracted from (0: unreadable)
  data::file_identity identity;  // the file's stat identity when `content` was taken (empty: not recorded)
};

struct store_options {
  int threads = 0;                   // 0: omp_get_max_threads()
  bool verbose = true;               // progress bar, warnings and summary on stderr
  std::size_t checkpoint_tracks = 32;  // commit (fsync + journal) at least this often...
  double checkpoint_seconds = 5;       // ...or this often, whichever comes first
  // Asked after every committed track; returning false stops the build as an interruption would
  // (the committed tracks are kept and the next build resumes after them).
  std::function<bool()> keep_going;
};

struct build_report {
  std::filesystem::path dir;
  std::size_t tracks = 0, extracted = 0, reused = 0, failed = 0;
  std::size_t repaired = 0;  // damaged tracks of a complete store re-extracted and written back in place
  std::size_t rehashed = 0;  // audio files read again because their stat identity was not the recorded one
  std::vector<data::problem> changed;  // tracks extracted again because their audio file's content changed
  double audio_seconds = 0;  // of the tracks extracted in this run
  double wall_seconds = 0;
  int threads = 1;
  bool up_to_date = false, resumed = false, interrupted = false;
  std::string rebuild_reason;  // why an existing cache was not used as it was
  std::vector<data::problem> failures;
  std::vector<data::problem> losses;  // tracks kept although their decoding lost part of the file

  double realtime() const { return wall_seconds > 0 ? audio_seconds / wall_seconds : 0; }
  void print(std::FILE* out = stderr) const {
    if (up_to_date) {
      std::fprintf(out, "feature store %s: up to date (%zu tracks, %zu failed)\n", dir.c_str(), tracks, failed);
    } else {
      std::fprintf(out,
                   "feature store %s: %zu tracks: %zu extracted, %zu reused%s, %zu failed; %.1f s of audio in %.2f s "
                   "(%.0fx realtime, %d threads)%s\n",
                   dir.c_str(), tracks, extracted, reused, resumed ? " (resumed)" : "", failed, audio_seconds, wall_seconds,
                   realtime(), threads, interrupted ? "; INTERRUPTED, run again to resume" : "");
    }
    for (const auto& f : failures)
      std::fprintf(out, "  failed: track %06lld %s: %s\n", static_cast<long long>(f.track_id), f.path.c_str(), f.what.c_str());
    for (const auto& f : losses)
      std::fprintf(out, "  partly decoded, kept: track %06lld %s: %s\n", static_cast<long long>(f.track_id), f.path.c_str(),
                   f.what.c_str());
  }
};

namespace internal {

inline std::string clean_field(std::string s) {
  for (char& c : s)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return s;
}

struct index_contents {
  std::string params;  // describe() + corpus_fingerprint()
  std::vector<std::string> labels;
  std::vector<stored_track> tracks;
  std::uint64_t mel_floats = 0, raw_floats = 0;
  int version = 2;  // as read; 1: before each track recorded its audio's content (content, identity)
};

inline std::string hex64(std::uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
  return b;
}

// Always in the current format (2).
inline std::string format_index(const index_contents& x) {
  std::ostringstream s;
  s.precision(17);
  s << "cantus feature store 2\n" << x.params << "end params\nlabels\t" << x.labels.size();
  for (const auto& l : x.labels) s << '\t' << clean_field(l);
  s << "\ntracks\t" << x.tracks.size() << "\n";
  for (const auto& t : x.tracks) {
    char sum[24];
    std::snprintf(sum, sizeof sum, "%016llx", static_cast<unsigned long long>(t.checksum));
    s << t.id << '\t' << split_name(t.split) << '\t' << t.label << '\t' << (t.ok ? "ok" : "failed") << '\t' << t.mel_offset << '\t'
      << t.frames << '\t' << t.raw_offset << '\t' << t.raw_samples << '\t' << t.seconds << '\t' << sum << '\t' << hex64(t.content)
      << '\t' << t.identity.str() << '\t' << clean_field(t.path) << '\t' << clean_field(t.message) << '\n';
  }
  s << "mel_floats\t" << x.mel_floats << "\nraw_floats\t" << x.raw_floats << "\n";
  std::string body = s.str();
  char sum[40];
  std::snprintf(sum, sizeof sum, "checksum\t%016llx\n", static_cast<unsigned long long>(data::checksum(body)));
  return body + sum;
}

inline std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> f;
  std::size_t b = 0;
  for (;;) {
    const auto e = line.find('\t', b);
    f.push_back(line.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) return f;
    b = e + 1;
  }
}

// Parses an index or journal; throws io_error naming the file and what is wrong.
// A count in the index, as an io_error naming the line when it is not a plain decimal number.
template <class Bad>
std::uint64_t count_field(const std::string& text, const char* what, const Bad& bad) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    throw bad(cantus::detail::concat(what, ": '", text, "' is not a count"));
  return v;
}

inline index_contents parse_index(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error(cantus::detail::concat(path.string(), ": cannot open feature store index"));
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  auto bad = [&](const std::string& why) -> io_error { return io_error(cantus::detail::concat(path.string(), ": ", why)); };
  const auto last = text.rfind("checksum\t");
  if (last == std::string::npos || text.empty() || text.back() != '\n') throw bad("incomplete index (no final checksum line)");
  char expect[24];
  std::snprintf(expect, sizeof expect, "%016llx",
                static_cast<unsigned long long>(data::checksum(std::string_view(text).substr(0, last))));
  if (text.substr(last + 9, 16) != expect) throw bad("index checksum mismatch (file damaged or edited)");
  std::istringstream lines(text.substr(0, last));
  std::string line;
  index_contents x;
  if (!std::getline(lines, line) || (line != "cantus feature store 1" && line != "cantus feature store 2"))
    throw bad("not a cantus feature store index of format 1 or 2 (first line '" + line + "')");
  x.version = line.back() - '0';
  const std::size_t fields = x.version == 1 ? 12 : 14;
  while (std::getline(lines, line) && line != "end params") x.params += line + "\n";
  if (!std::getline(lines, line)) throw bad("missing labels line");
  auto f = split_tabs(line);
  if (f.size() < 2 || f[0] != "labels") throw bad("missing labels line");
  x.labels.assign(f.begin() + 2, f.end());
  if (!std::getline(lines, line) || (f = split_tabs(line)).size() != 2 || f[0] != "tracks") throw bad("missing tracks line");
  const auto n = count_field(f[1], "tracks line", bad);
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::getline(lines, line)) throw bad(cantus::detail::concat("index lists ", n, " tracks but holds ", i));
    f = split_tabs(line);
    if (f.size() != fields) throw bad(cantus::detail::concat("track line ", i + 1, " has ", f.size(), " fields, expected ", fields));
    stored_track t;
    try {
      t.id = std::stoll(f[0]);
      t.split = data::parse_split(f[1]);
      t.label = std::stoi(f[2]);
      t.ok = f[3] == "ok";
      t.mel_offset = std::stoull(f[4]);
      t.frames = std::stoull(f[5]);
      t.raw_offset = std::stoull(f[6]);
      t.raw_samples = std::stoull(f[7]);
      t.seconds = std::stod(f[8]);
      t.checksum = std::stoull(f[9], nullptr, 16);
      if (x.version >= 2) t.content = std::stoull(f[10], nullptr, 16);
    } catch (const std::exception& e) {
      throw bad(cantus::detail::concat("track line ", i + 1, " unreadable: ", e.what()));
    }
    if (x.version >= 2 && !data::file_identity::parse(f[11], t.identity))
      throw bad(cantus::detail::concat("track line ", i + 1, " has the file identity '", f[11], "', expected '-' or SIZE:MTIME:CTIME:INODE"));
    t.path = f[fields - 2];
    t.message = f[fields - 1];
    x.tracks.push_back(std::move(t));
  }
  for (auto* field : {&x.mel_floats, &x.raw_floats}) {
    if (!std::getline(lines, line) || (f = split_tabs(line)).size() != 2) throw bad("missing data length lines");
    *field = count_field(f[1], "data length line", bad);
  }
  return x;
}

// The value of "key value" in a parameter block.
inline std::optional<std::string> param_value(const std::string& params, std::string_view key) {
  std::istringstream in(params);
  std::string line;
  while (std::getline(in, line))
    if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 && line[key.size()] == ' ') return line.substr(key.size() + 1);
  return std::nullopt;
}

inline std::uint64_t track_checksum(const float* mel, std::size_t n_mel, const float* raw, std::size_t n_raw) {
  data::checksum64 h;
  h.add(mel, n_mel * sizeof(float));
  h.add(raw, n_raw * sizeof(float));
  return h.value();
}

inline std::uintmax_t file_size_or_zero(const std::filesystem::path& p) {
  std::error_code ec;
  const auto s = std::filesystem::file_size(p, ec);
  return ec ? 0 : s;
}

// An append-only float32 file that can be flushed to disk and truncated to a committed length.
class float_appender {
 public:
  float_appender() = default;
  float_appender(const std::filesystem::path& path, std::uint64_t keep_floats) : path_(path) {
    if (!std::filesystem::exists(path)) std::ofstream(path, std::ios::binary);
    std::filesystem::resize_file(path, keep_floats * sizeof(float));
    f_ = std::fopen(path.c_str(), "r+b");
    if (!f_) throw io_error(cantus::detail::concat(path.string(), ": cannot open for writing"));
    std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
    if (std::fseek(f_, 0, SEEK_END) != 0) throw io_error(cantus::detail::concat(path.string(), ": seek failed"));
  }
  ~float_appender() { close(); }
  float_appender(const float_appender&) = delete;
  float_appender& operator=(const float_appender&) = delete;
  float_appender(float_appender&& o) noexcept : path_(std::move(o.path_)), f_(std::exchange(o.f_, nullptr)) {}
  float_appender& operator=(float_appender&& o) noexcept {
    close();
    path_ = std::move(o.path_);
    f_ = std::exchange(o.f_, nullptr);
    return *this;
  }
  void write(const float* p, std::size_t n) {
    if (n && std::fwrite(p, sizeof(float), n, f_) != n)
      throw io_error(cantus::detail::concat(path_.string(), ": write failed (disk full?)"));
  }
  void sync() {
    if (!f_) return;
    if (std::fflush(f_) != 0) throw io_error(cantus::detail::concat(path_.string(), ": flush failed (disk full?)"));
    ::fsync(::fileno(f_));
  }
  void close() {
    if (f_) std::fclose(f_);
    f_ = nullptr;
  }

 private:
  std::filesystem::path path_;
  std::FILE* f_ = nullptr;
};

struct extracted {
  stored_track entry;
  std::vector<float> mel;  // [n_mels, frames]
  std::vector<float> raw;
  bool reused = false;     // copied from the store being replaced (its audio unchanged), not extracted
};

// One track's features from samples already decoded at p.mel.sr (what extract_track does after
// decoding, max_seconds aside): log-mel, and the samples as raw audio when p stores it (at p.mel.sr).
inline extracted extract_samples(std::int64_t id, std::vector<float> samples, const feature_params& p, const audio::mel_spectrogram& mel,
                                 int label = -1) {
  if (p.raw_sample_rate > 0 && p.raw_sample_rate != p.mel.sr)
    throw value_error("extract_samples: raw audio at another rate than the log-mel's is not supported");
  extracted r;
  r.entry.id = id;
  r.entry.label = label;
  r.entry.seconds = static_cast<double>(samples.size()) / p.mel.sr;
  auto m = mel.log(samples);
  r.entry.frames = static_cast<std::uint64_t>(m.shape()[1]);
  r.mel.assign(m.data(), m.data() + m.size());
  for (float v : r.mel)
    if (!std::isfinite(v)) throw io_error(cantus::detail::concat("track ", id, ": log-mel holds NaN or infinity"));
  if (p.raw_sample_rate > 0) r.raw = std::move(samples);
  r.entry.raw_samples = r.raw.size();
  r.entry.checksum = track_checksum(r.mel.data(), r.mel.size(), r.raw.data(), r.raw.size());
  r.entry.ok = true;
  return r;
}

// A track's audio at p.mel.sr, decoded and resampled block by block (audio::stream_reader), keeping only
// the first max_seconds: memory follows what is kept, not the file (a 3-hour file took 2 GB when decoded
// whole and resampled in one piece). The rest is decoded without being kept, so that a file damaged or
// truncated after max_seconds is judged whole, with load()'s checks and message.
inline audio::signal decode_kept(const std::filesystem::path& path, const feature_params& p) {
  audio::stream_reader in(path, p.mel.sr, audio::decode_block_frames, p.min_decoded_share);
  audio::signal s;
  s.source = path.string();
  s.sample_rate = in.sample_rate();
  const std::size_t keep =
      p.max_seconds > 0 ? static_cast<std::size_t>(std::llround(p.max_seconds * in.sample_rate())) : std::numeric_limits<std::size_t>::max();
  while (s.samples.size() < keep)
    if (in.read(s.samples, std::min<std::size_t>(keep - s.samples.size(), std::size_t{1} << 16)) == 0) break;
  in.skip_rest();
  s.decode_loss = in.decode_loss();
  return s;
}

inline extracted extract_track(const data::track& t, const feature_params& p, const audio::mel_spectrogram& mel) {
  extracted r;
  r.entry.id = t.id;
  r.entry.split = t.split;
  r.entry.label = t.label;
  r.entry.path = t.path.string();
  try {
    // The bytes the features come from, before they are decoded: a later build compares them.
    const auto source = data::file_content::of(t.path);
    r.entry.content = source.checksum;
    r.entry.identity = source.identity;
    auto sig = decode_kept(t.path, p);
    r.entry.seconds = sig.seconds();
    audio::require_length(t.path.string(), sig.samples.size(), sig.sample_rate, static_cast<std::uint64_t>(p.mel.n_fft));
    if (sig.seconds() < t.min_seconds)
      throw io_error(cantus::detail::concat("'", t.path.string(), "': decoded only ", sig.seconds(), " s of audio, fewer than the ",
                                            t.min_seconds, " s a track of this corpus needs (broken or truncated file)"));
    auto m = mel.log(sig.samples);
    r.entry.frames = static_cast<std::uint64_t>(m.shape()[1]);
    r.mel.assign(m.data(), m.data() + m.size());
    for (float v : r.mel)
      if (!std::isfinite(v)) throw io_error(cantus::detail::concat("'", t.path.string(), "': log-mel holds NaN or infinity"));
    if (p.raw_sample_rate > 0)
      r.raw = p.raw_sample_rate == sig.sample_rate ? std::move(sig.samples) : audio::resample(sig.samples, sig.sample_rate, p.raw_sample_rate);
    r.entry.raw_samples = r.raw.size();
    r.entry.checksum = track_checksum(r.mel.data(), r.mel.size(), r.raw.data(), r.raw.size());
    r.entry.message = std::move(sig.decode_loss);
    r.entry.ok = true;
  } catch (const std::exception& e) {
    r.mel.clear();
    r.raw.clear();
    const auto content = r.entry.content;
    const auto identity = r.entry.identity;
    r.entry = stored_track{t.id, t.split, t.label, false, 0, 0, 0, 0, r.entry.seconds, 0, t.path.string(), e.what(), content, identity};
  }
  return r;
}

// Writes `n` floats at float offset `at` of an existing data file, durably.
inline void write_back(const std::filesystem::path& path, std::uint64_t at, const float* v, std::size_t n) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) throw io_error(cantus::detail::concat(path.string(), ": cannot open for repair: ", std::strerror(errno)));
  const auto* bytes = reinterpret_cast<const char*>(v);
  std::size_t left = n * sizeof(float);
  auto off = static_cast<off_t>(at * sizeof(float));
  while (left > 0) {
    const auto w = ::pwrite(fd, bytes, left, off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      const int e = errno;
      ::close(fd);
      throw io_error(cantus::detail::concat(path.string(), ": write during repair failed: ", std::strerror(e)));
    }
    bytes += w;
    off += w;
    left -= static_cast<std::size_t>(w);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) throw io_error(cantus::detail::concat(path.string(), ": fsync during repair failed"));
}

// Re-extracts the `damaged` tracks of a complete store from their audio and writes them back where
// they were. Extraction is deterministic, so intact audio gives the very bytes the index's checksum
// describes; anything else (audio replaced by a file of the same size, extraction now failing) means
// the store cannot be mended track by track. Returns why not, or empty when every track was written.
inline std::string repair_in_place(const std::vector<stored_track>& stored, const std::vector<std::int64_t>& damaged,
                                   const data::corpus& c, const feature_params& p, const std::filesystem::path& dir) {
  std::map<std::int64_t, const data::track*> by_id;
  for (const auto& t : c.tracks) by_id.emplace(t.id, &t);
  std::map<std::int64_t, const stored_track*> entries;
  for (const auto& t : stored) entries.emplace(t.id, &t);
  const audio::mel_spectrogram mel(p.mel);
  const auto n_mels = static_cast<std::uint64_t>(p.mel.n_mels);
  std::vector<extracted> fresh(damaged.size());
  std::string why;
#pragma omp parallel for schedule(dynamic, 1)
  for (std::size_t i = 0; i < damaged.size(); ++i) {
    const auto at = by_id.find(damaged[i]);
    if (at == by_id.end()) continue;
    fresh[i] = extract_track(*at->second, p, mel);
  }
  for (std::size_t i = 0; i < damaged.size() && why.empty(); ++i) {
    const auto* e = entries.count(damaged[i]) ? entries.at(damaged[i]) : nullptr;
    const auto& r = fresh[i];
    if (!e || !by_id.count(damaged[i]))
      why = cantus::detail::concat("track ", damaged[i], " is not in the corpus any more");
    else if (!r.entry.ok)
      why = cantus::detail::concat("re-extracting track ", damaged[i], " failed: ", r.entry.message);
    else if (r.mel.size() != e->frames * n_mels || r.raw.size() != e->raw_samples || r.entry.checksum != e->checksum)
      why = cantus::detail::concat("re-extracting track ", damaged[i], " gave other data than the index records (its audio changed)");
  }
  if (!why.empty()) return why;
  for (std::size_t i = 0; i < damaged.size(); ++i) {
    const auto* e = entries.at(damaged[i]);
    write_back(dir / "mel.f32", e->mel_offset, fresh[i].mel.data(), fresh[i].mel.size());
    if (!fresh[i].raw.empty()) write_back(dir / "raw.f32", e->raw_offset, fresh[i].raw.data(), fresh[i].raw.size());
  }
  return {};
}

}  // namespace internal

class feature_store {
 public:
  // Opens a complete cache (index.tsv present); throws io_error naming what is missing or damaged.
  static feature_store open(const std::filesystem::path& dir) {
    feature_store s;
    s.dir_ = dir;
    s.x_ = internal::parse_index(dir / "index.tsv");
    auto num = [&](std::string_view key) {
      const auto v = internal::param_value(s.x_.params, key);
      if (!v) throw io_error(cantus::detail::concat((dir / "index.tsv").string(), ": parameter '", key, "' missing"));
      char* end = nullptr;
      const double d = std::strtod(v->c_str(), &end);
      if (v->empty() || *end || !std::isfinite(d) || d < 0 || d > 1e9)
        throw io_error(cantus::detail::concat((dir / "index.tsv").string(), ": parameter '", key, "' is '", *v, "', not a number"));
      return d;
    };
    s.n_mels_ = static_cast<int>(num("n_mels"));
    if (s.n_mels_ < 1) throw io_error(cantus::detail::concat((dir / "index.tsv").string(), ": parameter 'n_mels' is ", s.n_mels_, ", expected at least 1"));
    s.sample_rate_ = num("sr");
    s.hop_length_ = static_cast<int>(num("hop_length"));
    s.raw_sample_rate_ = num("raw_sample_rate");
    auto map = [&](const char* name, std::uint64_t floats) {
      const auto path = dir / name;
      if (floats == 0) return data::mapped_file();
      const auto have = internal::file_size_or_zero(path);
      if (have != floats * sizeof(float))
        throw io_error(cantus::detail::concat(path.string(), ": holds ", have, " bytes, the index expects ", floats * sizeof(float),
                                              " (damaged or from another build)"));
      return data::mapped_file(path);
    };
    // Raw samples exist exactly when the parameters ask for them; an index that disagrees would have
    // verify() and raw() read data that was never mapped.
    if (s.raw_sample_rate_ <= 0 && s.x_.raw_floats > 0)
      throw io_error(cantus::detail::concat((dir / "index.tsv").string(), ": lists ", s.x_.raw_floats,
                                            " raw samples but its parameters store none (raw_sample_rate 0)"));
    s.mel_ = map("mel.f32", s.x_.mel_floats);
    s.raw_ = map("raw.f32", s.x_.raw_floats);
    // Each bound is checked without a sum or product that could wrap: a damaged index with huge
    // offsets or lengths must be refused, never turned into a view past the mapping.
    const auto n_mels = static_cast<std::uint64_t>(s.n_mels_);
    for (const auto& t : s.x_.tracks)
      if (t.ok && (t.mel_offset > s.x_.mel_floats || (n_mels && t.frames > (s.x_.mel_floats - t.mel_offset) / n_mels) ||
                   t.raw_offset > s.x_.raw_floats || t.raw_samples > s.x_.raw_floats - t.raw_offset ||
                   t.frames > static_cast<std::uint64_t>(std::numeric_limits<index_t>::max())))
        throw io_error(cantus::detail::concat((dir / "index.tsv").string(), ": track ", t.id, " lies outside the data files"));
    return s;
  }

  // Extracts whatever the cache in `dir` lacks for `c` with `p`: nothing when it is complete with the
  // same parameters and corpus, the rest after an interruption, everything when they changed.
  static build_report build(const data::corpus& c, const feature_params& p, const std::filesystem::path& dir,
                            const store_options& opt = {});

  static feature_store open_or_build(const data::corpus& c, const feature_params& p, const std::filesystem::path& dir,
                                     const store_options& opt = {}, build_report* report = nullptr) {
    auto r = build(c, p, dir, opt);
    if (report) *report = r;
    if (r.interrupted) throw error(cantus::detail::concat(dir.string(), ": feature extraction interrupted; run again to resume"));
    return open(dir);
  }

  // A store of tracks extracted in memory (extract_samples), for audio that is not a corpus: the
  // `embed` and `predict` programs put each segment of a user's file here and read it through the
  // same data sets as training. `name` stands for the directory in messages.
  static feature_store in_memory(const feature_params& p, std::vector<internal::extracted> tracks, std::string name = "(in memory)") {
    feature_store s;
    s.dir_ = std::move(name);
    s.n_mels_ = p.mel.n_mels;
    s.sample_rate_ = p.mel.sr;
    s.hop_length_ = p.mel.hop_length;
    s.raw_sample_rate_ = p.raw_sample_rate;
    s.x_.params = describe(p);
    auto mel = std::make_shared<std::vector<float>>(), raw = std::make_shared<std::vector<float>>();
    for (auto& t : tracks) {
      t.entry.mel_offset = mel->size();
      t.entry.raw_offset = raw->size();
      mel->insert(mel->end(), t.mel.begin(), t.mel.end());
      raw->insert(raw->end(), t.raw.begin(), t.raw.end());
      s.x_.tracks.push_back(t.entry);
    }
    s.x_.mel_floats = mel->size();
    s.x_.raw_floats = raw->size();
    s.owned_mel_ = std::move(mel);
    s.owned_raw_ = std::move(raw);
    return s;
  }

  const std::filesystem::path& dir() const { return dir_; }
  const std::string& parameters() const { return x_.params; }
  int format_version() const { return x_.version; }
  // What the store holds, as one line "content <16 hex digits> <N> tracks": a checksum of its
  // parameters (the corpus listing included), labels, and every track's status, audio file content
  // and data. Caches and runs built from a store are keyed by it, so changed audio is another key
  // although its paths and sizes are the same. A store of format 1 recorded no audio content: it has
  // no key (value_error; build() extracts it again).
  std::string content_key() const {
    if (x_.version < 2)
      throw value_error(cantus::detail::concat(dir_.string(), ": feature store of format ", x_.version,
                                               " records no content checksums; build it again (feature_store::build)"));
    data::checksum64 h;
    h.add(x_.params);
    for (const auto& l : x_.labels) h.add(l).add("\n");
    for (const auto& t : x_.tracks)
      h.add(cantus::detail::concat(t.id, t.ok ? " ok " : " failed ", internal::hex64(t.content), " ", internal::hex64(t.checksum), "\n"));
    return cantus::detail::concat("content ", internal::hex64(h.value()), " ", x_.tracks.size(), " tracks");
  }
  const std::vector<std::string>& labels() const { return x_.labels; }
  int n_mels() const { return n_mels_; }
  double sample_rate() const { return sample_rate_; }
  int hop_length() const { return hop_length_; }
  double raw_sample_rate() const { return raw_sample_rate_; }
  bool has_raw() const { return raw_sample_rate_ > 0; }

  // Every track of the corpus, failed ones included (ok == false, with the reason in message).
  const std::vector<stored_track>& all() const { return x_.tracks; }
  // The usable tracks of one split, in corpus order.
  std::vector<const stored_track*> tracks(data::split s) const {
    std::vector<const stored_track*> r;
    for (const auto& t : x_.tracks)
      if (t.ok && t.split == s) r.push_back(&t);
    return r;
  }
  std::size_t failed() const {
    return static_cast<std::size_t>(std::count_if(x_.tracks.begin(), x_.tracks.end(), [](const auto& t) { return !t.ok; }));
  }
  const stored_track* find(std::int64_t id) const {
    for (const auto& t : x_.tracks)
      if (t.id == id) return &t;
    return nullptr;
  }

  // The track's log-mel, [n_mels, frames], read straight from the mapped file.
  tensor_view<const float, 2> mel(const stored_track& t) const {
    require_ok(t, "mel");
    return tensor_view<const float, 2>(mel_data() + t.mel_offset, {static_cast<index_t>(n_mels_), static_cast<index_t>(t.frames)});
  }
  // The track's samples at raw_sample_rate().
  std::span<const float> raw(const stored_track& t) const {
    require_ok(t, "raw");
    if (!has_raw())
      throw value_error(cantus::detail::concat(dir_.string(), ": raw audio was not stored (build with feature_params::raw_sample_rate > 0)"));
    return {raw_data() + t.raw_offset, static_cast<std::size_t>(t.raw_samples)};
  }

  // Recomputes every track's checksum; returns the ids of tracks whose data no longer matches.
  // Tracks in parallel (a whole fma_small store is about 26 GB of floats); ids in index order.
  std::vector<std::int64_t> verify() const {
    const auto n = static_cast<std::int64_t>(x_.tracks.size());
    std::vector<char> damaged(x_.tracks.size(), 0);
#pragma omp parallel for schedule(dynamic, 4)
    for (std::int64_t i = 0; i < n; ++i) {
      const auto& t = x_.tracks[static_cast<std::size_t>(i)];
      if (!t.ok) continue;
      const float* r = has_raw() ? raw_data() + t.raw_offset : nullptr;
      damaged[static_cast<std::size_t>(i)] =
          internal::track_checksum(mel_data() + t.mel_offset, t.frames * n_mels_, r, t.raw_samples) != t.checksum;
    }
    std::vector<std::int64_t> bad;
    for (std::size_t i = 0; i < damaged.size(); ++i)
      if (damaged[i]) bad.push_back(x_.tracks[i].id);
    return bad;
  }

 private:
  void require_ok(const stored_track& t, const char* what) const {
    if (!t.ok)
      throw value_error(cantus::detail::concat(dir_.string(), ": track ", t.id, " has no ", what, " features (extraction failed: ",
                                               t.message, ")"));
  }

  const float* mel_data() const { return owned_mel_ ? owned_mel_->data() : mel_.as<float>(); }
  const float* raw_data() const { return owned_raw_ ? owned_raw_->data() : raw_.as<float>(); }

  std::filesystem::path dir_;
  internal::index_contents x_;
  data::mapped_file mel_, raw_;
  std::shared_ptr<const std::vector<float>> owned_mel_, owned_raw_;  // in_memory()
  int n_mels_ = 0, hop_length_ = 0;
  double sample_rate_ = 0, raw_sample_rate_ = 0;
};

// The parts of feature_store::build, in the order it runs them.
namespace internal {

inline void check_params(const feature_params& p) {
  p.mel.validate();
  if (p.raw_sample_rate < 0 || !std::isfinite(p.raw_sample_rate))
    throw value_error(cantus::detail::concat("feature_store: raw_sample_rate must be >= 0 (0 = no raw audio), got ", p.raw_sample_rate));
  if (p.max_seconds < 0 || !std::isfinite(p.max_seconds))
    throw value_error(cantus::detail::concat("feature_store: max_seconds must be >= 0 (0 = whole track), got ", p.max_seconds));
  if (!(p.min_decoded_share >= 0 && p.min_decoded_share <= 1))
    throw value_error(cantus::detail::concat("feature_store: min_decoded_share must be a share from 0 to 1, got ", p.min_decoded_share));
}

struct store_files {
  std::filesystem::path index, journal, mel, raw, mel_partial, raw_partial;
  explicit store_files(const std::filesystem::path& dir)
      : index(dir / "index.tsv"), journal(dir / "journal.tsv"), mel(dir / "mel.f32"), raw(dir / "raw.f32"),
        mel_partial(dir / "mel.f32.partial"), raw_partial(dir / "raw.f32.partial") {}
};

// A build killed while publishing (data files renamed, index not yet written) left complete data
// under the final names and its journal: take them back as the partial files the journal describes,
// so the committed tracks are resumed instead of extracted again.
inline void reclaim_unpublished(const store_files& f) {
  namespace fs = std::filesystem;
  if (!fs::exists(f.index) && fs::exists(f.journal) && !fs::exists(f.mel_partial) && fs::exists(f.mel)) {
    publish_file(f.mel, f.mel_partial, false);
    if (!fs::exists(f.raw_partial) && fs::exists(f.raw)) publish_file(f.raw, f.raw_partial, false);
  }
}

// Kept tracks that failed or lost part of their audio are reported on every build, not only the one
// that extracted them.
inline void report_kept(build_report& rep, const std::vector<stored_track>& kept) {
  for (const auto& t : kept) {
    if (!t.ok) {
      ++rep.failed;
      rep.failures.push_back({t.id, t.path, t.message});
    } else if (!t.message.empty()) {
      rep.losses.push_back({t.id, t.path, t.message});
    }
  }
}

// Whether each stored track's audio file still holds the bytes it was extracted from. A file with the
// recorded stat identity is trusted; any other is hashed again (counted in rep.rehashed), and when
// its bytes are the same its new identity replaces the old one in `stored`. stored[i] is the track
// of c.tracks[i] (the caller has checked that the listings agree). Returns the indexes of the tracks
// whose content changed; `updated` says whether an identity was replaced.
inline std::vector<std::size_t> changed_sources(const data::corpus& c, std::vector<stored_track>& stored, int threads,
                                                build_report& rep, bool& updated) {
  const auto n = static_cast<std::int64_t>(stored.size());
  std::vector<char> changed(stored.size(), 0), rehashed(stored.size(), 0), renewed(stored.size(), 0);
#pragma omp parallel for schedule(dynamic, 1) num_threads(std::max(1, threads))
  for (std::int64_t i = 0; i < n; ++i) {
    auto& t = stored[static_cast<std::size_t>(i)];
    const auto& path = c.tracks[static_cast<std::size_t>(i)].path;
    if (!t.identity.empty() && data::file_identity::of(path) == t.identity) continue;
    rehashed[static_cast<std::size_t>(i)] = 1;
    data::file_content now;
    try {
      now = data::file_content::of(path);
    } catch (const io_error&) {
      now = {};  // unreadable now: the same as before only for a track whose file was unreadable then
    }
    if (now.checksum != t.content) {
      changed[static_cast<std::size_t>(i)] = 1;
    } else if (now.identity != t.identity) {
      t.identity = now.identity;
      renewed[static_cast<std::size_t>(i)] = 1;
    }
  }
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < stored.size(); ++i) {
    rep.rehashed += static_cast<std::size_t>(rehashed[i]);
    updated = updated || renewed[i];
    if (changed[i]) out.push_back(i);
  }
  return out;
}

// The tracks of the store being replaced whose audio is unchanged, by id, with the store's data:
// build() copies them instead of extracting them again.
struct prior_store {
  feature_store store;  // mapped: the data stays readable after its files are removed
  std::map<std::int64_t, stored_track> unchanged;
};

// The unchanged track `t` copied from `prior`, when it is there and its data matches its checksum.
inline std::optional<extracted> copy_unchanged(const prior_store& prior, const data::track& t) {
  const auto it = prior.unchanged.find(t.id);
  if (it == prior.unchanged.end() || it->second.path != t.path.string()) return std::nullopt;
  extracted r;
  r.entry = it->second;
  r.entry.split = t.split;
  r.entry.label = t.label;
  r.reused = true;
  if (r.entry.ok) {
    const auto mel = prior.store.mel(r.entry);
    r.mel.assign(mel.data(), mel.data() + mel.size());
    if (prior.store.has_raw()) {
      const auto raw = prior.store.raw(r.entry);
      r.raw.assign(raw.begin(), raw.end());
    }
    if (track_checksum(r.mel.data(), r.mel.size(), r.raw.data(), r.raw.size()) != r.entry.checksum) return std::nullopt;
  }
  return r;
}

// The complete cache in `dir`, when it was made with x's parameters and corpus from audio files that
// still hold the same bytes, and every track's data matches its checksum, damaged tracks re-extracted
// and written back in place first: true and rep filled in when it can be used as it is, else false
// with rep.rebuild_reason saying why. When only some files changed, `prior` receives the store with
// the tracks that did not, for build() to copy.
inline bool reuse_complete(const data::corpus& c, const feature_params& p, const std::filesystem::path& dir,
                           const index_contents& x, const store_options& opt, build_report& rep, std::optional<prior_store>& prior) {
  try {
    auto s = feature_store::open(dir);
    // Every track's data against its checksum before any of it is used: a damaged store is
    // extracted again from the audio, never read.
    std::vector<std::int64_t> damaged;
    std::string unrepaired;
    index_contents stored;
    bool renewed = false;
    std::vector<std::size_t> changed;
    if (s.format_version() < 2) {
      rep.rebuild_reason = cantus::detail::concat("written by an older cantus (feature store format ", s.format_version(),
                                                  "), which did not record each audio file's content; extracting again");
    } else if (s.parameters() != x.params || s.labels() != x.labels) {
      rep.rebuild_reason = "extraction parameters or corpus changed";
    } else if (stored = parse_index(dir / "index.tsv"), changed = changed_sources(c, stored.tracks, opt.threads, rep, renewed);
               !changed.empty()) {
      prior.emplace();
      for (std::size_t i = 0; i < stored.tracks.size(); ++i) prior->unchanged.emplace(stored.tracks[i].id, stored.tracks[i]);
      for (const auto i : changed) {
        const auto& t = stored.tracks[i];
        prior->unchanged.erase(t.id);
        rep.changed.push_back({t.id, c.tracks[i].path.string(), "its audio file's content changed since it was extracted (checksum " +
                                                                    hex64(t.content) + " then); extracting it again"});
      }
      prior->store = std::move(s);
      rep.rebuild_reason = cantus::detail::concat("the audio of ", changed.size(), " track", changed.size() == 1 ? "" : "s",
                                                  " changed since extraction (first: track ", stored.tracks[changed.front()].id, ", ",
                                                  c.tracks[changed.front()].path.string(), ")");
    } else if (damaged = s.verify(); !damaged.empty() && !(unrepaired = repair_in_place(s.all(), damaged, c, p, dir)).empty()) {
      rep.rebuild_reason = cantus::detail::concat("the data of ", damaged.size(), " track", damaged.size() == 1 ? "" : "s",
                                                  " is damaged (checksum mismatch, first: track ", damaged.front(), ") and ", unrepaired);
    } else if (!damaged.empty() && !(s = feature_store::open(dir)).verify().empty()) {
      rep.rebuild_reason = cantus::detail::concat("re-extracted tracks are still damaged after writing them back (first: track ",
                                                  damaged.front(), ")");
    } else {
      rep.repaired = damaged.size();
      if (opt.verbose && rep.repaired)
        std::fprintf(stderr, "feature store %s: %zu damaged track%s (checksum mismatch, first: track %lld) re-extracted from the audio\n",
                     dir.c_str(), rep.repaired, rep.repaired == 1 ? "" : "s", static_cast<long long>(damaged.front()));
      // Files hashed again with the same bytes: their new identities, so the next build trusts them.
      if (renewed) write_file_atomically(dir / "index.tsv", [&](std::ofstream& o) { o << format_index(stored); });
      rep.up_to_date = true;
      rep.reused = s.all().size();
      report_kept(rep, s.all());
      return true;
    }
  } catch (const io_error& e) {
    rep.rebuild_reason = e.what();
  }
  return false;
}

// The committed prefix of an interrupted build with x's parameters and corpus, into x, up to the
// first track whose data is missing or fails its checksum, or whose audio file changed since.
inline void resume_journal(const data::corpus& c, const feature_params& p, const store_files& f, index_contents& x,
                           const store_options& opt, build_report& rep) {
  try {
    auto j = parse_index(f.journal);
    if (j.version >= 2 && j.params == x.params && j.labels == x.labels && j.tracks.size() <= c.tracks.size()) {
      for (std::size_t i = 0; i < j.tracks.size(); ++i)
        if (j.tracks[i].id != c.tracks[i].id) {
          j.tracks.resize(i);
          break;
        }
      bool renewed = false;
      if (const auto changed = changed_sources(c, j.tracks, opt.threads, rep, renewed); !changed.empty()) {
        const auto& t = j.tracks[changed.front()];
        rep.changed.push_back({t.id, c.tracks[changed.front()].path.string(),
                               "its audio file's content changed since it was extracted; extracting it and the tracks after it again"});
        j.tracks.resize(changed.front());
      }
      const auto mel_have = file_size_or_zero(f.mel_partial) / sizeof(float);
      const auto raw_have = file_size_or_zero(f.raw_partial) / sizeof(float);
      data::mapped_file mm = mel_have ? data::mapped_file(f.mel_partial) : data::mapped_file();
      data::mapped_file rm = raw_have ? data::mapped_file(f.raw_partial) : data::mapped_file();
      const int n_mels = p.mel.n_mels;
      for (const auto& t : j.tracks) {
        if (t.id != c.tracks[x.tracks.size()].id) break;
        if (t.ok) {
          if (t.mel_offset != x.mel_floats || t.raw_offset != x.raw_floats) break;
          if (t.mel_offset + t.frames * n_mels > mel_have || t.raw_offset + t.raw_samples > raw_have) break;
          const float* r = t.raw_samples ? rm.as<float>() + t.raw_offset : nullptr;
          if (track_checksum(mm.as<float>() + t.mel_offset, t.frames * n_mels, r, t.raw_samples) != t.checksum) break;
          x.mel_floats += t.frames * n_mels;
          x.raw_floats += t.raw_samples;
        }
        x.tracks.push_back(t);
      }
      rep.resumed = !x.tracks.empty();
      if (x.tracks.size() < j.tracks.size())
        rep.rebuild_reason = cantus::detail::concat("journal lists ", j.tracks.size(), " tracks but the data of only ", x.tracks.size(),
                                                    " is intact");
    }
  } catch (const io_error& e) {
    x.tracks.clear();
    x.mel_floats = x.raw_floats = 0;
    rep.rebuild_reason = e.what();
  }
}

// Appends tracks, in corpus order, to the partial data files and to x, and commits them (data
// synced, then the journal) every opt.checkpoint_tracks tracks or opt.checkpoint_seconds, whichever
// comes first: what a killed build leaves is then at most one checkpoint behind.
class track_writer {
  using clock = std::chrono::steady_clock;

 public:
  track_writer(const store_files& f, bool with_raw, index_contents& x, const store_options& opt, build_report& rep)
      : f_(f), with_raw_(with_raw), x_(x), opt_(opt), rep_(rep), mel_(f.mel_partial, x.mel_floats) {
    if (with_raw) raw_ = float_appender(f.raw_partial, x.raw_floats);
    else std::filesystem::remove(f.raw_partial);
  }

  void append(extracted& r) {
    auto& e = r.entry;
    const auto write_frames = [&] {  // the track's frames at the end of the data files
      e.mel_offset = x_.mel_floats;
      e.raw_offset = x_.raw_floats;
      mel_.write(r.mel.data(), r.mel.size());
      raw_.write(r.raw.data(), r.raw.size());
      x_.mel_floats += r.mel.size();
      x_.raw_floats += r.raw.size();
    };
    if (r.reused) {  // copied from the store being replaced: counted and reported as a kept track
      if (e.ok) write_frames();
      ++rep_.reused;
      report_kept(rep_, {e});
    } else if (e.ok) {
      write_frames();
      ++rep_.extracted;
      rep_.audio_seconds += e.seconds;
      if (!e.message.empty()) {
        rep_.losses.push_back({e.id, e.path, e.message});
        if (opt_.verbose)
          std::fprintf(stderr, "%swarning: track %06lld kept, but %s\n", ::isatty(::fileno(stderr)) ? "\n" : "",
                       static_cast<long long>(e.id), e.message.c_str());
      }
    } else {
      ++rep_.failed;
      rep_.failures.push_back({e.id, e.path, e.message});
      if (opt_.verbose)
        std::fprintf(stderr, "%swarning: skipping track %06lld: %s\n", ::isatty(::fileno(stderr)) ? "\n" : "",
                     static_cast<long long>(e.id), e.message.c_str());
    }
    x_.tracks.push_back(std::move(e));
    ++since_commit_;
    if (since_commit_ >= opt_.checkpoint_tracks ||
        std::chrono::duration<double>(clock::now() - last_commit_).count() >= opt_.checkpoint_seconds)
      commit();
  }

  void commit() {
    mel_.sync();
    raw_.sync();
    write_file_atomically(f_.journal, [&](std::ofstream& o) { o << format_index(x_); });
    since_commit_ = 0;
    last_commit_ = clock::now();
  }

  // Data files first, the index last: its presence says the cache is complete.
  void publish() {
    mel_.sync();
    raw_.sync();
    mel_.close();
    raw_.close();
    publish_file(f_.mel_partial, f_.mel, false);  // synced above
    if (with_raw_) publish_file(f_.raw_partial, f_.raw, false);
    write_file_atomically(f_.index, [&](std::ofstream& o) { o << format_index(x_); });
    std::filesystem::remove(f_.journal);
  }

 private:
  const store_files& f_;
  bool with_raw_;
  index_contents& x_;
  const store_options& opt_;
  build_report& rep_;
  float_appender mel_, raw_;
  std::size_t since_commit_ = 0;
  clock::time_point last_commit_ = clock::now();
};

// Extracts tracks [first, size) of c on `threads` threads and hands each to `write` in corpus order,
// holding at most a window of results that wait for their turn. Stops when opt.keep_going says so.
// Returns the exception `write` threw, if any, which stopped every thread: the caller rethrows it
// once its progress bar is closed.
// `produce(i)` makes track i's result (extracted, or copied from the store being replaced).
template <class Produce, class Write>
std::exception_ptr extract_in_order(const data::corpus& c, std::size_t first, int threads, const store_options& opt, Produce&& produce,
                                    Write&& write) {
  const std::size_t n = c.tracks.size();
  std::mutex mu;
  std::condition_variable cv;
  std::size_t next_take = first, next_write = first;
  const std::size_t window = 4 * static_cast<std::size_t>(threads);
  std::map<std::size_t, extracted> ready;
  bool stop = false;
  std::exception_ptr fatal;
#pragma omp parallel num_threads(threads)
  {
    for (;;) {
      std::size_t i;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return stop || next_take >= n || next_take < next_write + window; });
        if (stop || next_take >= n) break;
        i = next_take++;
      }
      auto r = produce(i);
      std::unique_lock lock(mu);
      if (stop) break;
      ready.emplace(i, std::move(r));
      try {
        while (!stop && !ready.empty() && ready.begin()->first == next_write) {
          write(ready.begin()->second);
          ready.erase(ready.begin());
          ++next_write;
          if (opt.keep_going && next_write < n && !opt.keep_going()) stop = true;
        }
      } catch (...) {
        fatal = std::current_exception();
        stop = true;
      }
      cv.notify_all();
    }
  }
  return fatal;
}

}  // namespace internal

inline build_report feature_store::build(const data::corpus& c, const feature_params& p, const std::filesystem::path& dir,
                                         const store_options& opt) {
  namespace fs = std::filesystem;
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  internal::check_params(p);
  const directory_lock exclusive(dir, "feature store", opt.verbose);
  remove_stale_temporaries(dir);  // a journal commit killed mid-write leaves journal.tsv.tmp.PID.N
  const internal::store_files files(dir);
  internal::reclaim_unpublished(files);

  build_report rep;
  rep.dir = dir;
  rep.tracks = c.tracks.size();
  internal::index_contents x;
  x.params = describe(p) + corpus_fingerprint(c);
  x.labels = c.labels;

  // 1. A complete cache with the same parameters, corpus and audio: nothing to do.
  std::optional<internal::prior_store> prior;  // its tracks whose audio is unchanged, when only some changed
  if (fs::exists(files.index) && internal::reuse_complete(c, p, dir, x, opt, rep, prior)) {
    rep.wall_seconds = std::chrono::duration<double>(clock::now() - start).count();
    // Quiet when all is well, but a rerun must still say which tracks are left out and why.
    if (opt.verbose && (rep.failed || !rep.losses.empty())) rep.print();
    return rep;
  }
  // 2. An interrupted build with the same parameters: keep its committed prefix whose data is intact.
  if (fs::exists(files.journal)) internal::resume_journal(c, p, files, x, opt, rep);
  rep.reused = x.tracks.size();
  internal::report_kept(rep, x.tracks);
  // Whatever is not resumed goes: a stale index must never describe the new data files.
  for (const auto* stale : {&files.index, &files.mel, &files.raw}) fs::remove(*stale);
  if (x.tracks.empty()) fs::remove(files.journal);
  internal::track_writer writer(files, p.raw_sample_rate > 0, x, opt, rep);
  if (opt.verbose && !rep.rebuild_reason.empty()) std::fprintf(stderr, "feature store %s: %s\n", dir.c_str(), rep.rebuild_reason.c_str());
  if (opt.verbose && rep.resumed) std::fprintf(stderr, "feature store %s: resuming after %zu committed tracks\n", dir.c_str(), x.tracks.size());
  if (opt.verbose)
    for (const auto& ch : rep.changed)
      std::fprintf(stderr, "feature store %s: track %06lld %s: %s\n", dir.c_str(), static_cast<long long>(ch.track_id), ch.path.c_str(),
                   ch.what.c_str());

  // 3. The rest, extracted in parallel and written in corpus order.
  const std::size_t n = c.tracks.size();
  const int threads = std::max(1, std::min<int>(opt.threads > 0 ? opt.threads : omp_get_max_threads(),
                                                static_cast<int>(std::max<std::size_t>(1, n - x.tracks.size()))));
  rep.threads = threads;
  const audio::mel_spectrogram mel(p.mel);  // one FFT plan, shared read-only by all threads
  std::unique_ptr<progress> bar;
  if (opt.verbose && x.tracks.size() < n)
    bar = std::make_unique<progress>("extracting features", static_cast<std::int64_t>(n - x.tracks.size()), "tracks");
  auto produce = [&](std::size_t i) {
    if (prior)
      if (auto r = internal::copy_unchanged(*prior, c.tracks[i])) return std::move(*r);
    return internal::extract_track(c.tracks[i], p, mel);
  };
  const auto fatal = internal::extract_in_order(c, x.tracks.size(), threads, opt, produce, [&](internal::extracted& r) {
    writer.append(r);
    if (bar) bar->advance(1, rep.failed ? cantus::detail::concat("(", rep.failed, " failed)") : std::string());
  });
  if (bar) bar->finish();
  if (fatal) std::rethrow_exception(fatal);
  rep.interrupted = x.tracks.size() < n;
  if (rep.interrupted) writer.commit();
  else writer.publish();
  rep.wall_seconds = std::chrono::duration<double>(clock::now() - start).count();
  if (opt.verbose) rep.print();
  return rep;
}

}  // namespace cantus::data
