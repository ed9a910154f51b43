#pragma once
// Folder-per-genre corpora (GTZAN's layout): ROOT/<genre>/*.{wav,mp3,flac,ogg,au}. The folder name is
// the label; tracks are numbered in (genre, file name) order and split by a deterministic stratified
// split, so the same tree and seed always give the same ids and splits.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cantus/base/error.hpp"
#include "cantus/data/corpus.hpp"
#include "cantus/data/stratified_split.hpp"

namespace cantus::data::folders {

struct options {
  split_fractions fractions{};
  std::uint64_t seed = 2019;
  double min_seconds = 1.0;  // decoded audio shorter than this is broken
};

inline bool is_audio_extension(const std::filesystem::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return e == ".wav" || e == ".mp3" || e == ".flac" || e == ".ogg" || e == ".au";
}

inline corpus load(const std::filesystem::path& root, const options& opt = {}) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(root)) throw io_error(cantus::detail::concat(root.string(), ": not a directory (expected ROOT/<genre>/*.wav)"));
  corpus c;
  c.name = "folders " + root.filename().string();
  c.root = root;
  std::vector<fs::path> genre_dirs;
  // An entry whose status cannot be read (a symbolic link loop, a dangling link, no permission) is
  // skipped with a problem naming it, instead of ending the load with std::filesystem's own text.
  auto unreadable = [&c](const fs::directory_entry& e, bool (fs::directory_entry::*test)(std::error_code&) const) {
    std::error_code ec;
    const bool yes = (e.*test)(ec);
    if (ec) c.problems.push_back({-1, e.path(), cantus::detail::concat("cannot be read (", ec.message(), "), skipped")});
    return ec ? std::optional<bool>() : std::optional<bool>(yes);
  };
  for (const auto& e : fs::directory_iterator(root)) {
    if (e.path().filename().string().starts_with('.')) continue;
    const auto is_dir = unreadable(e, &fs::directory_entry::is_directory);
    if (!is_dir) continue;
    if (*is_dir) genre_dirs.push_back(e.path());
    else if (is_audio_extension(e.path()))
      c.problems.push_back({-1, e.path(), "audio file outside a genre folder, ignored"});
  }
  std::sort(genre_dirs.begin(), genre_dirs.end());
  std::int64_t next_id = 1;
  for (const auto& dir : genre_dirs) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (!is_audio_extension(e.path()) || e.path().filename().string().starts_with('.')) continue;
      if (unreadable(e, &fs::directory_entry::is_regular_file).value_or(false)) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      c.problems.push_back({-1, dir, "genre folder without audio files, ignored"});
      continue;
    }
    for (const auto& f : files) {
      track t;
      t.id = next_id++;
      t.path = f;
      t.label_name = dir.filename().string();
      t.min_seconds = opt.min_seconds;
      c.tracks.push_back(std::move(t));
    }
  }
  if (c.tracks.empty()) throw io_error(cantus::detail::concat(root.string(), ": no audio files in ROOT/<genre>/ folders"));
  internal::index_labels(c);
  stratified_split(c.tracks, opt.fractions, opt.seed);
  return c;
}

}  // namespace cantus::data::folders
