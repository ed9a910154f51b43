#pragma once
// Classification metrics with scikit-learn's definitions (sklearn.metrics): accuracy, the confusion
// matrix (rows = true class, columns = predicted, classes = sorted union of both label sets unless
// given), per-class precision/recall/F1 (0 where undefined, as zero_division=0) and macro-F1; and
// how far an accuracy measured on n samples can be trusted: its Wilson interval and the one-sided
// binomial p-value against chance (scipy.stats.binomtest's definitions).
#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "cantus/classify/common.hpp"

namespace cantus::classify {

namespace detail {
inline void check_same_length(std::string_view where, labels_ref y_true, labels_ref y_pred) {
  if (y_true.size() != y_pred.size())
    throw shape_error(cantus::detail::concat(where, ": y_true and y_pred must have the same length but found ",
                                             y_true.size(), " and ", y_pred.size()));
  if (y_true.size() == 0) throw value_error(cantus::detail::concat(where, ": y_true and y_pred are empty"));
}
}  // namespace detail

inline double accuracy_score(labels_ref y_true, labels_ref y_pred) {
  detail::check_same_length("accuracy_score", y_true, y_pred);
  std::size_t hits = 0;
  for (std::size_t i = 0; i < y_true.size(); ++i) hits += y_true[i] == y_pred[i];
  return static_cast<double>(hits) / static_cast<double>(y_true.size());
}

// Wilson score interval for a proportion of `successes` out of `n` (scipy.stats.binomtest(...)
// .proportion_ci(method="wilson")); z = 1.959964 is 95 %. Unlike the normal approximation it stays
// inside [0, 1] and is sound for the small test sets of genre corpora.
inline std::pair<double, double> wilson_interval(std::size_t successes, std::size_t n, double z = 1.959963984540054) {
  if (n == 0) throw value_error("wilson_interval: n must be > 0");
  if (successes > n) throw value_error(cantus::detail::concat("wilson_interval: successes ", successes, " > n ", n));
  const double nn = static_cast<double>(n), ph = static_cast<double>(successes) / nn, z2 = z * z;
  const double centre = (ph + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half = z / (1 + z2 / nn) * std::sqrt(ph * (1 - ph) / nn + z2 / (4 * nn * nn));
  // At 0 or n successes the bound is exactly 0 or 1; the formula gives it only to rounding.
  return {successes == 0 ? 0.0 : std::max(0.0, centre - half), successes == n ? 1.0 : std::min(1.0, centre + half)};
}

// P(X >= successes) for X ~ Binomial(n, p): the one-sided p-value of "better than chance p"
// (scipy.stats.binomtest(successes, n, p, alternative="greater").pvalue). Summed in log space, so
// it is exact to rounding for any n a test set has.
inline double binomial_p_value_greater(std::size_t successes, std::size_t n, double p) {
  if (successes > n) throw value_error(cantus::detail::concat("binomial_p_value_greater: successes ", successes, " > n ", n));
  if (!(p > 0 && p < 1)) throw value_error(cantus::detail::concat("binomial_p_value_greater: p must be in (0, 1), got ", p));
  const double nn = static_cast<double>(n), log_n_fact = std::lgamma(nn + 1), log_p = std::log(p), log_q = std::log1p(-p);
  double tail = 0;
  for (std::size_t k = successes; k <= n; ++k) {
    const double kk = static_cast<double>(k);
    tail += std::exp(log_n_fact - std::lgamma(kk + 1) - std::lgamma(nn - kk + 1) + kk * log_p + (nn - kk) * log_q);
  }
  return std::min(1.0, tail);
}

// The sorted union of the labels in y_true and y_pred (sklearn.utils.multiclass.unique_labels).
inline std::vector<int> unique_labels(labels_ref y_true, labels_ref y_pred) {
  std::vector<int> labels(y_true.values.begin(), y_true.values.end());
  labels.insert(labels.end(), y_pred.values.begin(), y_pred.values.end());
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  return labels;
}

// C(i, j) = number of samples of true class labels[i] predicted as labels[j]. Samples whose labels
// are not in `labels` are ignored, as scikit-learn does.
inline Eigen::MatrixXi confusion_matrix(labels_ref y_true, labels_ref y_pred, std::vector<int> labels = {}) {
  detail::check_same_length("confusion_matrix", y_true, y_pred);
  if (labels.empty()) labels = unique_labels(y_true, y_pred);
  Eigen::MatrixXi C = Eigen::MatrixXi::Zero(static_cast<Eigen::Index>(labels.size()), static_cast<Eigen::Index>(labels.size()));
  auto index_of = [&](int v) -> Eigen::Index {
    auto it = std::find(labels.begin(), labels.end(), v);
    return it == labels.end() ? -1 : static_cast<Eigen::Index>(it - labels.begin());
  };
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    const auto t = index_of(y_true[i]), p = index_of(y_pred[i]);
    if (t >= 0 && p >= 0) ++C(t, p);
  }
  return C;
}

struct class_scores {
  std::vector<int> labels;
  std::vector<double> precision, recall, f1;
  std::vector<int> support;  // true samples per class
};

// Per-class precision, recall and F1 over `labels` (default: the union of both label sets).
inline class_scores precision_recall_fscore_support(labels_ref y_true, labels_ref y_pred, std::vector<int> labels = {}) {
  if (labels.empty()) labels = unique_labels(y_true, y_pred);
  const Eigen::MatrixXi C = confusion_matrix(y_true, y_pred, labels);
  class_scores s;
  s.labels = labels;
  for (Eigen::Index k = 0; k < C.rows(); ++k) {
    const double tp = C(k, k), predicted = C.col(k).sum(), actual = C.row(k).sum();
    const double p = predicted > 0 ? tp / predicted : 0.0, r = actual > 0 ? tp / actual : 0.0;
    s.precision.push_back(p);
    s.recall.push_back(r);
    s.f1.push_back(p + r > 0 ? 2 * p * r / (p + r) : 0.0);
    s.support.push_back(static_cast<int>(actual));
  }
  return s;
}

// Unweighted mean of the per-class F1 (f1_score(average="macro")).
inline double f1_macro(labels_ref y_true, labels_ref y_pred, std::vector<int> labels = {}) {
  const auto s = precision_recall_fscore_support(y_true, y_pred, std::move(labels));
  double sum = 0;
  for (double f : s.f1) sum += f;
  return s.f1.empty() ? 0.0 : sum / static_cast<double>(s.f1.size());
}

}  // namespace cantus::classify
