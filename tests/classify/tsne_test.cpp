#include <chrono>
#include <omp.h>

#include <boost/test/unit_test.hpp>
#include <limits>

#include "cantus/classify/trustworthiness.hpp"
#include "cantus/classify/tsne.hpp"
#include "cantus/classify/vp_tree.hpp"
#include "synthetic.hpp"

using namespace cantus;
using namespace cantus::classify;

namespace {
// Fraction of points whose nearest embedded neighbour has the same label.
double nearest_neighbour_agreement(const row_matrix& Y, const std::vector<int>& y) {
  int hits = 0;
  for (Eigen::Index i = 0; i < Y.rows(); ++i) {
    double best = std::numeric_limits<double>::max();
    Eigen::Index arg = -1;
    for (Eigen::Index j = 0; j < Y.rows(); ++j)
      if (j != i && (Y.row(i) - Y.row(j)).squaredNorm() < best) best = (Y.row(i) - Y.row(j)).squaredNorm(), arg = j;
    hits += y[arg] == y[i];
  }
  return static_cast<double>(hits) / static_cast<double>(Y.rows());
}
}  // namespace

BOOST_AUTO_TEST_SUITE(tsne_suite)

BOOST_AUTO_TEST_CASE(vp_tree_finds_the_exact_nearest_neighbours) {
  const auto d = testing::make_blobs(300, 7, 3, 1.0, 13);
  const vp_tree tree(d.X.data(), 300, 7, 5);
  std::vector<std::int32_t> idx;
  std::vector<double> dist;
  for (Eigen::Index i = 0; i < 300; i += 7) {
    tree.neighbours_of(i, 10, idx, dist);
    std::vector<std::pair<double, std::int32_t>> brute;
    for (Eigen::Index j = 0; j < 300; ++j)
      if (j != i) brute.emplace_back((d.X.row(i) - d.X.row(j)).norm(), static_cast<std::int32_t>(j));
    std::sort(brute.begin(), brute.end());
    BOOST_REQUIRE(idx.size() == 10u);
    for (int k = 0; k < 10; ++k) {
      BOOST_TEST(idx[k] == brute[k].second);
      BOOST_TEST(dist[k] == brute[k].first, boost::test_tools::tolerance(1e-12));
    }
  }
}

