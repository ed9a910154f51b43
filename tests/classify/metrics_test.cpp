#include <boost/test/unit_test.hpp>

#include "cantus/classify/metrics.hpp"

using namespace cantus::classify;

BOOST_AUTO_TEST_SUITE(metrics)

// Hand-computed: true  = [0 0 0 1 1 2 2 2 2 5], pred = [0 1 0 1 2 2 2 0 2 5]
//   confusion (labels 0 1 2 5): [[2 1 0 0] [0 1 1 0] [1 0 3 0] [0 0 0 1]]
//   precision: 2/3, 1/2, 3/4, 1   recall: 2/3, 1/2, 3/4, 1   accuracy 7/10
BOOST_AUTO_TEST_CASE(hand_computed_example) {
  const std::vector<int> t{0, 0, 0, 1, 1, 2, 2, 2, 2, 5}, p{0, 1, 0, 1, 2, 2, 2, 0, 2, 5};
  BOOST_TEST(accuracy_score(t, p) == 0.7, boost::test_tools::tolerance(1e-12));
  const Eigen::MatrixXi C = confusion_matrix(t, p);
  Eigen::MatrixXi expected(4, 4);
  expected << 2, 1, 0, 0, 0, 1, 1, 0, 1, 0, 3, 0, 0, 0, 0, 1;
  BOOST_TEST((C == expected));
  const auto s = precision_recall_fscore_support(t, p);
  BOOST_TEST(s.labels == (std::vector<int>{0, 1, 2, 5}), boost::test_tools::per_element());
  const std::vector<double> prec{2.0 / 3, 0.5, 0.75, 1.0};
  for (int k = 0; k < 4; ++k) {
    BOOST_TEST(s.precision[k] == prec[k], boost::test_tools::tolerance(1e-12));
    BOOST_TEST(s.recall[k] == prec[k], boost::test_tools::tolerance(1e-12));
    BOOST_TEST(s.f1[k] == prec[k], boost::test_tools::tolerance(1e-12));
  }
  BOOST_TEST(s.support == (std::vector<int>{3, 2, 4, 1}), boost::test_tools::per_element());
  BOOST_TEST(f1_macro(t, p) == (2.0 / 3 + 0.5 + 0.75 + 1.0) / 4, boost::test_tools::tolerance(1e-12));
}

// Precision and recall differ: true = [1 1 1 0], pred = [1 0 0 0]
//   class 0: tp 1, predicted 3, actual 1 -> p 1/3, r 1, f1 0.5; class 1: tp 1, predicted 1, actual 3 -> p 1, r 1/3, f1 0.5
BOOST_AUTO_TEST_CASE(asymmetric_precision_recall) {
  const std::vector<int> t{1, 1, 1, 0}, p{1, 0, 0, 0};
  const auto s = precision_recall_fscore_support(t, p);
  BOOST_TEST(s.precision[0] == 1.0 / 3, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(s.recall[0] == 1.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(s.precision[1] == 1.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(s.recall[1] == 1.0 / 3, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(f1_macro(t, p) == 0.5, boost::test_tools::tolerance(1e-12));
}

// A class never predicted and one never true: zero_division = 0 and the union of labels.
BOOST_AUTO_TEST_CASE(absent_classes_score_zero) {
  const std::vector<int> t{3, 3, 4}, p{3, 3, 9};
  const auto s = precision_recall_fscore_support(t, p);
  BOOST_TEST(s.labels == (std::vector<int>{3, 4, 9}), boost::test_tools::per_element());
  BOOST_TEST(s.f1[0] == 1.0);
  BOOST_TEST(s.f1[1] == 0.0);
  BOOST_TEST(s.f1[2] == 0.0);
  // An explicit label list restricts the matrix.
  const Eigen::MatrixXi C = confusion_matrix(t, p, {3, 4});
  BOOST_TEST(C.rows() == 2);
  BOOST_TEST(C(0, 0) == 2);
  BOOST_TEST(C.sum() == 2);
}

BOOST_AUTO_TEST_CASE(length_mismatch_is_a_clear_error) {
  const std::vector<int> t{1, 2, 3}, p{1, 2};
  BOOST_CHECK_EXCEPTION(accuracy_score(t, p), cantus::shape_error, [](const cantus::shape_error& e) {
    return std::string(e.what()).find("same length but found 3 and 2") != std::string::npos;
  });
  BOOST_CHECK_THROW(accuracy_score(std::vector<int>{}, std::vector<int>{}), cantus::value_error);
}

// References: scipy 1.10 binomtest(k, n, p, alternative="greater").pvalue and
// binomtest(k, n, p).proportion_ci(confidence_level=0.95, method="wilson").
BOOST_AUTO_TEST_CASE(accuracy_interval_and_p_value_match_scipy) {
  struct ref {
    std::size_t k, n;
    double p, p_value, low, high;
  };
  const ref refs[] = {{10, 48, 0.125, 0.07017853065091828, 0.11730272957905595, 0.3425890127261792},
                      {6, 48, 0.125, 0.5651292475853448, 0.05857051438571978, 0.2470045828638683},
                      {0, 16, 0.125, 1.0, 0.0, 0.1936076805344365},
                      {16, 16, 0.125, 3.552713678800501e-15, 0.8063923194655637, 1.0},
                      {5, 10, 0.1, 0.0016349374000000003, 0.236593090512564, 0.7634069094874361},
                      {21, 48, 0.125, 7.946220652990218e-08, 0.30701269040654244, 0.5772498258017222}};
  for (const auto& r : refs) {
    BOOST_TEST_CONTEXT("k " << r.k << " n " << r.n << " p " << r.p) {
      BOOST_TEST(binomial_p_value_greater(r.k, r.n, r.p) == r.p_value, boost::test_tools::tolerance(1e-9));
      const auto [lo, hi] = wilson_interval(r.k, r.n);
      BOOST_TEST(lo == r.low, boost::test_tools::tolerance(1e-9));
      BOOST_TEST(hi == r.high, boost::test_tools::tolerance(1e-9));
    }
  }
  BOOST_CHECK_THROW(wilson_interval(3, 2), cantus::value_error);
  BOOST_CHECK_THROW(wilson_interval(0, 0), cantus::value_error);
  BOOST_CHECK_THROW(binomial_p_value_greater(1, 4, 1.0), cantus::value_error);
}

BOOST_AUTO_TEST_SUITE_END()
