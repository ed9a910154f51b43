#pragma once
// The Free Music Archive dataset (Defferrard et al. 2017): fma_metadata/tracks.csv and genres.csv,
// audio under fma_<subset>/NNN/NNNNNN.mp3. tracks.csv has three header lines (column group, field,
// then "track_id") and 52 columns in the real file; columns are found by (group, field), never by
// position, so trimmed copies and generated corpora in the same layout load too.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <limits>
#include <vector>

#include "cantus/base/error.hpp"
#include "cantus/data/corpus.hpp"
#include "cantus/data/csv.hpp"

namespace cantus::data::fma {

// FMA's nested subsets: small is inside medium, medium inside large, large inside full. tracks.csv's
// set/subset holds the smallest subset a track belongs to.
inline int subset_rank(std::string_view s) {
  if (s == "small") return 0;
  if (s == "medium") return 1;
  if (s == "large") return 2;
  if (s == "full") return 3;
  return -1;
}

// tracks.csv, parsed, with its columns addressable by (group, field).
class tracks_table {
 public:
  static tracks_table read(const std::filesystem::path& path) {
    tracks_table t;
    t.path_ = path;
    const std::string text = csv::read_text(path);
    std::size_t record_index = 0;
    std::string third;
    csv::parse_each(text, path.string(), [&](const csv::record& rec, std::size_t line) {
      const std::size_t r = record_index++;
      if (r == 0) t.groups_ = rec;
      else if (r == 1) t.fields_ = rec;
      else if (r == 2) third = rec.empty() ? std::string() : rec[0];
      if (r < 3) return;
      if (r == 3) t.check_header(third, line);
      if (rec.size() != t.groups_.size())
        throw io_error(cantus::detail::concat(path.string(), ":", line, ": record has ", rec.size(), " fields, the header has ",
                                              t.groups_.size()));
      // Cells live back to back in one string: the real file has 106,574 rows of 53 cells.
      for (const auto& cell : rec) {
        t.cells_ += cell;
        t.ends_.push_back(t.cells_.size());
      }
      t.lines_.push_back(line);
    });
    if (record_index <= 3) t.check_header(record_index == 3 ? third : std::string("<missing>"), 0);
    return t;
  }

  std::size_t columns() const { return groups_.size(); }
  const std::filesystem::path& path() const { return path_; }
  // Column index of (group, field), or nothing.
  std::optional<std::size_t> find(std::string_view group, std::string_view field) const {
    for (std::size_t c = 0; c < groups_.size(); ++c)
      if (groups_[c] == group && fields_[c] == field) return c;
    return std::nullopt;
  }
  std::size_t column(std::string_view group, std::string_view field) const {
    if (auto c = find(group, field)) return *c;
    throw io_error(cantus::detail::concat(path_.string(), ": no column ", group, "/", field, " in the header (", columns(),
                                          " columns)"));
  }
  std::size_t rows() const { return lines_.size(); }
  std::string_view at(std::size_t row, std::size_t col) const {
    const std::size_t k = row * groups_.size() + col;
    const std::size_t begin = k ? ends_[k - 1] : 0;
    return std::string_view(cells_).substr(begin, ends_[k] - begin);
  }
  std::size_t line(std::size_t row) const { return lines_[row]; }
  std::int64_t track_id(std::size_t row) const {
    const std::string_view s = at(row, 0);
    std::int64_t v = 0;
    bool ok = !s.empty();
    for (char c : s) {
      if (c < '0' || c > '9') { ok = false; break; }
      if (v > (std::numeric_limits<std::int64_t>::max() - (c - '0')) / 10)
        throw io_error(cantus::detail::concat(path_.string(), ":", lines_[row], ": track_id '", s,
                                              "' is out of range (at most ", std::numeric_limits<std::int64_t>::max(), ")"));
      v = v * 10 + (c - '0');
    }
    if (!ok) throw io_error(cantus::detail::concat(path_.string(), ":", lines_[row], ": track_id '", s, "' is not a number"));
    return v;
  }

 private:
  std::filesystem::path path_;
  std::vector<std::string> groups_, fields_;
  std::string cells_;
  std::vector<std::size_t> ends_;  // end of each cell in cells_, row-major
  std::vector<std::size_t> lines_;

