#pragma once
// t-SNE (van der Maaten & Hinton 2008) as scikit-learn 1.2's sklearn.manifold.TSNE computes it:
//  - input similarities: per point, a binary search on the Gaussian precision beta matches the
//    perplexity (entropy tolerance 1e-5, 100 steps) over its 3 * perplexity + 1 nearest neighbours
//    (found with a vantage-point tree; exact mode uses all points); P = (P + P^T) / sum;
//  - initialisation: the first two principal components scaled so that column 0 has std 1e-4
//    (init="pca"), or 1e-4 * N(0, 1) (init="random");
//  - gradient descent with early exaggeration 12 for 250 iterations at momentum 0.5, then momentum
//    0.8, per-coordinate gains (+0.2 / x0.8, at least 0.01), learning_rate "auto" =
//    max(N / early_exaggeration / 4, 50), progress checked every 50 iterations;
//  - Barnes-Hut gradient (angle 0.5) over a quadtree rebuilt each iteration, or the exact O(N^2)
//    gradient; the KL divergence reported is the one of the final iteration.
// OpenMP splits the neighbour search, the per-point binary searches and the per-point forces; sums
// across points are taken in index order, so results do not depend on the thread count.
#include <Eigen/Eigenvalues>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "cantus/classify/common.hpp"
#include "cantus/classify/quadtree.hpp"
#include "cantus/classify/vp_tree.hpp"
#include "cantus/core/random.hpp"

