#pragma once
// Disentanglement of a code (latents, one row per sample) against known discrete factors of
// variation (one column per factor, integer values), as disentanglement_lib (Locatello et al. 2019)
// computes them:
//   mig   Mutual Information Gap (Chen et al. 2018): each code dimension discretised into num_bins
//         equal-width bins over its range (np.histogram + np.digitize, 20 bins as the library's
//         default); mutual information between every code dimension and every factor
//         (sklearn.metrics.mutual_info_score, nats); per factor the gap between the two most
//         informative dimensions divided by the factor's entropy; the score is the mean over factors.
//   dci   Disentanglement, Completeness, Informativeness (Eastwood & Williams 2018): an importance
//         matrix R (codes x factors) from one predictor per factor, then
//           disentanglement = sum_i rho_i (1 - H_K(R_i. / sum R_i.)),  rho_i = sum_j R_ij / sum R
//           completeness    = sum_j rho_j (1 - H_D(R_.j / sum R_.j)),  rho_j = sum_i R_ij / sum R
//         (entropies in base K = factors and D = codes), informativeness = the predictors' mean test
//         accuracy. disentanglement_lib takes R from gradient-boosted trees; here it is a random
//         forest's impurity importances (classify::random_forest, every feature tried at each split:
//         dci_forest()), which the same formulas aggregate.
//   sap   Separated Attribute Predictability (Kumar et al. 2018): for every code dimension and factor
//         the test accuracy of a classifier of the factor from that one dimension; per factor the gap
//         between the two best dimensions; the score is the mean over factors. disentanglement_lib's
//         classifier is LinearSVC(C=0.01, class_weight="balanced"); here a multinomial logistic
//         regression on the standardised dimension (classify::logistic_regression), also linear in
//         the one input.
// dci_scores() is the aggregation alone, for any importance matrix.
#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <vector>

#include "cantus/base/error.hpp"
#include "cantus/classify/common.hpp"
#include "cantus/classify/logistic_regression.hpp"
#include "cantus/classify/metrics.hpp"
#include "cantus/classify/random_forest.hpp"

