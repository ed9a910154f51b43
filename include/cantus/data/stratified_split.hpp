#pragma once
// A deterministic stratified split: within each label, whole groups (a clip with all of its chunks, or
// all clips of one groove) are shuffled by a counter-based random engine and dealt to validation, test
// and training in the requested proportions. The result depends only on the labels, the groups, the
// fractions and the seed, never on file system order or thread count.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <vector>

#include "cantus/base/error.hpp"
#include "cantus/core/random.hpp"
#include "cantus/data/corpus.hpp"

namespace cantus::data {

struct split_fractions {
  double training = 0.8;
  double validation = 0.1;
  double test = 0.1;
};

// Assigns track::split for every track. The unit is track::group (or the track id when group is -1);
// every group must have a single label.
inline void stratified_split(std::vector<track>& tracks, const split_fractions& f, std::uint64_t seed) {
  if (f.training < 0 || f.validation < 0 || f.test < 0 || std::abs(f.training + f.validation + f.test - 1.0) > 1e-6)
    throw value_error(cantus::detail::concat("stratified_split: fractions must be >= 0 and sum to 1, found training ", f.training,
                                             ", validation ", f.validation, ", test ", f.test));
  auto unit = [](const track& t) { return t.group >= 0 ? t.group : t.id; };
  // label -> sorted distinct groups
  std::map<int, std::vector<std::int64_t>> groups;
  std::map<std::int64_t, int> group_label;
  for (const auto& t : tracks) {
    auto [it, fresh] = group_label.emplace(unit(t), t.label);
    if (!fresh && it->second != t.label)
      throw value_error(cantus::detail::concat("stratified_split: group ", unit(t), " mixes labels ", it->second, " and ", t.label,
                                               " (track ", t.id, ")"));
    if (fresh) groups[t.label].push_back(unit(t));
  }
  std::map<std::int64_t, split> assigned;
  for (auto& [label, g] : groups) {
    std::sort(g.begin(), g.end());
    random_engine rng(seed, static_cast<std::uint64_t>(label) + 1);
    rng.shuffle(g.begin(), g.end());
    const auto n = static_cast<std::int64_t>(g.size());
    auto n_test = static_cast<std::int64_t>(std::llround(f.test * static_cast<double>(n)));
    auto n_val = static_cast<std::int64_t>(std::llround(f.validation * static_cast<double>(n)));
    // Keep at least one training group whenever training gets a share.
    while (f.training > 0 && n_test + n_val >= n && n > 0) {
      if (n_val >= n_test && n_val > 0) --n_val;
      else if (n_test > 0) --n_test;
      else break;
    }
    for (std::int64_t i = 0; i < n; ++i)
      assigned[g[i]] = i < n_test ? split::test : i < n_test + n_val ? split::validation : split::training;
  }
  for (auto& t : tracks) t.split = assigned.at(unit(t));
}

}  // namespace cantus::data