namespace cantus::classify {

struct tsne_params {
  int n_components = 2;                // only 2-D embeddings are supported
  double perplexity = 30.0;
  double early_exaggeration = 12.0;
  double learning_rate = -1.0;         // <= 0: "auto"
  int n_iter = 1000;
  int n_iter_without_progress = 300;
  double min_grad_norm = 1e-7;
  std::string init = "pca";            // "pca" | "random"
  std::string method = "barnes_hut";   // "barnes_hut" | "exact"
  double angle = 0.5;
  std::uint64_t random_state = 0;
  bool verbose = false;
};

struct tsne_result {
  row_matrix embedding;      // n x 2
  double kl_divergence = 0;  // after the last iteration
  int n_iter = 0;            // iterations run, both stages
  double learning_rate = 0;  // the one used ("auto" resolved)
};

namespace detail {

constexpr double kMachineEpsilon = std::numeric_limits<double>::epsilon();
constexpr double kFloat32Tiny = 1.1754943508222875e-38;

// Symmetric sparse P in CSR form.
struct sparse_p {
  std::vector<std::int64_t> row_start;
  std::vector<std::int32_t> col;
  std::vector<double> val;
};

// The steps of fit_transform, declared here for the tests; defined with the classifiers' other
// member functions (compiled once in the build tree, see classify/common.hpp): the PCA start's
// eigensolver alone costs about 12 s of compile time in every file that sees its definition.
CANTUS_CLASSIFY_INLINE void conditional_probabilities(const double* d2, int m, double perplexity, double* p);
CANTUS_CLASSIFY_INLINE sparse_p joint_probabilities_nn(const row_matrix& X, double perplexity, std::uint64_t seed);
CANTUS_CLASSIFY_INLINE Eigen::MatrixXd joint_probabilities_exact(const row_matrix& X, double perplexity);
CANTUS_CLASSIFY_INLINE row_matrix pca_init(const row_matrix& X, bool via_gram);
CANTUS_CLASSIFY_INLINE row_matrix pca_init(const row_matrix& X);

#if CANTUS_CLASSIFY_DEFINITIONS
// sklearn.manifold._utils._binary_search_perplexity for one row of squared distances.
CANTUS_CLASSIFY_INLINE void conditional_probabilities(const double* d2, int m, double perplexity, double* p) {
  const double desired_entropy = std::log(perplexity);
  double beta = 1.0, beta_min = -std::numeric_limits<double>::infinity(), beta_max = std::numeric_limits<double>::infinity();
  for (int step = 0; step < 100; ++step) {
    double sum_p = 0;
    for (int j = 0; j < m; ++j) sum_p += (p[j] = std::exp(-d2[j] * beta));
    if (sum_p == 0) sum_p = 1e-8;  // sklearn's EPSILON_DBL
    double sum_dp = 0;
    for (int j = 0; j < m; ++j) {
      p[j] /= sum_p;
      sum_dp += d2[j] * p[j];
    }
    const double entropy_diff = std::log(sum_p) + beta * sum_dp - desired_entropy;
    if (std::abs(entropy_diff) <= 1e-5) break;
    if (entropy_diff > 0) {
      beta_min = beta;
      beta = std::isinf(beta_max) ? beta * 2 : (beta + beta_max) / 2;
    } else {
      beta_max = beta;
      beta = std::isinf(beta_min) ? beta / 2 : (beta + beta_min) / 2;
    }
  }
}


CANTUS_CLASSIFY_INLINE sparse_p joint_probabilities_nn(const row_matrix& X, double perplexity, std::uint64_t seed) {
  const auto n = X.rows();
  const int k = static_cast<int>(std::min<std::int64_t>(n - 1, static_cast<std::int64_t>(3 * perplexity + 1)));
  const vp_tree tree(X.data(), n, X.cols(), seed);
  std::vector<std::int32_t> nbr(static_cast<std::size_t>(n) * k);
  std::vector<double> cond(static_cast<std::size_t>(n) * k);
#pragma omp parallel
  {
    std::vector<std::int32_t> idx;
    std::vector<double> dist, d2(static_cast<std::size_t>(k));
#pragma omp for schedule(dynamic, 16)
    for (Eigen::Index i = 0; i < n; ++i) {
      tree.neighbours_of(i, k, idx, dist);
      for (int j = 0; j < k; ++j) {
        nbr[i * k + j] = idx[j];
        d2[j] = dist[j] * dist[j];
      }
      conditional_probabilities(d2.data(), k, perplexity, &cond[i * k]);
    }
  }
  // P + P^T: row i holds its own neighbours and every point that has i as a neighbour.
  sparse_p P;
  P.row_start.assign(static_cast<std::size_t>(n) + 1, 0);
  for (Eigen::Index i = 0; i < n; ++i) {
    P.row_start[i + 1] += k;
    for (int j = 0; j < k; ++j) P.row_start[nbr[i * k + j] + 1] += 1;
  }
  for (Eigen::Index i = 0; i < n; ++i) P.row_start[i + 1] += P.row_start[i];
  std::vector<std::int64_t> fill(P.row_start.begin(), P.row_start.end() - 1);
  P.col.resize(static_cast<std::size_t>(P.row_start[n]));
  P.val.resize(P.col.size());
  for (Eigen::Index i = 0; i < n; ++i)
    for (int j = 0; j < k; ++j) {
      const auto t = nbr[i * k + j];
      const double v = cond[i * k + j];
      P.col[fill[i]] = t, P.val[fill[i]++] = v;
      P.col[fill[t]] = static_cast<std::int32_t>(i), P.val[fill[t]++] = v;
    }
  // Sort each row by column and merge the pairs found from both sides.
  std::vector<std::int64_t> kept(static_cast<std::size_t>(n));
#pragma omp parallel
  {
    std::vector<std::pair<std::int32_t, double>> row;
#pragma omp for schedule(static)
    for (Eigen::Index i = 0; i < n; ++i) {
      row.clear();
      for (auto e = P.row_start[i]; e < P.row_start[i + 1]; ++e) row.emplace_back(P.col[e], P.val[e]);
      std::sort(row.begin(), row.end(), [](auto& a, auto& b) { return a.first < b.first; });
      std::int64_t out = P.row_start[i];
      for (std::size_t e = 0; e < row.size(); ++e) {
        if (e > 0 && row[e].first == row[e - 1].first) {
          P.val[out - 1] += row[e].second;
        } else {
          P.col[out] = row[e].first, P.val[out] = row[e].second, ++out;
        }
      }
      kept[i] = out - P.row_start[i];
    }
  }
  sparse_p C;
  C.row_start.assign(static_cast<std::size_t>(n) + 1, 0);
  for (Eigen::Index i = 0; i < n; ++i) C.row_start[i + 1] = C.row_start[i] + kept[i];
  C.col.resize(static_cast<std::size_t>(C.row_start[n]));
  C.val.resize(C.col.size());
  double total = 0;
  for (Eigen::Index i = 0; i < n; ++i)
    for (std::int64_t e = 0; e < kept[i]; ++e) {
      C.col[C.row_start[i] + e] = P.col[P.row_start[i] + e];
      total += (C.val[C.row_start[i] + e] = P.val[P.row_start[i] + e]);
    }
  total = std::max(total, kMachineEpsilon);
  for (auto& v : C.val) v /= total;
  return C;
}

// Dense symmetric P over all pairs (exact method); the diagonal is 0.
CANTUS_CLASSIFY_INLINE Eigen::MatrixXd joint_probabilities_exact(const row_matrix& X, double perplexity) {
  const auto n = X.rows();
  const Eigen::VectorXd sq = X.rowwise().squaredNorm();
  Eigen::MatrixXd D = -2.0 * X * X.transpose();
  D.colwise() += sq;
  D.rowwise() += sq.transpose();
  Eigen::MatrixXd P = Eigen::MatrixXd::Zero(n, n);
#pragma omp parallel
  {
    std::vector<double> d2(static_cast<std::size_t>(n - 1)), p(static_cast<std::size_t>(n - 1));
#pragma omp for schedule(static)
    for (Eigen::Index i = 0; i < n; ++i) {
      for (Eigen::Index j = 0, m = 0; j < n; ++j)
        if (j != i) d2[m++] = std::max(0.0, D(i, j));
      conditional_probabilities(d2.data(), static_cast<int>(n - 1), perplexity, p.data());
      for (Eigen::Index j = 0, m = 0; j < n; ++j)
        if (j != i) P(j, i) = p[m++];  // column i holds row i's conditional P (P is symmetrised next)
    }
  }
  Eigen::MatrixXd J = P + P.transpose();
  J /= std::max(J.sum(), kMachineEpsilon);
  J = J.cwiseMax(kMachineEpsilon);
  J.diagonal().setZero();
  return J;
}

// First two principal components, signs fixed like sklearn's svd_flip (largest |score| positive),
// scaled so that column 0 has standard deviation 1e-4. With fewer rows than columns the scores come
// from the n x n Gram matrix (Xc = U S V^T: Xc Xc^T = U S^2 U^T and the scores are U S), which is
// what makes wide inputs work: the d x d covariance took 54 s at d = 4,000 and did not fit in memory
// much beyond.
CANTUS_CLASSIFY_INLINE row_matrix pca_init(const row_matrix& X, bool via_gram) {
  const row_matrix Xc = X.rowwise() - X.colwise().mean();
  const Eigen::Index d = X.cols();
  row_matrix Y(X.rows(), 2);
  if (via_gram) {
    const Eigen::MatrixXd gram = Xc * Xc.transpose();
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(gram);
    const Eigen::Index n = gram.cols();
    for (int c = 0; c < 2; ++c) {
      const Eigen::Index col = n - 1 - std::min<Eigen::Index>(c, n - 1);  // descending eigenvalues
      Y.col(c) = eig.eigenvectors().col(col) * std::sqrt(std::max(eig.eigenvalues()(col), 0.0));
    }
    if (n == 1 || d == 1) Y.col(1).setZero();
  } else {
    const Eigen::MatrixXd cov = Xc.transpose() * Xc;
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);
    for (int c = 0; c < 2; ++c) {
      const Eigen::Index col = d - 1 - std::min<Eigen::Index>(c, d - 1);
      Y.col(c) = Xc * eig.eigenvectors().col(col);
    }
    if (d == 1) Y.col(1).setZero();
  }
  for (int c = 0; c < 2; ++c) {
    Eigen::Index arg;
    Y.col(c).cwiseAbs().maxCoeff(&arg);
    if (Y(arg, c) < 0) Y.col(c) *= -1.0;
  }
  const double mean0 = Y.col(0).mean();
  const double std0 = std::sqrt((Y.col(0).array() - mean0).square().mean());
  Y *= 1e-4 / (std0 > 0 ? std0 : 1.0);
  return Y;
}
CANTUS_CLASSIFY_INLINE row_matrix pca_init(const row_matrix& X) { return pca_init(X, X.cols() > X.rows()); }
#endif  // CANTUS_CLASSIFY_DEFINITIONS

}  // namespace detail

