#include <omp.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <limits>

#include "cantus/classify/io.hpp"
#include "cantus/classify/logistic_regression.hpp"
#include "cantus_test.hpp"
#include "synthetic.hpp"

using namespace cantus;
using namespace cantus::classify;

namespace {
const std::filesystem::path golden = CANTUS_CLASSIFY_TEST_DATA;
using cantus::testing::message_has;
}  // namespace

BOOST_AUTO_TEST_SUITE(logistic_regression_suite)

// scikit-learn 1.2 LogisticRegression(C=0.5, tol=1e-10, max_iter=1000) on 90 x 5, labels {-4, 7, 30}
// (tests/classify/make_lr_golden.py): the same optimum, hence the same coefficients and probabilities.
BOOST_AUTO_TEST_CASE(matches_sklearn_multinomial_golden) {
  const row_matrix X = load_features(golden / "lr_X.npy");
  const std::vector<int> y = load_labels(golden / "lr_y3.npy");
  const row_matrix coef = load_features(golden / "lr_coef3.npy");
  const auto intercept = npy::read(golden / "lr_intercept3.npy").values<double>();
  const row_matrix proba = load_features(golden / "lr_proba3.npy");
  logistic_regression lr({.C = 0.5, .max_iter = 1000, .tol = 1e-10});
  lr.fit(X, y);
  BOOST_TEST(lr.classes() == (std::vector<int>{-4, 7, 30}), boost::test_tools::per_element());
  BOOST_TEST(lr.report().converged);
  BOOST_TEST(lr.coef().rows() == 3);
  BOOST_TEST((lr.coef() - coef).cwiseAbs().maxCoeff() < 1e-6);
  for (int k = 0; k < 3; ++k) BOOST_TEST(lr.intercept()[k] == intercept[k], boost::test_tools::tolerance(1e-6));
  BOOST_TEST((lr.predict_proba(X) - proba).cwiseAbs().maxCoeff() < 1e-7);
}

// Two classes: sklearn fits one sigmoid weight vector with the same L2 penalty.
BOOST_AUTO_TEST_CASE(matches_sklearn_binary_golden) {
  const row_matrix X = load_features(golden / "lr_X.npy");
  const std::vector<int> y = load_labels(golden / "lr_y2.npy");  // int32 labels {2, 7}
  const row_matrix coef = load_features(golden / "lr_coef2.npy");
  const auto intercept = npy::read(golden / "lr_intercept2.npy").values<double>();
  const row_matrix proba = load_features(golden / "lr_proba2.npy");
  logistic_regression lr({.C = 1.0, .max_iter = 1000, .tol = 1e-10});
  lr.fit(X, y);
  BOOST_TEST(lr.coef().rows() == 1);
  BOOST_TEST((lr.coef() - coef).cwiseAbs().maxCoeff() < 1e-6);
  BOOST_TEST(lr.intercept()[0] == intercept[0], boost::test_tools::tolerance(1e-6));
  BOOST_TEST((lr.predict_proba(X) - proba).cwiseAbs().maxCoeff() < 1e-7);
}

