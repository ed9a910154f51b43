#pragma once
// Random forest of CART trees with scikit-learn's semantics (RandomForestClassifier): bootstrap
// samples enter as integer sample weights, each node draws max_features candidate features without
// replacement (going on past constant ones), splits minimise the weighted child impurity (gini or
// entropy), leaves hold class fractions, and predict_proba averages the trees' leaf fractions.
//
// Split search is hybrid. Every feature is cut once into at most max_bins (256) quantile bins whose
// edges are midpoints between neighbouring training values; nodes of 48 samples or more accumulate
// per-bin class weights and try the bin edges. Small nodes sort their raw values and try every gap,
// as scikit-learn does (on float32 values, like scikit-learn's trees), which is both cheaper than clearing and scanning a histogram there and keeps
// full threshold resolution deep in the tree. Trees are built in parallel with OpenMP, each from its own
// random stream random_stream(random_state).split(tree), so a forest is the same for any thread count.
#include <omp.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "cantus/classify/common.hpp"
#include "cantus/classify/metrics.hpp"
#include "cantus/core/random.hpp"

namespace cantus::classify {

struct random_forest_params {
  int n_estimators = 100;
  int max_depth = -1;                 // -1: grow until leaves are pure or too small (sklearn's None)
  std::string criterion = "gini";     // "gini" | "entropy"
  std::string max_features = "sqrt";  // "sqrt" | "log2" | "all" | a fraction "0.3" | a count "12"
  bool bootstrap = true;
  int min_samples_split = 2;
  int min_samples_leaf = 1;
  std::uint64_t random_state = 0;
  int max_bins = 256;  // quantile bins per feature for the split search (2..256)
};

// One fitted tree: internal nodes test x[feature] <= threshold (true goes left); leaves index rows of
// leaf_values (class fractions).
struct decision_tree {
  struct node {
    std::int32_t feature = -1;  // -1 for a leaf
    std::int32_t left = -1;     // child node, or for a leaf its row in leaf_values
    std::int32_t right = -1;
    std::int32_t depth = 0;
    double threshold = 0.0;
  };
  std::vector<node> nodes;
  std::vector<double> leaf_values;  // n_leaves x n_classes, rows sum to 1
  std::vector<double> importances;  // per feature, normalised to sum 1 (0s for a single-leaf tree)