class tsne {
 public:
  tsne() = default;
  explicit tsne(tsne_params params) : params_(std::move(params)) {}

  tsne_result fit_transform(const matrix_ref& X_in) const;

  const tsne_params& params() const { return params_; }

 private:
  // sklearn's _kl_divergence_bh: 4 * (attraction over P's neighbours - repulsion / Z), the repulsion
  // summarised by quadtree cells whose squared width / squared distance < angle^2. Returns
  // KL(P || Q) if asked. Points are visited in Morton order so that neighbouring iterations of the
  // parallel loop walk the same cells (cache), and each point's forces land in its own slots.
  double barnes_hut_gradient(const detail::sparse_p& P, const row_matrix& Y, double exaggeration, std::vector<double>& grad,
                             bool compute_error) const;

  // sklearn's _kl_divergence: the exact gradient 4 sum_j (p_ij - q_ij) w_ij (y_i - y_j).
  double exact_gradient(const Eigen::MatrixXd& P, const row_matrix& Y, double exaggeration, std::vector<double>& grad,
                        bool compute_error) const;

  tsne_params params_;
  // Scratch reused across iterations (fit_transform is const but not re-entrant per object).
  mutable quadtree tree_;
  mutable std::vector<double> sum_q_, force_, err_, p_mass_;
  mutable std::vector<std::int32_t> order_;
  mutable std::vector<std::uint64_t> keyed_;
  mutable Eigen::MatrixXd w_;
};

