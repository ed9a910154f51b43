#pragma once
// Feature extraction shared by the ranks of a job: the corpus is cut into blocks of block_tracks
// tracks in corpus order, the blocks are dealt round-robin to the ranks, and each block is a feature
// store of its own (DIR/parts/<first>-<last>, resumable like any store). When every block is
// complete, rank 0 joins them into DIR: the same bytes, index and offsets as one process's build (a
// store lists its tracks in corpus order whatever built it). So no track is decoded twice, a rank
// that dies loses only its unfinished block's uncommitted tracks, and a rerun with any number of
// ranks completes the store: the blocks depend on block_tracks, not on the ranks.
//
// DIR must be on a file system every rank sees (as the corpus must be).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cantus/distributed/group.hpp"
#include "cantus/data/feature_store.hpp"

namespace cantus::data {

namespace internal {

inline std::string block_name(std::size_t first, std::size_t last) {
  char b[64];
  std::snprintf(b, sizeof b, "%06zu-%06zu", first, last);
  return b;
}

// Appends a file's bytes to `out`; throws naming the file.
inline void append_file(std::ofstream& out, const std::filesystem::path& in_path, std::uint64_t bytes) {
  if (bytes == 0) return;
  std::ifstream in(in_path, std::ios::binary);
  if (!in) throw io_error(cantus::detail::concat(in_path.string(), ": cannot open feature block data"));
  std::vector<char> buf(std::size_t(1) << 22);
  std::uint64_t left = bytes;
  while (left > 0) {
    const auto n = static_cast<std::streamsize>(std::min<std::uint64_t>(left, buf.size()));
    if (!in.read(buf.data(), n)) throw io_error(cantus::detail::concat(in_path.string(), ": shorter than its index says"));
    out.write(buf.data(), n);
    left -= static_cast<std::uint64_t>(n);
  }
}

// Joins complete block stores, in corpus order, into the store at `dir` for corpus `c`.
inline void join_blocks(const data::corpus& c, const feature_params& p, const std::filesystem::path& dir,
                        const std::vector<std::filesystem::path>& blocks) {
  namespace fs = std::filesystem;
  index_contents x;
  x.params = describe(p) + corpus_fingerprint(c);
  x.labels = c.labels;
  const auto mel_partial = dir / "mel.f32.partial", raw_partial = dir / "raw.f32.partial";
  {
    std::ofstream mel(mel_partial, std::ios::binary | std::ios::trunc), raw;
    if (p.raw_sample_rate > 0) raw.open(raw_partial, std::ios::binary | std::ios::trunc);
    if (!mel || (p.raw_sample_rate > 0 && !raw)) throw io_error(cantus::detail::concat(dir.string(), ": cannot write the joined store"));
    for (const auto& b : blocks) {
      const auto part = parse_index(b / "index.tsv");
      for (auto t : part.tracks) {
        if (t.ok) {
          t.mel_offset += x.mel_floats;
          t.raw_offset += x.raw_floats;
        }
        x.tracks.push_back(std::move(t));
      }
      append_file(mel, b / "mel.f32", part.mel_floats * sizeof(float));
      if (p.raw_sample_rate > 0) append_file(raw, b / "raw.f32", part.raw_floats * sizeof(float));
      x.mel_floats += part.mel_floats;
      x.raw_floats += part.raw_floats;
    }
    mel.flush();
    raw.flush();
    if (!mel || (p.raw_sample_rate > 0 && !raw)) throw io_error(cantus::detail::concat(dir.string(), ": writing the joined store failed"));
  }
  if (x.tracks.size() != c.tracks.size())
    throw io_error(cantus::detail::concat(dir.string(), ": the blocks hold ", x.tracks.size(), " tracks, the corpus ", c.tracks.size()));
  for (std::size_t i = 0; i < x.tracks.size(); ++i)
    if (x.tracks[i].id != c.tracks[i].id)
      throw io_error(cantus::detail::concat(dir.string(), ": block track ", x.tracks[i].id, " where the corpus has ", c.tracks[i].id));
  // Data first, the index last: its presence says the store is complete.
  publish_file(mel_partial, dir / "mel.f32");
  if (p.raw_sample_rate > 0) publish_file(raw_partial, dir / "raw.f32");
  write_file_atomically(dir / "index.tsv", [&](std::ofstream& o) { o << format_index(x); });
}

}  // namespace internal

// The store of `c` in `dir`, built by the ranks of `group` together (see above); every rank returns
// it open. One rank: feature_store::open_or_build. A rank whose extraction fails ends the job with
// its message (the others would otherwise wait for it).
// `extracted`, when given, counts the tracks this rank decoded (0 when the store was complete).
inline feature_store open_or_build_sharded(const data::corpus& c, const feature_params& p, const std::filesystem::path& dir,
                                           distributed::process_group& group, store_options opt = {},
                                           std::size_t block_tracks = 32, std::size_t* extracted = nullptr) {
  namespace fs = std::filesystem;
  if (extracted) *extracted = 0;
  if (group.size() == 1) {
    build_report r;
    auto s = feature_store::open_or_build(c, p, dir, opt, &r);
    if (extracted) *extracted = r.extracted;
    return s;
  }
  if (block_tracks == 0) throw value_error("open_or_build_sharded: block_tracks must be >= 1");
  const std::string params = describe(p) + corpus_fingerprint(c);
  auto guarded = [&](const char* what, auto&& f) {
    try {
      f();
    } catch (const std::exception& e) {
      group.abort(cantus::detail::concat("feature store ", dir.string(), ": ", what, ": ", e.what()));
    }
  };
  // Is it complete already? Rank 0 looks, everyone hears.
  std::string state = "build";
  if (group.root())
    guarded("checking", [&] {
      fs::create_directories(dir);
      if (fs::exists(dir / "index.tsv")) try {
          auto s = feature_store::open(dir);
          // The same corpus listing is not the same corpus: rank 0 checks every file's content, and
          // extracts a changed file's track again on its own (the others are copied, not decoded).
          if (s.format_version() >= 2 && s.parameters() == params && s.labels() == c.labels) {
            const auto r = feature_store::build(c, p, dir, opt);
            if (extracted) *extracted = r.extracted;
            if (!r.interrupted) state = "complete";
          }
        } catch (const io_error&) {
        }
    });
  group.broadcast(state, 0);
  if (state == "complete") {
    feature_store s;
    guarded("opening", [&] { s = feature_store::open(dir); });
    return s;
  }

  const std::size_t n = c.tracks.size(), blocks = (n + block_tracks - 1) / block_tracks;
  std::vector<fs::path> parts;
  for (std::size_t b = 0; b < blocks; ++b)
    parts.push_back(dir / "parts" / internal::block_name(b * block_tracks, std::min(n, (b + 1) * block_tracks) - 1));
  const bool verbose = opt.verbose;
  opt.verbose = false;  // one line per block instead of every rank's progress bars
  guarded("extracting", [&] {
    for (std::size_t b = static_cast<std::size_t>(group.rank()); b < blocks; b += static_cast<std::size_t>(group.size())) {
      data::corpus part = c;
      part.tracks.assign(c.tracks.begin() + static_cast<std::ptrdiff_t>(b * block_tracks),
                         c.tracks.begin() + static_cast<std::ptrdiff_t>(std::min(n, (b + 1) * block_tracks)));
      fs::create_directories(parts[b]);
      const auto r = feature_store::build(part, p, parts[b], opt);
      if (extracted) *extracted += r.extracted;
      if (r.interrupted) throw error(cantus::detail::concat(parts[b].string(), ": interrupted"));
      if (verbose)
        std::fprintf(stderr, "feature store %s: rank %d: block %zu/%zu (%zu tracks) %s\n", dir.c_str(), group.rank(), b + 1, blocks,
                     part.tracks.size(), r.up_to_date ? "already complete" : cantus::detail::concat("extracted in ", r.wall_seconds, " s").c_str());
    }
  });
  group.barrier();
  if (group.root())
    guarded("joining the blocks", [&] {
      const directory_lock exclusive(dir, "feature store", verbose);
      remove_stale_temporaries(dir);
      internal::join_blocks(c, p, dir, parts);
      fs::remove_all(dir / "parts");
      fs::remove(dir / "journal.tsv");
    });
  group.barrier();
  feature_store s;
  guarded("opening", [&] { s = feature_store::open(dir); });
  return s;
}

}  // namespace cantus::data