  template <class Row>
  const double* leaf_of(const Row& x, int n_classes) const {
    std::int32_t k = 0;
    // Features compare as float32, as they were split in training (and as scikit-learn does).
    while (nodes[k].feature >= 0)
      k = static_cast<float>(x[nodes[k].feature]) <= nodes[k].threshold ? nodes[k].left : nodes[k].right;
    return leaf_values.data() + static_cast<std::size_t>(nodes[k].left) * n_classes;
  }
};

namespace detail {

// Quantile bin edges of one feature: at most max_bins - 1 thresholds, each the midpoint between two
// neighbouring distinct training values (so that x <= edge[b] exactly when bin(x) <= b).
inline std::vector<double> quantile_edges(std::vector<double> values, int max_bins) {
  std::sort(values.begin(), values.end());
  std::vector<double> uniq;
  std::vector<std::size_t> upto;  // number of values <= uniq[k]
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (uniq.empty() || values[i] != uniq.back()) {
      uniq.push_back(values[i]);
      upto.push_back(0);
    }
    upto.back() = i + 1;
  }
  auto midpoint = [](double a, double b) {
    const double m = a / 2 + b / 2;
    return (m >= b || !std::isfinite(m)) ? a : m;  // as sklearn: never let rounding move the cut onto b
  };
  std::vector<double> edges;
  if (uniq.size() <= static_cast<std::size_t>(max_bins)) {
    for (std::size_t k = 0; k + 1 < uniq.size(); ++k) edges.push_back(midpoint(uniq[k], uniq[k + 1]));
    return edges;
  }
  const double per_bin = static_cast<double>(values.size()) / max_bins;
  double target = per_bin;
  for (std::size_t k = 0; k + 1 < uniq.size() && edges.size() + 1 < static_cast<std::size_t>(max_bins); ++k) {
    if (static_cast<double>(upto[k]) >= target) {
      edges.push_back(midpoint(uniq[k], uniq[k + 1]));
      while (target <= static_cast<double>(upto[k])) target += per_bin;
    }
  }
  return edges;
}

inline int resolve_max_features(const std::string& spec, int n_features) {
  if (spec == "sqrt" || spec == "auto") return std::max(1, static_cast<int>(std::sqrt(static_cast<double>(n_features))));
  if (spec == "log2") return std::max(1, static_cast<int>(std::log2(static_cast<double>(n_features))));
  if (spec == "all" || spec == "none" || spec == "None" || spec == "n") return n_features;
  auto bad = [&]() -> int {
    throw value_error(cantus::detail::concat("random_forest: max_features must be \"sqrt\", \"log2\", \"all\", a fraction in (0, 1] "
                                             "or a count in [1, n_features = ", n_features, "] but found \"", spec, "\""));
  };
  if (spec.find('.') != std::string::npos) {
    double f = 0;
    try {
      std::size_t used = 0;
      f = std::stod(spec, &used);
      if (used != spec.size()) return bad();
    } catch (...) {
      return bad();
    }
    if (!(f > 0.0 && f <= 1.0)) return bad();
    return std::max(1, static_cast<int>(f * n_features));
  }
  int k = 0;
  auto r = std::from_chars(spec.data(), spec.data() + spec.size(), k);
  if (r.ec != std::errc() || r.ptr != spec.data() + spec.size() || k < 1 || k > n_features) return bad();
  return k;
}

// Builds one tree; one instance per thread holds the scratch memory.
class tree_builder {
 public:
  struct problem {
    const std::uint8_t* codes;               // n_features x n_samples bin codes (feature-major)
    const float* values;                     // n_features x n_samples values as float32 (feature-major)
    const std::vector<std::vector<double>>* edges;
    const int* y;                            // class index per sample
    std::int64_t n_samples;
    int n_features, n_classes, max_features;
    const random_forest_params* params;
    bool entropy;
  };

  explicit tree_builder(const problem& p) : p_(p) {
    hist_.assign(static_cast<std::size_t>(256) * p.n_classes, 0.0);
    hist_count_.assign(256, 0);
    features_.resize(p.n_features);
    left_.resize(p.n_classes);
    right_.resize(p.n_classes);
    node_counts_.resize(p.n_classes);
  }