#if CANTUS_CLASSIFY_DEFINITIONS
CANTUS_CLASSIFY_INLINE tsne_result tsne::fit_transform(const matrix_ref& X_in) const {
  const auto& p = params_;
  detail::check_matrix("tsne::fit_transform", "X", X_in);
  const auto n = X_in.rows();
  auto fail = [](auto... parts) { throw value_error(cantus::detail::concat("tsne: ", parts...)); };
  if (p.n_components != 2) fail("n_components must be 2 but found ", p.n_components);
  if (n < 2) fail("X needs at least 2 samples but found ", n);
  if (!(p.perplexity > 0) || p.perplexity >= static_cast<double>(n))
    fail("perplexity must be in (0, n_samples = ", n, ") but found ", p.perplexity);
  if (!(p.early_exaggeration >= 1)) fail("early_exaggeration must be >= 1 but found ", p.early_exaggeration);
  if (p.n_iter < 250) fail("n_iter must be >= 250 but found ", p.n_iter);
  if (p.method != "barnes_hut" && p.method != "exact") fail("method must be \"barnes_hut\" or \"exact\" but found \"", p.method, "\"");
  if (p.init != "pca" && p.init != "random") fail("init must be \"pca\" or \"random\" but found \"", p.init, "\"");
  if (!(p.angle >= 0 && p.angle <= 1)) fail("angle must be in [0, 1] but found ", p.angle);
  const row_matrix X = X_in;
  const bool exact = p.method == "exact";

  tsne_result result;
  result.learning_rate = p.learning_rate > 0 ? p.learning_rate : std::max(n / p.early_exaggeration / 4.0, 50.0);
  detail::sparse_p P_sparse;
  Eigen::MatrixXd P_dense;
  if (exact) P_dense = detail::joint_probabilities_exact(X, p.perplexity);
  else P_sparse = detail::joint_probabilities_nn(X, p.perplexity, p.random_state);

  row_matrix Y;
  if (p.init == "pca") {
    Y = detail::pca_init(X);
  } else {
    const random_stream rng(p.random_state, 0x75736e65u);
    Y.resize(n, 2);
    for (Eigen::Index i = 0; i < 2 * n; ++i) Y.data()[i] = 1e-4 * rng.normal(static_cast<std::uint64_t>(i));
  }

  const std::size_t m = static_cast<std::size_t>(2 * n);
  std::vector<double> grad(m), update(m), gains(m);
  double kl = 0;
  double exaggeration = p.early_exaggeration;
  auto objective = [&](bool compute_error) {
    kl = exact ? exact_gradient(P_dense, Y, exaggeration, grad, compute_error)
               : barnes_hut_gradient(P_sparse, Y, exaggeration, grad, compute_error);
  };
  // sklearn's _gradient_descent, run twice: exploration (exaggerated P) then the rest.
  auto descend = [&](int it, int n_iter, double momentum, int without_progress) {
    std::fill(update.begin(), update.end(), 0.0);
    std::fill(gains.begin(), gains.end(), 1.0);
    double best_error = std::numeric_limits<double>::max();
    int best_iter = it, i = it;
    for (; i < n_iter; ++i) {
      const bool check = (i + 1) % 50 == 0;
      objective(check || i == n_iter - 1);
      double norm2 = 0;
      for (std::size_t k = 0; k < m; ++k) {
        const double g = grad[k];
        gains[k] = (update[k] * g < 0.0) ? gains[k] + 0.2 : gains[k] * 0.8;
        gains[k] = std::max(gains[k], 0.01);
        grad[k] = g * gains[k];
        update[k] = momentum * update[k] - result.learning_rate * grad[k];
        Y.data()[k] += update[k];
        norm2 += grad[k] * grad[k];
      }
      if (check) {
        if (p.verbose) std::fprintf(stderr, "[t-SNE] Iteration %d: error = %.7f, gradient norm = %.7f\n", i + 1, kl, std::sqrt(norm2));
        if (kl < best_error) {
          best_error = kl, best_iter = i;
        } else if (i - best_iter > without_progress) {
          break;
        }
        if (std::sqrt(norm2) <= p.min_grad_norm) break;
      }
    }
    return std::min(i, n_iter - 1);  // the last iteration run, as sklearn returns it
  };
  constexpr int kExplorationIterations = 250;
  int it = descend(0, kExplorationIterations, 0.5, kExplorationIterations);
  exaggeration = 1.0;
  if (it < kExplorationIterations || p.n_iter > kExplorationIterations) it = descend(it + 1, p.n_iter, 0.8, p.n_iter_without_progress);
  result.n_iter = it + 1;
  result.kl_divergence = kl;
  result.embedding = std::move(Y);
  return result;
}

