// Disentanglement metrics: a fixed small case against disentanglement_lib's recipe computed by
// numpy / scikit-learn / scipy (data/disentanglement_golden.hpp, from make_disentanglement_golden.py),
// and synthetic codes with known answers for MIG, DCI and SAP: the factors themselves score high, a
// rotation of them low, noise near 0.
#include <boost/test/unit_test.hpp>

#include <Eigen/Geometry>

#include <cmath>

#include "cantus/classify/disentanglement.hpp"
#include "cantus/core/random.hpp"
#include "data/disentanglement_golden.hpp"

using namespace cantus;
using namespace cantus::classify;
namespace golden = disentanglement_golden;

namespace {

struct synthetic {
  row_matrix codes_train, codes_test;
  factor_matrix factors_train, factors_test;
};

// Three independent factors with 5 values each; the code is `mix` applied to (factor + small noise),
// or pure noise when `noise_only`.
synthetic make(const Eigen::Matrix3d& mix, bool noise_only, std::uint64_t seed) {
  const random_stream r(seed);
  auto part = [&](Eigen::Index n, std::uint64_t offset, row_matrix& codes, factor_matrix& factors) {
    codes.resize(n, 3);
    factors.resize(n, 3);
    for (Eigen::Index i = 0; i < n; ++i) {
      Eigen::Vector3d f;
      for (int j = 0; j < 3; ++j) {
        factors(i, j) = static_cast<int>(r.below(offset + std::uint64_t(i * 3 + j), 5));
        f(j) = noise_only ? r.normal(offset + 500000 + std::uint64_t(i * 3 + j))
                          : factors(i, j) + 0.05 * r.normal(offset + 500000 + std::uint64_t(i * 3 + j));
      }
      codes.row(i) = (mix * f).transpose();
    }
  };
  synthetic s;
  part(1500, 0, s.codes_train, s.factors_train);
  part(500, 10000000, s.codes_test, s.factors_test);
  return s;
}

random_forest_params small_forest() {
  auto p = dci_forest();
  p.n_estimators = 30;
  p.random_state = 3;
  return p;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(disentanglement)

BOOST_AUTO_TEST_CASE(mig_matches_disentanglement_libs_recipe_on_a_fixed_case) {
  row_matrix codes(golden::n, 3);
  factor_matrix factors(golden::n, 2);
  for (int i = 0; i < golden::n; ++i) {
    for (int j = 0; j < 3; ++j) codes(i, j) = golden::codes[i * 3 + j];
    for (int j = 0; j < 2; ++j) factors(i, j) = golden::factors[i * 2 + j];
  }
  const auto bins = discretize(codes);
  for (int i = 0; i < golden::n; ++i)
    for (int j = 0; j < 3; ++j) BOOST_TEST(bins(i, j) == golden::bins[i * 3 + j], "row " << i << " code " << j);
  const auto r = mig(codes, factors);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j) BOOST_TEST(r.mutual_info(i, j) == golden::mutual_info[i * 2 + j], boost::test_tools::tolerance(1e-12));
  BOOST_TEST(r.per_factor[0] == golden::mig_per_factor[0], boost::test_tools::tolerance(1e-12));
  BOOST_TEST(r.per_factor[1] == golden::mig_per_factor[1], boost::test_tools::tolerance(1e-12));
  BOOST_TEST(r.score == golden::mig, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(dci_aggregation_matches_the_reference_formulas) {
  Eigen::MatrixXd R(4, 3);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) R(i, j) = golden::importance[i * 3 + j];
  const auto d = dci_scores(R);
  // The reference adds 1e-11 to every importance before its entropies; that moves the ninth digit.
  BOOST_TEST(d.disentanglement == golden::disentanglement, boost::test_tools::tolerance(1e-8));
  BOOST_TEST(d.completeness == golden::completeness, boost::test_tools::tolerance(1e-8));
  // One code per factor, nothing shared: both 1. Every code uses every factor equally: both 0.
  BOOST_TEST(dci_scores(Eigen::MatrixXd::Identity(3, 3)).disentanglement == 1.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(dci_scores(Eigen::MatrixXd::Identity(3, 3)).completeness == 1.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(dci_scores(Eigen::MatrixXd::Ones(3, 3)).disentanglement == 0.0, boost::test_tools::tolerance(1e-12));
  BOOST_CHECK_THROW(dci_scores(-Eigen::MatrixXd::Identity(2, 2)), value_error);
}

BOOST_AUTO_TEST_CASE(the_factors_score_high_a_rotation_low_and_noise_near_zero) {
  Eigen::Matrix3d rotation;  // a rotation mixing all three axes
  rotation = Eigen::AngleAxisd(0.9, Eigen::Vector3d(1, 1, 1).normalized()) * Eigen::AngleAxisd(0.6, Eigen::Vector3d::UnitX());
  const auto ident = make(Eigen::Matrix3d::Identity(), false, 1), rotated = make(rotation, false, 1),
             noise = make(Eigen::Matrix3d::Identity(), true, 1);
  const double m_ident = mig(ident.codes_train, ident.factors_train).score;
  const double m_rot = mig(rotated.codes_train, rotated.factors_train).score;
  const double m_noise = mig(noise.codes_train, noise.factors_train).score;
  BOOST_TEST(m_ident > 0.9);
  BOOST_TEST(m_rot < 0.5 * m_ident);
  BOOST_TEST(m_noise < 0.05);
  const auto d_ident = dci(ident.codes_train, ident.factors_train, ident.codes_test, ident.factors_test, small_forest());
  const auto d_rot = dci(rotated.codes_train, rotated.factors_train, rotated.codes_test, rotated.factors_test, small_forest());
  const auto d_noise = dci(noise.codes_train, noise.factors_train, noise.codes_test, noise.factors_test, small_forest());
  BOOST_TEST(d_ident.disentanglement > 0.9);
  BOOST_TEST(d_ident.completeness > 0.9);
  BOOST_TEST(d_ident.informativeness > 0.95);
  BOOST_TEST(d_rot.disentanglement < d_ident.disentanglement - 0.3);
  BOOST_TEST(d_noise.informativeness < 0.35);  // chance is 0.2
  const auto s_ident = sap(ident.codes_train, ident.factors_train, ident.codes_test, ident.factors_test);
  const auto s_rot = sap(rotated.codes_train, rotated.factors_train, rotated.codes_test, rotated.factors_test);
  const auto s_noise = sap(noise.codes_train, noise.factors_train, noise.codes_test, noise.factors_test);
  BOOST_TEST_MESSAGE("MIG " << m_ident << " / " << m_rot << " / " << m_noise << ", DCI D " << d_ident.disentanglement << " / "
                            << d_rot.disentanglement << " / " << d_noise.disentanglement << ", SAP " << s_ident.score << " / "
                            << s_rot.score << " / " << s_noise.score << " (factors / rotation / noise)");
  BOOST_TEST(s_ident.score > 0.5);
  BOOST_TEST(s_rot.score < 0.5 * s_ident.score);
  BOOST_TEST(s_noise.score < 0.1);
  BOOST_CHECK_THROW(mig(ident.codes_train, noise.factors_test), value_error);
}

BOOST_AUTO_TEST_SUITE_END()