  decision_tree build(random_stream rng) {
    const auto n = p_.n_samples;
    const int C = p_.n_classes;
    std::uint64_t draw = 0;
    // Bootstrap: n draws with replacement become integer weights; unseen samples drop out.
    std::vector<double> weight(static_cast<std::size_t>(n), p_.params->bootstrap ? 0.0 : 1.0);
    if (p_.params->bootstrap)
      for (std::int64_t i = 0; i < n; ++i) weight[rng.below(draw++, static_cast<std::uint64_t>(n))] += 1.0;
    samples_.clear();
    weights_.clear();
    for (std::int64_t i = 0; i < n; ++i)
      if (weight[i] > 0) {
        samples_.push_back(static_cast<std::int32_t>(i));
        weights_.push_back(weight[i]);
      }

    decision_tree tree;
    tree.importances.assign(p_.n_features, 0.0);
    struct pending {
      std::int32_t start, end, node, depth;
    };
    std::vector<pending> stack{{0, static_cast<std::int32_t>(samples_.size()), 0, 0}};
    tree.nodes.emplace_back();
    double root_weight = 0;
    for (double w : weights_) root_weight += w;

    while (!stack.empty()) {
      const pending job = stack.back();
      stack.pop_back();
      const std::int32_t count = job.end - job.start;
      std::fill(node_counts_.begin(), node_counts_.end(), 0.0);
      for (std::int32_t k = job.start; k < job.end; ++k) node_counts_[p_.y[samples_[k]]] += weights_[k];
      double node_weight = 0;
      for (double c : node_counts_) node_weight += c;
      const double node_impurity = impurity(node_counts_.data(), node_weight);
      tree.nodes[job.node].depth = job.depth;

      const auto& prm = *p_.params;
      bool leaf = (prm.max_depth >= 0 && job.depth >= prm.max_depth) || count < prm.min_samples_split ||
                  count < 2 * prm.min_samples_leaf || node_impurity <= 1e-12;
      split best;
      if (!leaf) {
        best = find_split(job.start, job.end, rng, draw);
        leaf = best.feature < 0;
      }
      if (leaf) {
        auto& nd = tree.nodes[job.node];
        nd.feature = -1;
        nd.left = static_cast<std::int32_t>(tree.leaf_values.size() / C);
        for (int c = 0; c < C; ++c) tree.leaf_values.push_back(node_counts_[c] / node_weight);
        continue;
      }
      // Partition the node's samples in place: x <= threshold goes left.
      const float* value = p_.values + static_cast<std::size_t>(best.feature) * n;
      std::int32_t mid = job.start;
      for (std::int32_t k = job.start; k < job.end; ++k)
        if (value[samples_[k]] <= best.threshold) {
          std::swap(samples_[k], samples_[mid]);
          std::swap(weights_[k], weights_[mid]);
          ++mid;
        }
      std::fill(left_.begin(), left_.end(), 0.0);
      for (std::int32_t k = job.start; k < mid; ++k) left_[p_.y[samples_[k]]] += weights_[k];
      double wl = 0;
      for (int c = 0; c < C; ++c) {
        right_[c] = node_counts_[c] - left_[c];
        wl += left_[c];
      }
      const double wr = node_weight - wl;
      tree.importances[best.feature] +=
          node_weight * node_impurity - wl * impurity(left_.data(), wl) - wr * impurity(right_.data(), wr);

      const auto left_id = static_cast<std::int32_t>(tree.nodes.size());
      tree.nodes.emplace_back();
      tree.nodes.emplace_back();
      auto& nd = tree.nodes[job.node];
      nd.feature = best.feature;
      nd.threshold = best.threshold;
      nd.left = left_id;
      nd.right = left_id + 1;
      stack.push_back({mid, job.end, left_id + 1, job.depth + 1});
      stack.push_back({job.start, mid, left_id, job.depth + 1});
    }
    double total = 0;
    for (auto& v : tree.importances) total += (v /= root_weight);
    if (total > 0)
      for (auto& v : tree.importances) v /= total;
    return tree;
  }

 private:
  struct split {
    int feature = -1;
    double threshold = 0.0;  // x <= threshold goes left
    double score = -std::numeric_limits<double>::infinity();
  };

  double impurity(const double* counts, double w) const {
    if (w <= 0) return 0.0;
    double s = 0;
    if (p_.entropy) {
      for (int c = 0; c < p_.n_classes; ++c)
        if (counts[c] > 0) {
          const double q = counts[c] / w;
          s -= q * std::log2(q);
        }
      return s;
    }
    for (int c = 0; c < p_.n_classes; ++c) s += counts[c] * counts[c];
    return 1.0 - s / (w * w);
  }

  // A score that orders splits like the weighted child impurity, reversed (bigger is better):
  // gini: sum_c L_c^2 / w_L + R_c^2 / w_R; entropy: sum_c L_c log(L_c / w_L) + R_c log(R_c / w_R).
  double proxy(const double* l, double wl, const double* r, double wr) const {
    double s = 0;
    if (p_.entropy) {
      for (int c = 0; c < p_.n_classes; ++c) {
        if (l[c] > 0) s += l[c] * std::log(l[c] / wl);
        if (r[c] > 0) s += r[c] * std::log(r[c] / wr);
      }
      return s;
    }
    double sl = 0, sr = 0;
    for (int c = 0; c < p_.n_classes; ++c) {
      sl += l[c] * l[c];
      sr += r[c] * r[c];
    }
    return sl / wl + sr / wr;
  }