// The objective's gradient at the optimum: stationarity of sum log-loss + 0.5/C ||W||^2, checked
// independently of the optimiser from the fitted model's own probabilities.
BOOST_AUTO_TEST_CASE(solution_is_stationary_and_standardisation_is_applied) {
  const auto d = testing::make_blobs(240, 6, 4, 1.2, 21);
  row_matrix X = d.X;
  X.col(2) = X.col(2) * 1000.0 + Eigen::VectorXd::Constant(240, 50.0);  // badly scaled column
  logistic_regression lr({.C = 2.0, .max_iter = 500, .tol = 1e-8, .standardize = true});
  lr.fit(X, d.y);
  BOOST_TEST(lr.report().converged);
  const Eigen::MatrixXd P = lr.predict_proba(X);
  // Rebuild standardised X and the gradient with respect to W.
  const Eigen::RowVectorXd mean = X.colwise().mean();
  Eigen::RowVectorXd sd(6);
  for (int j = 0; j < 6; ++j) sd[j] = std::sqrt((X.col(j).array() - mean[j]).square().mean());
  const row_matrix Z = (X.rowwise() - mean).array().rowwise() / sd.array();
  Eigen::MatrixXd G = P;
  for (int i = 0; i < 240; ++i) G(i, (d.y[i] + 3) / 10) -= 1.0;
  const Eigen::MatrixXd grad = G.transpose() * Z + lr.coef() / 2.0;
  const double largest = std::max(grad.cwiseAbs().maxCoeff(), G.colwise().sum().cwiseAbs().maxCoeff());
  // The report tells the truth about the gradient, which is small (SciPy's ftol stops it near 1e-3
  // on a loss of ~50, as it would stop scikit-learn).
  BOOST_TEST(largest == lr.report().gradient_norm, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(largest < 1e-2);
  for (Eigen::Index i = 0; i < P.rows(); ++i) BOOST_TEST(P.row(i).sum() == 1.0, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(separable_data_and_thread_independence) {
  const auto train = testing::make_blobs(300, 5, 3, 6.0, 8), test = testing::make_blobs(150, 5, 3, 6.0, 9);
  const int before = omp_get_max_threads();
  omp_set_num_threads(1);
  logistic_regression one;
  one.fit(train.X, train.y);
  omp_set_num_threads(2);
  logistic_regression two;
  two.fit(train.X, train.y);
  omp_set_num_threads(before);
  BOOST_TEST(one.score(test.X, test.y) >= 0.98);
  BOOST_TEST((one.coef() == two.coef()));
  BOOST_TEST((one.predict_proba(test.X) == two.predict_proba(test.X)));
  // max_iter too small: the report says so.
  logistic_regression capped({.max_iter = 2});
  capped.fit(train.X, train.y);
  BOOST_TEST(!capped.report().converged);
  BOOST_TEST(capped.report().iterations == 2);
}

BOOST_AUTO_TEST_CASE(lbfgs_minimises_rosenbrock) {
  auto rosenbrock = [](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    const double a = 1 - x[0], b = x[1] - x[0] * x[0];
    g[0] = -2 * a - 400 * x[0] * b;
    g[1] = 200 * b;
    return a * a + 100 * b * b;
  };
  Eigen::VectorXd x(2);
  x << -1.2, 1.0;
  const auto rep = lbfgs_minimize(rosenbrock, x, {.max_iter = 200, .gtol = 1e-8, .ftol = 0});
  BOOST_TEST(rep.converged);
  BOOST_TEST(x[0] == 1.0, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(x[1] == 1.0, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(rep.loss < 1e-12);
}

BOOST_AUTO_TEST_CASE(save_load_round_trip_and_corrupt_files) {
  const auto dir = testing::scratch_dir("logistic_io");
  const auto d = testing::make_blobs(120, 4, 3, 2.0, 3);
  logistic_regression lr({.C = 0.3, .standardize = true});
  lr.fit(d.X, d.y);
  lr.save(dir / "lr.bin");
  const auto back = logistic_regression::load(dir / "lr.bin");
  BOOST_TEST((back.predict_proba(d.X) == lr.predict_proba(d.X)));
  BOOST_TEST(back.report().iterations == lr.report().iterations);
  std::ifstream in(dir / "lr.bin", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (std::size_t cut : {std::size_t(3), std::size_t(12), bytes.size() / 2, bytes.size() - 1}) {
    {
      std::ofstream t(dir / "cut.bin", std::ios::binary);
      t.write(bytes.data(), static_cast<std::streamsize>(cut));
    }
    BOOST_CHECK_THROW(logistic_regression::load(dir / "cut.bin"), io_error);
  }
  {
    std::ofstream t(dir / "extra.bin", std::ios::binary);
    t << bytes << "xx";
  }
  BOOST_CHECK_EXCEPTION(logistic_regression::load(dir / "extra.bin"), io_error,
                        [](const io_error& e) { return message_has(e, "unexpected bytes"); });
}

BOOST_AUTO_TEST_CASE(bad_input_is_reported_clearly) {
  const auto d = testing::make_blobs(50, 3, 2, 4.0, 1);
  logistic_regression lr;
  row_matrix bad = d.X;
  bad(3, 1) = -std::numeric_limits<double>::infinity();
  BOOST_CHECK_EXCEPTION(lr.fit(bad, d.y), value_error, [](const value_error& e) { return message_has(e, "X(3, 1) = -inf"); });
  BOOST_CHECK_EXCEPTION(lr.fit(d.X, std::vector<int>(51, 0)), shape_error,
                        [](const shape_error& e) { return message_has(e, "expected 50 labels but found 51"); });
  BOOST_CHECK_THROW(lr.fit(d.X, std::vector<int>(50, 1)), value_error);
  BOOST_CHECK_THROW(logistic_regression({.C = 0.0}).fit(d.X, d.y), value_error);
  BOOST_CHECK_EXCEPTION(lr.predict(d.X), value_error, [](const value_error& e) { return message_has(e, "not fitted"); });
  lr.fit(d.X, d.y);
  BOOST_CHECK_EXCEPTION(lr.predict_proba(row_matrix::Zero(2, 4)), shape_error,
                        [](const shape_error& e) { return message_has(e, "X has 4 features but the model was fitted with 3"); });
  // Column-major Eigen::MatrixXd and Eigen::VectorXi labels bind too.
  const Eigen::MatrixXd Xc = d.X;
  Eigen::VectorXi yv = Eigen::Map<const Eigen::VectorXi>(d.y.data(), 50);
  BOOST_TEST(lr.score(Xc, yv) == lr.score(d.X, d.y));
}

BOOST_AUTO_TEST_SUITE_END()