namespace cantus::classify {

using factor_matrix = Eigen::Matrix<int, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;  // samples x factors

// Each column of `codes` in num_bins equal-width bins over its range: values 1..num_bins, as
// np.digitize(x, np.histogram(x, num_bins)[1][:-1]).
inline factor_matrix discretize(const row_matrix& codes, int num_bins = 20) {
  if (num_bins < 1) throw_value_error("discretize: num_bins must be >= 1, got ", num_bins);
  factor_matrix out(codes.rows(), codes.cols());
  for (Eigen::Index j = 0; j < codes.cols(); ++j) {
    double lo = codes.col(j).minCoeff(), hi = codes.col(j).maxCoeff();
    if (lo == hi) lo -= 0.5, hi += 0.5;  // np.histogram's range for a constant column
    std::vector<double> edges(static_cast<std::size_t>(num_bins));
    const double step = (hi - lo) / num_bins;  // np.linspace's arithmetic, so edge values agree to the bit
    for (int b = 0; b < num_bins; ++b) edges[static_cast<std::size_t>(b)] = b * step + lo;
    for (Eigen::Index i = 0; i < codes.rows(); ++i)  // digitize: how many edges are <= x
      out(i, j) = static_cast<int>(std::upper_bound(edges.begin(), edges.end(), codes(i, j)) - edges.begin());
  }
  return out;
}

// Mutual information of two label sequences in nats (sklearn.metrics.mutual_info_score).
template <class A, class B>
double mutual_info(const A& a, const B& b) {
  const Eigen::Index n = a.size();
  if (b.size() != n) throw_value_error("mutual_info: ", n, " and ", b.size(), " labels");
  if (n == 0) return 0.0;
  std::map<int, double> pa, pb;
  std::map<std::pair<int, int>, double> pab;
  for (Eigen::Index i = 0; i < n; ++i) {
    pa[a(i)] += 1;
    pb[b(i)] += 1;
    pab[{a(i), b(i)}] += 1;
  }
  const double N = static_cast<double>(n);
  double mi = 0;
  for (const auto& [k, c] : pab) mi += c / N * std::log(c * N / (pa[k.first] * pb[k.second]));
  return std::max(0.0, mi);
}
template <class A>
double entropy(const A& a) {
  return mutual_info(a, a);
}

struct mig_result {
  double score = 0;
  std::vector<double> per_factor;  // (top - second) / H(factor)
  Eigen::MatrixXd mutual_info;     // codes x factors, nats
};

inline mig_result mig(const row_matrix& codes, const factor_matrix& factors, int num_bins = 20) {
  if (codes.rows() != factors.rows())
    throw_value_error("mig: ", codes.rows(), " codes but ", factors.rows(), " factor rows");
  if (codes.cols() < 2) throw_value_error("mig: needs at least 2 code dimensions, got ", codes.cols());
  const factor_matrix d = discretize(codes, num_bins);
  mig_result r;
  r.mutual_info = Eigen::MatrixXd(codes.cols(), factors.cols());
  for (Eigen::Index i = 0; i < codes.cols(); ++i)
    for (Eigen::Index j = 0; j < factors.cols(); ++j) r.mutual_info(i, j) = mutual_info(d.col(i), factors.col(j));
  double sum = 0;
  for (Eigen::Index j = 0; j < factors.cols(); ++j) {
    std::vector<double> m(r.mutual_info.col(j).data(), r.mutual_info.col(j).data() + codes.cols());
    std::sort(m.begin(), m.end(), std::greater<>());
    const double h = entropy(factors.col(j));
    const double g = h > 0 ? (m[0] - m[1]) / h : 0.0;
    r.per_factor.push_back(g);
    sum += g;
  }
  r.score = factors.cols() ? sum / static_cast<double>(factors.cols()) : 0.0;
  return r;
}

struct dci_result {
  double disentanglement = 0, completeness = 0, informativeness = 0;
  Eigen::MatrixXd importance;            // codes x factors
  std::vector<double> train_accuracy, test_accuracy;  // per factor
};

// The aggregation of an importance matrix R (codes x factors, non-negative).
inline dci_result dci_scores(const Eigen::MatrixXd& R) {
  if (R.rows() < 1 || R.cols() < 1) throw_value_error("dci_scores: an empty importance matrix");
  if ((R.array() < 0).any()) throw_value_error("dci_scores: importances must be non-negative");
  dci_result r;
  r.importance = R;
  const double total = R.sum();
  if (!(total > 0)) return r;
  // 1 - entropy of p in base `base` (scipy.stats.entropy(p, base=base), p normalised first).
  auto one_minus_h = [](const Eigen::VectorXd& v, double base) {
    const double s = v.sum();
    if (!(s > 0) || base <= 1) return base <= 1 ? 1.0 : 0.0;
    double h = 0;
    for (Eigen::Index k = 0; k < v.size(); ++k)
      if (v(k) > 0) h -= v(k) / s * std::log(v(k) / s);
    return 1.0 - h / std::log(base);
  };
  for (Eigen::Index i = 0; i < R.rows(); ++i)
    r.disentanglement += R.row(i).sum() / total * one_minus_h(R.row(i).transpose(), static_cast<double>(R.cols()));
  for (Eigen::Index j = 0; j < R.cols(); ++j)
    r.completeness += R.col(j).sum() / total * one_minus_h(R.col(j), static_cast<double>(R.rows()));
  return r;
}

// The forest DCI fits by default: every code dimension considered at every split (as the boosted
// trees of the reference do; with a random subset a dimension that carries nothing gets importance
// whenever it is the only candidate).
inline random_forest_params dci_forest() {
  random_forest_params p;
  p.n_estimators = 50;
  p.max_depth = 8;
  p.max_features = "all";
  return p;
}

// DCI with one random forest per factor, fitted on the training rows and scored on the test rows.
inline dci_result dci(const row_matrix& codes_train, const factor_matrix& factors_train, const row_matrix& codes_test,
                      const factor_matrix& factors_test, random_forest_params params = dci_forest()) {
  if (codes_train.rows() != factors_train.rows() || codes_test.rows() != factors_test.rows() ||
      codes_train.cols() != codes_test.cols() || factors_train.cols() != factors_test.cols())
    throw_value_error("dci: codes and factors disagree in shape (train ", codes_train.rows(), "x", codes_train.cols(), " / ",
                      factors_train.rows(), "x", factors_train.cols(), ", test ", codes_test.rows(), "x", codes_test.cols(),
                      " / ", factors_test.rows(), "x", factors_test.cols(), ")");
  Eigen::MatrixXd R(codes_train.cols(), factors_train.cols());
  std::vector<double> tr, te;
  for (Eigen::Index j = 0; j < factors_train.cols(); ++j) {
    std::vector<int> ytr, yte;
    for (Eigen::Index i = 0; i < factors_train.rows(); ++i) ytr.push_back(factors_train(i, j));
    for (Eigen::Index i = 0; i < factors_test.rows(); ++i) yte.push_back(factors_test(i, j));
    random_forest f(params);
    f.fit(codes_train, ytr);
    const auto& imp = f.feature_importances();
    for (Eigen::Index i = 0; i < codes_train.cols(); ++i) R(i, j) = imp[static_cast<std::size_t>(i)];
    tr.push_back(accuracy_score(ytr, f.predict(codes_train)));
    te.push_back(accuracy_score(yte, f.predict(codes_test)));
  }
  dci_result r = dci_scores(R);
  r.train_accuracy = tr;
  r.test_accuracy = te;
  double s = 0;
  for (double v : te) s += v;
  r.informativeness = te.empty() ? 0.0 : s / static_cast<double>(te.size());
  return r;
}

struct sap_result {
  double score = 0;
  std::vector<double> per_factor;  // top - second accuracy
  Eigen::MatrixXd accuracy;        // codes x factors: test accuracy from that one dimension
};

inline sap_result sap(const row_matrix& codes_train, const factor_matrix& factors_train, const row_matrix& codes_test,
                      const factor_matrix& factors_test) {
  if (codes_train.rows() != factors_train.rows() || codes_test.rows() != factors_test.rows() ||
      codes_train.cols() != codes_test.cols() || factors_train.cols() != factors_test.cols())
    throw_value_error("sap: codes and factors disagree in shape");
  if (codes_train.cols() < 2) throw_value_error("sap: needs at least 2 code dimensions, got ", codes_train.cols());
  sap_result r;
  r.accuracy = Eigen::MatrixXd(codes_train.cols(), factors_train.cols());
  logistic_regression_params lp;
  lp.standardize = true;
  lp.max_iter = 200;
  for (Eigen::Index j = 0; j < factors_train.cols(); ++j) {
    std::vector<int> ytr, yte;
    for (Eigen::Index i = 0; i < factors_train.rows(); ++i) ytr.push_back(factors_train(i, j));
    for (Eigen::Index i = 0; i < factors_test.rows(); ++i) yte.push_back(factors_test(i, j));
    for (Eigen::Index c = 0; c < codes_train.cols(); ++c) {
      const row_matrix xtr = codes_train.col(c), xte = codes_test.col(c);
      logistic_regression m(lp);
      m.fit(xtr, ytr);
      r.accuracy(c, j) = accuracy_score(yte, m.predict(xte));
    }
    std::vector<double> a(r.accuracy.col(j).data(), r.accuracy.col(j).data() + codes_train.cols());
    std::sort(a.begin(), a.end(), std::greater<>());
    r.per_factor.push_back(a[0] - a[1]);
    r.score += a[0] - a[1];
  }
  if (factors_train.cols()) r.score /= static_cast<double>(factors_train.cols());
  return r;
}

}  // namespace cantus::classify