  // Draws features like sklearn's BestSplitter: without replacement, at least max_features of them,
  // and on past constant ones until one can be split.
  split find_split(std::int32_t start, std::int32_t end, const random_stream& rng, std::uint64_t& draw) {
    const int d = p_.n_features;
    for (int f = 0; f < d; ++f) features_[f] = f;
    split best;
    int visited = 0, usable = 0;
    for (int k = 0; k < d && (visited < p_.max_features || usable == 0); ++k) {
      const int j = k + static_cast<int>(rng.below(draw++, static_cast<std::uint64_t>(d - k)));
      std::swap(features_[k], features_[j]);
      ++visited;
      const int f = features_[k];
      const bool splittable = (end - start) >= kSortBelow ? scan_histogram(f, start, end, best) : scan_sorted(f, start, end, best);
      usable += splittable;
    }
    return best;
  }

  template <class Threshold>
  bool consider(int f, Threshold&& threshold, std::int32_t n_left, std::int32_t n_right, double wl, double wr, split& best) {
    const int msl = p_.params->min_samples_leaf;
    if (n_left < msl || n_right < msl || wl <= 0 || wr <= 0) return false;
    const double s = proxy(left_.data(), wl, right_.data(), wr);
    if (s > best.score + 1e-12 * std::abs(s)) best = {f, threshold(), s};
    return true;
  }

  bool scan_histogram(int f, std::int32_t start, std::int32_t end, split& best) {
    const int C = p_.n_classes;
    const std::uint8_t* code = p_.codes + static_cast<std::size_t>(f) * p_.n_samples;
    int lo = 255, hi = 0;
    for (std::int32_t k = start; k < end; ++k) {
      const int b = code[samples_[k]];
      hist_[static_cast<std::size_t>(b) * C + p_.y[samples_[k]]] += weights_[k];
      ++hist_count_[b];
      lo = std::min(lo, b);
      hi = std::max(hi, b);
    }
    if (lo == hi) {
      clear(lo, hi);
      return false;
    }
    std::fill(left_.begin(), left_.end(), 0.0);
    double wl = 0;
    std::int32_t nl = 0;
    const std::int32_t n = end - start;
    double total = 0;
    for (double c : node_counts_) total += c;
    for (int b = lo; b < hi; ++b) {
      if (hist_count_[b] == 0) continue;
      const double* h = &hist_[static_cast<std::size_t>(b) * C];
      for (int c = 0; c < C; ++c) {
        left_[c] += h[c];
        wl += h[c];
      }
      nl += hist_count_[b];
      for (int c = 0; c < C; ++c) right_[c] = node_counts_[c] - left_[c];
      consider(f, [&] { return (*p_.edges)[f][b]; }, nl, n - nl, wl, total - wl, best);
    }
    clear(lo, hi);
    return true;
  }

  void clear(int lo, int hi) {
    const int C = p_.n_classes;
    std::fill(hist_.begin() + static_cast<std::ptrdiff_t>(lo) * C, hist_.begin() + static_cast<std::ptrdiff_t>(hi + 1) * C, 0.0);
    std::fill(hist_count_.begin() + lo, hist_count_.begin() + hi + 1, 0);
  }

  // Small nodes: sort the node's raw values and try every gap between distinct values, exactly as
  // scikit-learn's BestSplitter does (values closer than 1e-7 count as equal; the threshold is the
  // midpoint). Deep nodes thus keep full resolution however few samples a global bin holds.
  bool scan_sorted(int f, std::int32_t start, std::int32_t end, split& best) {
    const int C = p_.n_classes;
    const float* value = p_.values + static_cast<std::size_t>(f) * p_.n_samples;
    sorted_.resize(static_cast<std::size_t>(end - start));
    for (std::int32_t k = start; k < end; ++k) sorted_[k - start] = {value[samples_[k]], k};
    std::sort(sorted_.begin(), sorted_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    if (sorted_.back().first <= sorted_.front().first + kFeatureThreshold) return false;
    std::fill(left_.begin(), left_.end(), 0.0);
    double total = 0;
    for (double c : node_counts_) total += c;
    double wl = 0;
    const auto n = static_cast<std::int32_t>(sorted_.size());
    for (std::int32_t i = 0; i + 1 < n; ++i) {
      const std::int32_t k = sorted_[i].second;
      left_[p_.y[samples_[k]]] += weights_[k];
      wl += weights_[k];
      const double a = sorted_[i].first, b = sorted_[i + 1].first;  // midpoint in double, as sklearn
      if (b <= a + kFeatureThreshold) continue;
      for (int c = 0; c < C; ++c) right_[c] = node_counts_[c] - left_[c];
      consider(f, [&] {
        const double m = a / 2 + b / 2;
        return (m >= b || !std::isfinite(m)) ? a : m;
      }, i + 1, n - i - 1, wl, total - wl, best);
    }
    return true;
  }

  static constexpr double kFeatureThreshold = 1e-7;
  static constexpr std::int32_t kSortBelow = 48;
  problem p_;
  std::vector<double> hist_;
  std::vector<std::int32_t> hist_count_;
  std::vector<int> features_;
  std::vector<double> left_, right_, node_counts_;
  std::vector<std::int32_t> samples_;
  std::vector<double> weights_;
  std::vector<std::pair<float, std::int32_t>> sorted_;
};

}  // namespace detail

class random_forest {
 public:
  random_forest() = default;
  explicit random_forest(random_forest_params params) : params_(std::move(params)) {}