CANTUS_CLASSIFY_INLINE double tsne::barnes_hut_gradient(const detail::sparse_p& P, const row_matrix& Y, double exaggeration, std::vector<double>& grad,
                           bool compute_error) const {
  const auto n = Y.rows();
  const double* y = Y.data();
  tree_.build(y, n);
  const auto& cells = tree_.summaries();
  const auto& root = tree_.cells()[0];
  const double theta2 = params_.angle * params_.angle;
  auto& order = order_;
  order.resize(static_cast<std::size_t>(n));
  {
    auto& keyed = keyed_;
    keyed.resize(static_cast<std::size_t>(n));
    const double lo_x = root.cx - root.half, lo_y = root.cy - root.half, scale = 65535.0 / (2 * root.half);
    for (Eigen::Index i = 0; i < n; ++i) {
      auto spread = [](std::uint64_t v) {  // 16 bits -> every other of 32
        v = (v | (v << 8)) & 0x00FF00FFull;
        v = (v | (v << 4)) & 0x0F0F0F0Full;
        v = (v | (v << 2)) & 0x33333333ull;
        return (v | (v << 1)) & 0x55555555ull;
      };
      const auto qx = static_cast<std::uint64_t>(std::clamp((y[2 * i] - lo_x) * scale, 0.0, 65535.0));
      const auto qy = static_cast<std::uint64_t>(std::clamp((y[2 * i + 1] - lo_y) * scale, 0.0, 65535.0));
      keyed[i] = (spread(qx) | (spread(qy) << 1)) << 32 | static_cast<std::uint64_t>(i);
    }
    std::sort(keyed.begin(), keyed.end());
    for (Eigen::Index i = 0; i < n; ++i) order[i] = static_cast<std::int32_t>(keyed[i] & 0xFFFFFFFFu);
  }
  auto& sum_q = sum_q_;
  auto& force = force_;  // per point: repulsion x, y, attraction x, y
  auto& err = err_;
  auto& p_mass = p_mass_;
  sum_q.assign(static_cast<std::size_t>(n), 0.0);
  force.assign(static_cast<std::size_t>(4 * n), 0.0);
  err.assign(static_cast<std::size_t>(n), 0.0);
  p_mass.assign(static_cast<std::size_t>(n), 0.0);
#pragma omp parallel
  {
    std::vector<std::int32_t> stack;
    stack.reserve(256);
#pragma omp for schedule(dynamic, 32)
    for (Eigen::Index t = 0; t < n; ++t) {
      const std::int32_t i = order[t];
      const double xi = y[2 * i], yi = y[2 * i + 1];
      double fx = 0, fy = 0, z = 0;
      stack.clear();
      stack.push_back(0);
      while (!stack.empty()) {
        const auto& c = cells[stack.back()];
        stack.pop_back();
        const bool leaf = c.first_child < 0;
        const double size = c.count - ((leaf && c.point == i) ? 1 : 0);  // no self-interaction
        if (size <= 0) continue;
        const double dx = xi - c.x, dy = yi - c.y, d2 = dx * dx + dy * dy;
        if (leaf || c.width2 < theta2 * d2) {
          const double q = 1.0 / (1.0 + d2);
          z += size * q;
          const double mult = size * q * q;
          fx += mult * dx, fy += mult * dy;
        } else {
          for (int k = 0; k < 4; ++k)
            if (cells[c.first_child + k].count > 0) stack.push_back(c.first_child + k);
        }
      }
      // Attraction along P's sparse row; the error needs Z, so keep sum p log(p / q_unnormalised)
      // and P's row mass, and add log(Z) * mass once Z is known.
      double ax = 0, ay = 0, e = 0, mass = 0;
      for (auto k = P.row_start[i]; k < P.row_start[i + 1]; ++k) {
        const std::int32_t j = P.col[k];
        const double dx = xi - y[2 * j], dy = yi - y[2 * j + 1];
        const double q = 1.0 / (1.0 + dx * dx + dy * dy);
        const double pij = P.val[k] * exaggeration;
        ax += pij * q * dx, ay += pij * q * dy;
        if (compute_error) {
          e += pij * std::log(std::max(pij, detail::kFloat32Tiny) / q);
          mass += pij;
        }
      }
      sum_q[i] = z;
      force[4 * i] = fx, force[4 * i + 1] = fy, force[4 * i + 2] = ax, force[4 * i + 3] = ay;
      err[i] = e, p_mass[i] = mass;
    }
  }
  double Z = 0;
  for (double v : sum_q) Z += v;
  double kl = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    grad[2 * i] = 4.0 * (force[4 * i + 2] - force[4 * i] / Z);
    grad[2 * i + 1] = 4.0 * (force[4 * i + 3] - force[4 * i + 1] / Z);
    if (compute_error) kl += err[i] + std::log(Z) * p_mass[i];
  }
  return kl;
}