  void check_header(const std::string& third, std::size_t) const {
    if (third != "track_id")
      throw io_error(cantus::detail::concat(path_.string(), ": not an FMA tracks.csv: expected three header lines (column group, "
                                            "field, then 'track_id'), found '", third, "' on line 3"));
    if (groups_.size() != fields_.size())
      throw io_error(cantus::detail::concat(path_.string(), ": header lines 1 and 2 have ", groups_.size(), " and ",
                                            fields_.size(), " columns"));
  }
};

struct genre {
  std::int64_t id = 0;
  std::int64_t tracks = 0;
  std::int64_t parent = 0;
  std::string title;
  std::int64_t top_level = 0;
};

// genres.csv: genre_id,#tracks,parent,title,top_level (columns found by name).
inline std::vector<genre> read_genres(const std::filesystem::path& path) {
  auto t = csv::read_file(path);
  if (t.records.empty()) throw io_error(cantus::detail::concat(path.string(), ": empty genres file"));
  const auto& h = t.records[0];
  auto col = [&](std::string_view name) -> std::size_t {
    for (std::size_t i = 0; i < h.size(); ++i)
      if (h[i] == name) return i;
    throw io_error(cantus::detail::concat(path.string(), ": no column '", name, "' in the header"));
  };
  const std::size_t cid = col("genre_id"), ctracks = col("#tracks"), cparent = col("parent"), ctitle = col("title"),
                    ctop = col("top_level");
  auto number = [&](const std::string& s, std::size_t line, std::string_view what) -> std::int64_t {
    try {
      std::size_t used = 0;
      const long long v = std::stoll(s, &used);
      if (used == s.size()) return v;
    } catch (const std::exception&) {
    }
    throw io_error(cantus::detail::concat(path.string(), ":", line, ": ", what, " '", s, "' is not an integer"));
  };
  std::vector<genre> out;
  for (std::size_t r = 1; r < t.records.size(); ++r) {
    const auto& rec = t.records[r];
    if (rec.size() != h.size())
      throw io_error(cantus::detail::concat(path.string(), ":", t.lines[r], ": record has ", rec.size(), " fields, the header has ",
                                            h.size()));
    out.push_back({number(rec[cid], t.lines[r], "genre_id"), number(rec[ctracks], t.lines[r], "#tracks"),
                   number(rec[cparent], t.lines[r], "parent"), rec[ctitle], number(rec[ctop], t.lines[r], "top_level")});
  }
  return out;
}

inline constexpr std::array<std::string_view, 5> audio_extensions = {".mp3", ".wav", ".flac", ".ogg", ".au"};

// "<audio root>/NNN/NNNNNN" without extension, from the 6-digit zero-padded id.
inline std::filesystem::path audio_stem(const std::filesystem::path& audio_root, std::int64_t id) {
  char name[32], dir[8];
  std::snprintf(name, sizeof name, "%06lld", static_cast<long long>(id));
  std::snprintf(dir, sizeof dir, "%.3s", name);
  return audio_root / dir / name;
}
// FMA ships .mp3; generated corpora in FMA's layout may use .wav or .flac. Returns the first existing
// file, or the .mp3 path (missing) when none exists.
inline std::filesystem::path audio_path(const std::filesystem::path& audio_root, std::int64_t id) {
  const auto stem = audio_stem(audio_root, id);
  for (auto ext : audio_extensions) {
    auto p = stem;
    p += ext;
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec)) return p;
  }
  auto p = stem;
  p += ".mp3";
  return p;
}

struct options {
  std::string subset = "small";          // small, medium, large or full
  std::filesystem::path audio_dir;       // default: ROOT/fma_<subset> (or a larger subset's folder)
  double min_seconds = 10;               // FMA clips are 30 s; capped at half of track/duration
  bool require_audio = true;             // drop tracks whose audio file is missing (a problem each)
};