  random_forest& fit(const matrix_ref& X, labels_ref y);

  // n x n_classes: the mean over trees of the leaf class fractions; columns follow classes().
  Eigen::MatrixXd predict_proba(const matrix_ref& X) const;

  Eigen::VectorXi predict(const matrix_ref& X) const;

  double score(const matrix_ref& X, labels_ref y) const;

  void save(const std::filesystem::path& path) const;

  static random_forest load(const std::filesystem::path& path);

  // The bytes save() writes, and the model back from them (`name` stands for the file in messages):
  // for files that hold a model among other things (core/sealed_file.hpp).
  std::string to_bytes() const;
  static random_forest from_bytes(std::string_view bytes, const std::string& name);

  const std::vector<int>& classes() const { return classes_; }
  int n_classes() const { return static_cast<int>(classes_.size()); }
  Eigen::Index n_features_in() const { return n_features_; }
  const std::vector<double>& feature_importances() const { return feature_importances_; }
  const std::vector<decision_tree>& trees() const { return trees_; }
  const random_forest_params& params() const { return params_; }

 private:
  static constexpr char kMagic[9] = "CNTS-RF1";
  static constexpr std::uint32_t kVersion = 1;

  void validate_params() const;

  random_forest_params params_;
  std::vector<int> classes_;
  Eigen::Index n_features_ = 0;
  std::vector<double> feature_importances_;
  std::vector<decision_tree> trees_;
};

#if CANTUS_CLASSIFY_DEFINITIONS
CANTUS_CLASSIFY_INLINE random_forest& random_forest::fit(const matrix_ref& X, labels_ref y) {
  validate_params();
  detail::check_matrix("random_forest::fit", "X", X);
  detail::check_labels("random_forest::fit", X, y);
  {
    Eigen::Index r, c;
    if (X.cwiseAbs().maxCoeff(&r, &c) > std::numeric_limits<float>::max())
      throw value_error(cantus::detail::concat("random_forest::fit: X must fit in float32 (trees split on float32 values, as "
                                               "scikit-learn's do) but X(", r, ", ", c, ") = ", X(r, c)));
  }
  if (X.rows() >= (std::int64_t(1) << 31))
    throw value_error("random_forest::fit: at most 2^31 - 1 samples are supported");
  const std::vector<int> encoded = detail::encode_labels("random_forest::fit", y, classes_);
  const auto n = X.rows();
  const int d = static_cast<int>(X.cols());
  const int C = static_cast<int>(classes_.size());
  const int max_features = detail::resolve_max_features(params_.max_features, d);

  // Bin every feature once.
  std::vector<std::vector<double>> edges(d);
  std::vector<std::uint8_t> codes(static_cast<std::size_t>(n) * d);
  std::vector<float> values(static_cast<std::size_t>(n) * d);
#pragma omp parallel for schedule(dynamic, 4)
  for (int f = 0; f < d; ++f) {
    float* column = values.data() + static_cast<std::size_t>(f) * n;
    for (Eigen::Index i = 0; i < n; ++i) column[i] = static_cast<float>(X(i, f));
    edges[f] = detail::quantile_edges(std::vector<double>(column, column + n), params_.max_bins);
    std::uint8_t* out = codes.data() + static_cast<std::size_t>(f) * n;
    for (Eigen::Index i = 0; i < n; ++i)
      out[i] = static_cast<std::uint8_t>(std::lower_bound(edges[f].begin(), edges[f].end(), column[i]) - edges[f].begin());
  }

  detail::tree_builder::problem problem{codes.data(), values.data(), &edges, encoded.data(), n, d, C, max_features, &params_,
                                        params_.criterion == "entropy"};
  trees_.assign(static_cast<std::size_t>(params_.n_estimators), {});
  const random_stream root(params_.random_state);
#pragma omp parallel
  {
    detail::tree_builder builder(problem);
#pragma omp for schedule(dynamic, 1)
    for (int t = 0; t < params_.n_estimators; ++t) trees_[t] = builder.build(root.split(static_cast<std::uint64_t>(t)));
  }
  n_features_ = d;
  feature_importances_.assign(d, 0.0);
  for (const auto& t : trees_)
    for (int f = 0; f < d; ++f) feature_importances_[f] += t.importances[f];
  double total = 0;
  for (double v : feature_importances_) total += v;
  if (total > 0)
    for (auto& v : feature_importances_) v /= total;
  return *this;
}

CANTUS_CLASSIFY_INLINE Eigen::MatrixXd random_forest::predict_proba(const matrix_ref& X) const {
  detail::check_features("random_forest::predict_proba", X, n_features_);
  detail::check_matrix("random_forest::predict_proba", "X", X);
  const int C = n_classes();
  Eigen::MatrixXd P = Eigen::MatrixXd::Zero(X.rows(), C);
  const double scale = 1.0 / static_cast<double>(trees_.size());
#pragma omp parallel for schedule(static)
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const auto row = X.row(i);
    for (const auto& t : trees_) {
      const double* leaf = t.leaf_of(row, C);
      for (int c = 0; c < C; ++c) P(i, c) += leaf[c];
    }
    P.row(i) *= scale;
  }
  return P;
}

