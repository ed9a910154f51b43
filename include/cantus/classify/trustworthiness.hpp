#pragma once
// sklearn.manifold.trustworthiness: how much the k nearest neighbours in the embedding are also
// near in the input space,
//   T(k) = 1 - 2 / (n k (2n - 3k - 1)) * sum_i sum_{j in N_k^Y(i)} max(0, r(i, j) - k),
// r(i, j) being j's rank among i's input-space neighbours (1 = nearest). Euclidean distances.
// O(n^2 (d + log k)) time and O(block * n) memory; OpenMP over points.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "cantus/classify/common.hpp"

namespace cantus::classify {

double trustworthiness(const matrix_ref& X_in, const matrix_ref& Y_in, int n_neighbors = 5);

#if CANTUS_CLASSIFY_DEFINITIONS
CANTUS_CLASSIFY_INLINE double trustworthiness(const matrix_ref& X_in, const matrix_ref& Y_in, int n_neighbors) {
  detail::check_matrix("trustworthiness", "X", X_in);
  detail::check_matrix("trustworthiness", "X_embedded", Y_in);
  const auto n = X_in.rows();
  if (Y_in.rows() != n)
    throw shape_error(cantus::detail::concat("trustworthiness: X_embedded must have one row per row of X: expected ", n,
                                             " rows but found ", Y_in.rows()));
  if (n_neighbors < 1 || static_cast<double>(n_neighbors) >= n / 2.0)
    throw value_error(cantus::detail::concat("trustworthiness: n_neighbors must be in [1, n_samples / 2 = ", n / 2.0,
                                             ") but found ", n_neighbors));
  const row_matrix X = X_in, Y = Y_in;
  const Eigen::VectorXd xsq = X.rowwise().squaredNorm(), ysq = Y.rowwise().squaredNorm();
  const int k = n_neighbors;
  constexpr Eigen::Index kBlock = 64;
  const Eigen::Index n_blocks = (n + kBlock - 1) / kBlock;
  std::vector<double> penalty(static_cast<std::size_t>(n_blocks), 0.0);
#pragma omp parallel
  {
    Eigen::MatrixXd DX, DY;
    std::vector<std::pair<double, std::int64_t>> cand;
    std::vector<double> thresholds(static_cast<std::size_t>(k));
    std::vector<std::int64_t> embedded_nn(static_cast<std::size_t>(k));
#pragma omp for schedule(dynamic, 1)
    for (Eigen::Index b = 0; b < n_blocks; ++b) {
      const Eigen::Index i0 = b * kBlock, m = std::min(kBlock, n - i0);
      // Squared distances of the block's points to everyone, in both spaces (rows: block points).
      DX.noalias() = -2.0 * X.middleRows(i0, m) * X.transpose();
      DX.colwise() += xsq.segment(i0, m);
      DX.rowwise() += xsq.transpose();
      DY.noalias() = -2.0 * Y.middleRows(i0, m) * Y.transpose();
      DY.colwise() += ysq.segment(i0, m);
      DY.rowwise() += ysq.transpose();
      double sum = 0;
      for (Eigen::Index r = 0; r < m; ++r) {
        const Eigen::Index i = i0 + r;
        // k nearest in the embedding (ties broken by index, as a stable sort would).
        cand.clear();
        for (Eigen::Index j = 0; j < n; ++j)
          if (j != i) cand.emplace_back(DY(r, j), j);
        std::partial_sort(cand.begin(), cand.begin() + k, cand.end());
        for (int t = 0; t < k; ++t) embedded_nn[t] = cand[t].second;
        // rank r(i, j) = 1 + #{l != i : dX(i, l) < dX(i, j)} (+ ties before j in index order).
        for (int t = 0; t < k; ++t) {
          const std::int64_t j = embedded_nn[t];
          const double dj = DX(r, j);
          std::int64_t rank = 1;
          for (Eigen::Index l = 0; l < n; ++l) {
            if (l == i) continue;
            const double dl = DX(r, l);
            rank += (dl < dj) || (dl == dj && l < j);
          }
          if (rank > k) sum += static_cast<double>(rank - k);
        }
      }
      penalty[b] = sum;
    }
  }
  double t = 0;
  for (double v : penalty) t += v;
  const double nn = static_cast<double>(n), kk = k;
  return 1.0 - t * (2.0 / (nn * kk * (2.0 * nn - 3.0 * kk - 1.0)));
}
#endif  // CANTUS_CLASSIFY_DEFINITIONS

}  // namespace cantus::classify