// The audio folder for a subset: fma_<subset>, else the folder of a larger subset (which holds it).
inline std::filesystem::path default_audio_dir(const std::filesystem::path& root, std::string_view subset) {
  static constexpr std::string_view names[] = {"small", "medium", "large", "full"};
  for (int r = std::max(0, subset_rank(subset)); r < 4; ++r) {
    auto d = root / ("fma_" + std::string(names[r]));
    std::error_code ec;
    if (std::filesystem::is_directory(d, ec)) return d;
  }
  return root / ("fma_" + std::string(subset));
}

// Loads FMA's metadata (ROOT/fma_metadata/) for one subset: tracks with a split, a genre_top label and
// an audio file. Rows without a label or split, and missing audio files, become problems.
inline corpus load(const std::filesystem::path& root, const options& opt = {}) {
  const int want = subset_rank(opt.subset);
  if (want < 0) throw value_error(cantus::detail::concat("fma::load: subset '", opt.subset, "' (expected small, medium, large or full)"));
  const auto meta = root / "fma_metadata";
  if (!std::filesystem::is_directory(meta))
    throw io_error(cantus::detail::concat(root.string(), ": not an FMA root: no fma_metadata/ folder"));
  const auto table = tracks_table::read(meta / "tracks.csv");
  const std::size_t c_subset = table.column("set", "subset"), c_split = table.column("set", "split"),
                    c_genre = table.column("track", "genre_top");
  const auto c_duration = table.find("track", "duration");

  std::vector<std::string> top_level_titles;
  if (std::filesystem::exists(meta / "genres.csv"))
    for (const auto& g : read_genres(meta / "genres.csv"))
      if (g.id == g.top_level) top_level_titles.push_back(g.title);

  corpus c;
  c.name = "fma " + opt.subset;
  c.root = root;
  const auto audio_root = opt.audio_dir.empty() ? default_audio_dir(root, opt.subset) : opt.audio_dir;
  // One id, one clip: a repeated id (also written differently, 2 and 000002) could put the same
  // audio in training and test. Checked over the whole file, whatever subset is asked for.
  {
    std::unordered_map<std::int64_t, std::size_t> first_row;
    for (std::size_t r = 0; r < table.rows(); ++r) {
      const auto [it, fresh] = first_row.emplace(table.track_id(r), r);
      if (!fresh)
        throw io_error(cantus::detail::concat(table.path().string(), ":", table.line(r), ": track_id '", table.at(r, 0),
                                              "' repeats track ", it->first, " of line ", table.line(it->second), " ('",
                                              table.at(it->second, 0), "'): each track must be listed once"));
    }
  }
  for (std::size_t r = 0; r < table.rows(); ++r) {
    const std::string_view subset = table.at(r, c_subset);
    const int rank = subset_rank(subset);
    if (want < 3 && (rank < 0 || rank > want)) continue;
    const std::int64_t id = table.track_id(r);
    track t;
    t.id = id;
    t.path = audio_path(audio_root, id);
    const auto where = cantus::detail::concat(table.path().string(), ":", table.line(r));
    const std::string genre(table.at(r, c_genre));
    if (genre.empty()) {
      c.problems.push_back({id, t.path, where + ": no track/genre_top (unlabelled), skipped"});
      continue;
    }
    if (!top_level_titles.empty() && std::find(top_level_titles.begin(), top_level_titles.end(), genre) == top_level_titles.end())
      c.problems.push_back({id, t.path, where + ": genre_top '" + genre + "' is not a top-level genre in genres.csv (kept)"});
    try {
      t.split = parse_split(table.at(r, c_split), where + ": set/split");
    } catch (const value_error& e) {
      c.problems.push_back({id, t.path, std::string(e.what()) + ", skipped"});
      continue;
    }
    t.label_name = genre;
    t.min_seconds = opt.min_seconds;
    if (c_duration) {
      try {
        const double d = std::stod(std::string(table.at(r, *c_duration)));
        if (d > 0) t.min_seconds = std::min(opt.min_seconds, 0.5 * d);
      } catch (const std::exception&) {
      }
    }
    if (opt.require_audio) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(t.path, ec)) {
        c.problems.push_back({id, t.path, "missing audio file"});
        continue;
      }
    }
    c.tracks.push_back(std::move(t));
  }
  internal::index_labels(c);
  return c;
}

}  // namespace cantus::data::fma