CANTUS_CLASSIFY_INLINE Eigen::VectorXi random_forest::predict(const matrix_ref& X) const {
  return detail::classes_of_row_max(predict_proba(X), classes_);
}

CANTUS_CLASSIFY_INLINE double random_forest::score(const matrix_ref& X, labels_ref y) const {
  detail::check_labels("random_forest::score", X, y);
  const Eigen::VectorXi p = predict(X);
  return accuracy_score(y, p);
}

CANTUS_CLASSIFY_INLINE void random_forest::save(const std::filesystem::path& path) const {
  const std::string bytes = to_bytes();
  write_file_atomically(path, [&](std::ofstream& out) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); });
}

CANTUS_CLASSIFY_INLINE std::string random_forest::to_bytes() const {
  if (trees_.empty()) throw value_error("random_forest::save: the model is not fitted");
  std::ostringstream out(std::ios::binary);
  {
    detail::binary_writer w(out);
    out.write(kMagic, 8);
    w.put<std::uint32_t>(kVersion);
    w.put<std::int32_t>(params_.n_estimators);
    w.put<std::int32_t>(params_.max_depth);
    w.put_string(params_.criterion);
    w.put_string(params_.max_features);
    w.put<std::uint8_t>(params_.bootstrap);
    w.put<std::int32_t>(params_.min_samples_split);
    w.put<std::int32_t>(params_.min_samples_leaf);
    w.put<std::uint64_t>(params_.random_state);
    w.put<std::int32_t>(params_.max_bins);
    w.put<std::int64_t>(n_features_);
    w.put_vector(classes_);
    w.put_vector(feature_importances_);
    w.put<std::uint64_t>(trees_.size());
    for (const auto& t : trees_) {
      w.put_vector(t.nodes);
      w.put_vector(t.leaf_values);
      w.put_vector(t.importances);
    }
  }
  return std::move(out).str();
}

CANTUS_CLASSIFY_INLINE random_forest random_forest::load(const std::filesystem::path& path) {
  return from_bytes(detail::binary_reader::file_bytes(path), path.string());
}

