#pragma once
// Stratified k-fold cross-validation, as scikit-learn's model_selection.StratifiedKFold and
// cross_val_score(scoring="accuracy") compute it: every fold's test part holds each class in about
// the proportion of the whole. Without shuffling the folds are scikit-learn's exactly (its allocation
// of each class's samples, in data order); with shuffle each class's fold assignment is permuted by
// cantus' own generator (so the folds differ from numpy's for the same seed).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <vector>

#include "cantus/base/error.hpp"
#include "cantus/classify/common.hpp"
#include "cantus/classify/metrics.hpp"
#include "cantus/core/random.hpp"

namespace cantus::classify {

struct fold {
  std::vector<Eigen::Index> train, test;
};

struct stratified_kfold {
  int n_splits = 5;
  bool shuffle = false;
  std::uint64_t random_state = 0;

  std::vector<fold> split(const std::vector<int>& y) const {
    if (n_splits < 2) throw_value_error("stratified_kfold: n_splits must be >= 2, got ", n_splits);
    // Classes are numbered in the order they first appear (scikit-learn's encoding).
    std::map<int, int> code;
    std::vector<int> first_seen;
    for (int v : y)
      if (code.emplace(v, static_cast<int>(first_seen.size())).second) first_seen.push_back(v);
    // (scikit-learn only warns when a class has fewer members than folds: such a class is simply
    // missing from some test folds.)
    if (n_splits > static_cast<int>(y.size()))
      throw_value_error("stratified_kfold: n_splits = ", n_splits, " exceeds the number of samples, ", y.size());
    // allocation[i][c]: how many of class c fold i tests: the sorted labels dealt round-robin.
    std::vector<int> sorted;
    for (int v : y) sorted.push_back(code[v]);
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::vector<int>> allocation(static_cast<std::size_t>(n_splits), std::vector<int>(code.size(), 0));
    for (std::size_t i = 0; i < sorted.size(); ++i)
      ++allocation[i % static_cast<std::size_t>(n_splits)][static_cast<std::size_t>(sorted[i])];
    std::vector<int> test_fold(y.size(), 0);
    for (std::size_t ci = 0; ci < first_seen.size(); ++ci) {
      const int cls = first_seen[ci], c = static_cast<int>(ci);
      std::vector<int> folds_for_class;
      for (int i = 0; i < n_splits; ++i)
        folds_for_class.insert(folds_for_class.end(), static_cast<std::size_t>(allocation[static_cast<std::size_t>(i)][static_cast<std::size_t>(c)]), i);
      if (shuffle) {
        random_engine rng(random_state, 0x6B666F6CULL + static_cast<std::uint64_t>(c));
        rng.shuffle(folds_for_class.begin(), folds_for_class.end());
      }
      std::size_t next = 0;
      for (std::size_t i = 0; i < y.size(); ++i)
        if (y[i] == cls) test_fold[i] = folds_for_class[next++];
    }
    std::vector<fold> out(static_cast<std::size_t>(n_splits));
    for (std::size_t i = 0; i < y.size(); ++i)
      for (int f = 0; f < n_splits; ++f)
        (test_fold[i] == f ? out[static_cast<std::size_t>(f)].test : out[static_cast<std::size_t>(f)].train)
            .push_back(static_cast<Eigen::Index>(i));
    return out;
  }
};

struct cv_scores {
  std::vector<double> per_fold;
  double mean() const {
    double s = 0;
    for (double v : per_fold) s += v;
    return per_fold.empty() ? 0.0 : s / static_cast<double>(per_fold.size());
  }
  double stddev() const {  // population, as numpy's std() of cross_val_score's result
    const double m = mean();
    double s = 0;
    for (double v : per_fold) s += (v - m) * (v - m);
    return per_fold.empty() ? 0.0 : std::sqrt(s / static_cast<double>(per_fold.size()));
  }
};

// Accuracy of a fresh estimator (make()) fitted on each fold's training rows and scored on its test
// rows: cross_val_score(estimator, X, y, cv=folds).
template <class MakeEstimator>
cv_scores cross_val_accuracy(MakeEstimator&& make, const row_matrix& X, const std::vector<int>& y, const std::vector<fold>& folds) {
  if (static_cast<std::size_t>(X.rows()) != y.size())
    throw_value_error("cross_val_accuracy: X has ", X.rows(), " rows but y has ", y.size(), " labels");
  cv_scores s;
  for (const auto& f : folds) {
    row_matrix Xtr(static_cast<Eigen::Index>(f.train.size()), X.cols()), Xte(static_cast<Eigen::Index>(f.test.size()), X.cols());
    std::vector<int> ytr, yte;
    for (std::size_t i = 0; i < f.train.size(); ++i) {
      Xtr.row(static_cast<Eigen::Index>(i)) = X.row(f.train[i]);
      ytr.push_back(y[static_cast<std::size_t>(f.train[i])]);
    }
    for (std::size_t i = 0; i < f.test.size(); ++i) {
      Xte.row(static_cast<Eigen::Index>(i)) = X.row(f.test[i]);
      yte.push_back(y[static_cast<std::size_t>(f.test[i])]);
    }
    auto est = make();
    est.fit(Xtr, ytr);
    s.per_fold.push_back(accuracy_score(yte, est.predict(Xte)));
  }
  return s;
}

}  // namespace cantus::classify
