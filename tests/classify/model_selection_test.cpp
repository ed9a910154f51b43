// Stratified k-fold: scikit-learn's folds without shuffling (expected folds printed by scikit-learn
// 1.9.1's StratifiedKFold(4).split), a partition with each class spread over the folds when
// shuffled, and cross_val_accuracy on a separable problem.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>

#include "cantus/classify/logistic_regression.hpp"
#include "cantus/classify/model_selection.hpp"

using namespace cantus;
using namespace cantus::classify;

BOOST_AUTO_TEST_SUITE(model_selection)

BOOST_AUTO_TEST_CASE(unshuffled_folds_are_scikit_learns) {
  const std::vector<int> y{3, 1, 1, 2, 3, 3, 1, 2, 2, 2, 3, 1, 0, 0, 3};
  const auto folds = stratified_kfold{.n_splits = 4}.split(y);
  const std::vector<std::vector<Eigen::Index>> expected{{0, 1, 3, 4}, {2, 5, 7, 12}, {6, 8, 10, 13}, {9, 11, 14}};
  BOOST_REQUIRE_EQUAL(folds.size(), 4u);
  for (std::size_t f = 0; f < 4; ++f) {
    BOOST_TEST(folds[f].test == expected[f], "fold " << f);
    BOOST_TEST(folds[f].train.size() + folds[f].test.size() == y.size());
  }
}

BOOST_AUTO_TEST_CASE(shuffled_folds_partition_the_samples_and_spread_every_class) {
  std::vector<int> y;
  for (int i = 0; i < 60; ++i) y.push_back(i % 6);
  const auto a = stratified_kfold{.n_splits = 5, .shuffle = true, .random_state = 1}.split(y);
  const auto b = stratified_kfold{.n_splits = 5, .shuffle = true, .random_state = 1}.split(y);
  const auto c = stratified_kfold{.n_splits = 5, .shuffle = true, .random_state = 2}.split(y);
  std::multiset<Eigen::Index> seen;
  bool differs = false;
  for (std::size_t f = 0; f < a.size(); ++f) {
    seen.insert(a[f].test.begin(), a[f].test.end());
    std::vector<int> per_class(6, 0);
    for (auto i : a[f].test) ++per_class[static_cast<std::size_t>(y[static_cast<std::size_t>(i)])];
    for (int n : per_class) BOOST_TEST(n == 2);  // 10 of each class over 5 folds
    BOOST_TEST(a[f].test == b[f].test);           // same seed, same folds
    differs = differs || a[f].test != c[f].test;
  }
  BOOST_TEST(differs);
  BOOST_TEST(seen.size() == y.size());
  BOOST_TEST(std::set<Eigen::Index>(seen.begin(), seen.end()).size() == y.size());
  BOOST_CHECK_THROW(stratified_kfold{.n_splits = 1}.split(y), value_error);
  BOOST_CHECK_THROW(stratified_kfold{.n_splits = 61}.split(y), value_error);
}

BOOST_AUTO_TEST_CASE(cross_val_accuracy_scores_each_fold_with_a_fresh_estimator) {
  // Two classes on either side of x0 = 0: every fold is classified perfectly.
  row_matrix X(40, 2);
  std::vector<int> y;
  for (int i = 0; i < 40; ++i) {
    X(i, 0) = (i % 2 ? 1.0 : -1.0) * (1 + i % 5);
    X(i, 1) = (i * 7) % 3;
    y.push_back(i % 2);
  }
  const auto s = cross_val_accuracy([] { return logistic_regression(); }, X, y, stratified_kfold{.n_splits = 4}.split(y));
  BOOST_REQUIRE_EQUAL(s.per_fold.size(), 4u);
  BOOST_TEST(s.mean() == 1.0);
  BOOST_TEST(s.stddev() == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()
