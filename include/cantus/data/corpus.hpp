#pragma once
// The one description of a labelled audio corpus that every source (FMA metadata, folder-per-genre
// trees, the generated style corpus) produces and every consumer (feature store, models, summaries)
// reads: tracks with an id, an audio path, a label and a split, plus the problems found on the way.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cantus/base/error.hpp"

namespace cantus::data {

enum class split : std::uint8_t { training = 0, validation = 1, test = 2 };
inline constexpr split all_splits[] = {split::training, split::validation, split::test};

inline constexpr std::string_view split_name(split s) {
  switch (s) {
    case split::training: return "training";
    case split::validation: return "validation";
    case split::test: return "test";
  }
  return "?";
}
// Accepts FMA's words (training / validation / test) and the usual short forms.
inline split parse_split(std::string_view word, std::string_view where = "split") {
  if (word == "training" || word == "train") return split::training;
  if (word == "validation" || word == "valid" || word == "val") return split::validation;
  if (word == "test") return split::test;
  throw value_error(detail::concat(where, ": unknown split '", word, "' (expected training, validation or test)"));
}

struct track {
  std::int64_t id = 0;
  std::filesystem::path path;
  int label = -1;          // index into corpus::labels
  std::string label_name;  // == corpus::labels[label]
  data::split split = split::training;
  // Decoded audio shorter than this is treated as broken (FMA's few-second clips); 0 accepts any.
  double min_seconds = 0;
  // Tracks from one recording (e.g. chunks, or clips of one groove) share a group; splits never
  // separate a group. -1 means the track is its own group.
  std::int64_t group = -1;
};

// Something wrong with one track or file: named so a user can find and fix it.
struct problem {
  std::int64_t track_id = -1;  // -1 when the file has no track id (e.g. a stray file in a folder)
  std::filesystem::path path;
  std::string what;
};

struct corpus {
  std::string name;                 // e.g. "fma small", "folders gtzan-mini"
  std::filesystem::path root;
  std::vector<std::string> labels;  // label index -> genre name, sorted by name
  std::vector<track> tracks;        // in a deterministic order (by id)
  std::vector<problem> problems;    // found while reading the metadata / listing files

  std::size_t size() const { return tracks.size(); }
  std::vector<const track*> in(split s) const {
    std::vector<const track*> r;
    for (const auto& t : tracks)
      if (t.split == s) r.push_back(&t);
    return r;
  }
  std::size_t count(split s) const {
    return static_cast<std::size_t>(std::count_if(tracks.begin(), tracks.end(), [&](const track& t) { return t.split == s; }));
  }
  std::size_t count(split s, int label) const {
    return static_cast<std::size_t>(
        std::count_if(tracks.begin(), tracks.end(), [&](const track& t) { return t.split == s && t.label == label; }));
  }
  int label_index(std::string_view wanted) const {
    for (std::size_t i = 0; i < labels.size(); ++i)
      if (labels[i] == wanted) return static_cast<int>(i);
    return -1;
  }
  const track* find(std::int64_t id) const {
    auto it = std::lower_bound(tracks.begin(), tracks.end(), id, [](const track& t, std::int64_t v) { return t.id < v; });
    return it != tracks.end() && it->id == id ? &*it : nullptr;
  }
};

namespace internal {
// Gives every track its label index from its label name, labels sorted by name; tracks sorted by id.
inline void index_labels(corpus& c) {
  std::map<std::string, int> names;
  for (const auto& t : c.tracks) names.emplace(t.label_name, 0);
  c.labels.clear();
  for (auto& [name, index] : names) {
    index = static_cast<int>(c.labels.size());
    c.labels.push_back(name);
  }
  for (auto& t : c.tracks) t.label = names.at(t.label_name);
  std::sort(c.tracks.begin(), c.tracks.end(), [](const track& a, const track& b) { return a.id < b.id; });
}
}  // namespace internal

}  // namespace cantus::data