CANTUS_CLASSIFY_INLINE double tsne::exact_gradient(const Eigen::MatrixXd& P, const row_matrix& Y, double exaggeration, std::vector<double>& grad,
                      bool compute_error) const {
  const auto n = Y.rows();
  const double* y = Y.data();
  Eigen::MatrixXd& W = w_;
  W.resize(n, n);
#pragma omp parallel for schedule(static)
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < n; ++i) {
      const double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
      W(i, j) = i == j ? 0.0 : 1.0 / (1.0 + dx * dx + dy * dy);
    }
  const double Z = W.sum();
  double kl = 0;
  std::vector<double> err(static_cast<std::size_t>(n), 0.0);
#pragma omp parallel for schedule(static)
  for (Eigen::Index i = 0; i < n; ++i) {
    double gx = 0, gy = 0, e = 0;
    for (Eigen::Index j = 0; j < n; ++j) {
      if (j == i) continue;
      const double q = std::max(W(j, i) / Z, detail::kMachineEpsilon), pij = P(j, i) * exaggeration;
      const double f = (pij - q) * W(j, i);
      gx += f * (y[2 * i] - y[2 * j]), gy += f * (y[2 * i + 1] - y[2 * j + 1]);
      if (compute_error) e += pij * std::log(std::max(pij, detail::kMachineEpsilon) / q);
    }
    grad[2 * i] = 4.0 * gx, grad[2 * i + 1] = 4.0 * gy;
    err[i] = e;
  }
  for (double e : err) kl += e;
  return kl;
}
#endif  // CANTUS_CLASSIFY_DEFINITIONS

}  // namespace cantus::classify