CANTUS_CLASSIFY_INLINE random_forest random_forest::from_bytes(std::string_view bytes, const std::string& name) {
  detail::binary_reader r(bytes, name, std::string_view(kMagic, 8), kVersion);
  random_forest m;
  auto& p = m.params_;
  p.n_estimators = r.get<std::int32_t>("n_estimators");
  p.max_depth = r.get<std::int32_t>("max_depth");
  p.criterion = r.get_string("criterion");
  p.max_features = r.get_string("max_features");
  p.bootstrap = r.get<std::uint8_t>("bootstrap") != 0;
  p.min_samples_split = r.get<std::int32_t>("min_samples_split");
  p.min_samples_leaf = r.get<std::int32_t>("min_samples_leaf");
  p.random_state = r.get<std::uint64_t>("random_state");
  p.max_bins = r.get<std::int32_t>("max_bins");
  m.n_features_ = r.get<std::int64_t>("n_features");
  m.classes_ = r.get_vector<int>("classes");
  m.feature_importances_ = r.get_vector<double>("feature_importances");
  const auto n_trees = r.get<std::uint64_t>("tree count");
  const int C = static_cast<int>(m.classes_.size());
  if (m.n_features_ <= 0 || C < 2 || m.feature_importances_.size() != static_cast<std::size_t>(m.n_features_) ||
      n_trees == 0 || n_trees > (1u << 24))
    r.corrupt("inconsistent header (features, classes or tree count)");
  // Each tree holds at least its three array lengths: a damaged count must not allocate a million
  // trees (1.2 GB for an 829-byte file, found by tests/fuzz, fuzz_classifier) before failing.
  if (n_trees > r.remaining() / (3 * sizeof(std::uint64_t)))
    r.corrupt(cantus::detail::concat("tree count ", n_trees, " is more than the ", r.remaining(), " remaining bytes can hold"));
  m.trees_.resize(n_trees);
  for (auto& t : m.trees_) {
    t.nodes = r.get_vector<decision_tree::node>("tree nodes");
    t.leaf_values = r.get_vector<double>("leaf values");
    t.importances = r.get_vector<double>("tree importances");
    const auto n_leaves = static_cast<std::int64_t>(t.leaf_values.size() / C);
    if (t.nodes.empty() || t.leaf_values.size() % C != 0) r.corrupt("a tree has no nodes or ragged leaf values");
    for (std::size_t k = 0; k < t.nodes.size(); ++k) {
      const auto& nd = t.nodes[k];
      const auto next = static_cast<std::int64_t>(k);
      const bool ok = nd.feature < 0 ? (nd.left >= 0 && nd.left < n_leaves)
                                     : (nd.feature < m.n_features_ && nd.left > next && nd.right > next &&
                                        nd.left < static_cast<std::int64_t>(t.nodes.size()) &&
                                        nd.right < static_cast<std::int64_t>(t.nodes.size()));
      if (!ok) r.corrupt(cantus::detail::concat("tree node ", k, " points outside its tree"));
    }
  }
  r.expect_end();
  return m;
}

CANTUS_CLASSIFY_INLINE void random_forest::validate_params() const {
  const auto& p = params_;
  auto fail = [](auto... parts) { throw value_error(cantus::detail::concat("random_forest: ", parts...)); };
  if (p.n_estimators < 1) fail("n_estimators must be >= 1 but found ", p.n_estimators);
  if (p.max_depth < -1 || p.max_depth == 0) fail("max_depth must be -1 (unlimited) or >= 1 but found ", p.max_depth);
  if (p.criterion != "gini" && p.criterion != "entropy")
    fail("criterion must be \"gini\" or \"entropy\" but found \"", p.criterion, "\"");
  if (p.min_samples_split < 2) fail("min_samples_split must be >= 2 but found ", p.min_samples_split);
  if (p.min_samples_leaf < 1) fail("min_samples_leaf must be >= 1 but found ", p.min_samples_leaf);
  if (p.max_bins < 2 || p.max_bins > 256) fail("max_bins must be in [2, 256] but found ", p.max_bins);
}
#endif  // CANTUS_CLASSIFY_DEFINITIONS

}  // namespace cantus::classify