// sklearn.manifold.trustworthiness (1.2) on two tiny cases, values computed by scikit-learn.
BOOST_AUTO_TEST_CASE(trustworthiness_matches_sklearn) {
  row_matrix X(8, 1), Y(8, 1);
  const int perm[8] = {0, 1, 7, 3, 4, 5, 6, 2};
  for (int i = 0; i < 8; ++i) X(i, 0) = i, Y(i, 0) = perm[i];
  BOOST_TEST(trustworthiness(X, X, 2) == 1.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(trustworthiness(X, Y, 2) == 0.5694444444444444, boost::test_tools::tolerance(1e-12));
  row_matrix X2(8, 2), Y2(8, 1);
  X2 << 0, 0, 1, 0, 0, 1, 5, 5, 6, 5, 5, 6, 2, 9, 9, 2.5;
  for (int i = 0; i < 8; ++i) Y2(i, 0) = i;
  BOOST_TEST(trustworthiness(X2, Y2, 3) == 0.7777777777777778, boost::test_tools::tolerance(1e-12));
  BOOST_CHECK_THROW(trustworthiness(X2, Y2, 4), value_error);  // k must be < n / 2
  BOOST_CHECK_THROW(trustworthiness(X2, row_matrix::Zero(7, 1), 2), shape_error);
}

BOOST_AUTO_TEST_CASE(barnes_hut_separates_clusters_for_any_thread_count) {
  const auto d = testing::make_blobs(240, 10, 4, 10.0, 17);
  const int before = omp_get_max_threads();
  omp_set_num_threads(1);
  const tsne_result one = tsne().fit_transform(d.X);
  omp_set_num_threads(2);
  const tsne_result two = tsne().fit_transform(d.X);
  omp_set_num_threads(before);
  BOOST_TEST((one.embedding == two.embedding));
  BOOST_TEST(one.kl_divergence == two.kl_divergence);
  BOOST_TEST(one.learning_rate == 50.0);  // "auto": max(240 / 12 / 4, 50)
  BOOST_TEST(one.n_iter == 1000);
  BOOST_TEST(trustworthiness(d.X, one.embedding, 10) > 0.9);
  BOOST_TEST(nearest_neighbour_agreement(one.embedding, d.y) > 0.97);
  BOOST_TEST(std::isfinite(one.kl_divergence));
  BOOST_TEST(one.kl_divergence > 0.0);
  BOOST_TEST(one.kl_divergence < 2.0);
}

BOOST_AUTO_TEST_CASE(exact_and_barnes_hut_agree) {
  const auto d = testing::make_blobs(150, 6, 3, 6.0, 23);
  tsne_params p;
  p.perplexity = 20;
  p.method = "exact";
  const auto exact = tsne(p).fit_transform(d.X);
  p.method = "barnes_hut";
  const auto bh = tsne(p).fit_transform(d.X);
  BOOST_TEST_MESSAGE("KL exact " << exact.kl_divergence << ", Barnes-Hut " << bh.kl_divergence);
  // Exact P spreads over all points while BH's lives on 61 neighbours, so the values differ a little.
  BOOST_TEST(std::abs(exact.kl_divergence - bh.kl_divergence) < 0.15 * exact.kl_divergence);
  const double t_exact = trustworthiness(d.X, exact.embedding, 10), t_bh = trustworthiness(d.X, bh.embedding, 10);
  BOOST_TEST(t_exact > 0.85);
  BOOST_TEST(std::abs(t_exact - t_bh) < 0.03);
  BOOST_TEST(nearest_neighbour_agreement(exact.embedding, d.y) > 0.95);
  // angle = 0 turns the Barnes-Hut repulsion into the exact O(N^2) sum; the optimum it reaches
  // must be as good as with the approximation (trajectories themselves diverge: t-SNE is chaotic).
  p.angle = 0.0;
  const auto zero_angle = tsne(p).fit_transform(d.X);
  BOOST_TEST(std::abs(zero_angle.kl_divergence - bh.kl_divergence) < 0.05 * bh.kl_divergence);
}

BOOST_AUTO_TEST_CASE(pca_initialisation_is_scaled_like_sklearn) {
  const auto d = testing::make_blobs(100, 5, 2, 3.0, 2);
  const row_matrix Y = classify::detail::pca_init(d.X);
  const double mean = Y.col(0).mean();
  BOOST_TEST(std::sqrt((Y.col(0).array() - mean).square().mean()) == 1e-4, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(std::abs(Y.col(0).dot(Y.col(1))) < 1e-6 * Y.col(0).squaredNorm());  // principal axes are orthogonal
}

// Issue 22, item 7: wide inputs (n < d) take the n x n Gram matrix; same components as the
// covariance path, and d = 20,000 no longer forms a 3.2 GB covariance.
BOOST_AUTO_TEST_CASE(pca_initialisation_of_wide_inputs_uses_the_gram_matrix) {
  const auto d = testing::make_blobs(30, 40, 3, 3.0, 4);
  const row_matrix via_gram = classify::detail::pca_init(d.X, true), via_cov = classify::detail::pca_init(d.X, false);
  BOOST_TEST((via_gram - via_cov).cwiseAbs().maxCoeff() < 1e-9 * via_cov.cwiseAbs().maxCoeff());
  const auto wide = testing::make_blobs(60, 20000, 3, 3.0, 5);
  const auto t0 = std::chrono::steady_clock::now();
  const row_matrix Y = classify::detail::pca_init(wide.X);
  BOOST_TEST_MESSAGE("pca_init of 60 x 20000: " << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s");
  const double mean = Y.col(0).mean();
  BOOST_TEST(std::sqrt((Y.col(0).array() - mean).square().mean()) == 1e-4, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(std::abs(Y.col(0).dot(Y.col(1))) < 1e-6 * Y.col(0).squaredNorm());
}

BOOST_AUTO_TEST_CASE(bad_input_is_reported_clearly) {
  const auto d = testing::make_blobs(25, 3, 2, 3.0, 1);
  tsne_params p;
  BOOST_CHECK_EXCEPTION(tsne(p).fit_transform(d.X), value_error, [](const value_error& e) {
    return std::string(e.what()).find("perplexity must be in (0, n_samples = 25) but found 30") != std::string::npos;
  });
  p.perplexity = 5;
  row_matrix bad = d.X;
  bad(0, 0) = std::numeric_limits<double>::quiet_NaN();
  BOOST_CHECK_THROW(tsne(p).fit_transform(bad), value_error);
  p.n_components = 3;
  BOOST_CHECK_THROW(tsne(p).fit_transform(d.X), value_error);
  p.n_components = 2;
  p.method = "fft";
  BOOST_CHECK_THROW(tsne(p).fit_transform(d.X), value_error);
  BOOST_CHECK_THROW(tsne(tsne_params{}).fit_transform(row_matrix(0, 3)), value_error);
}

BOOST_AUTO_TEST_SUITE_END()
