#include <omp.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <limits>

#include "cantus/classify/random_forest.hpp"
#include "cantus_test.hpp"
#include "synthetic.hpp"

using namespace cantus;
using namespace cantus::classify;

namespace {
using cantus::testing::message_has;
}  // namespace

BOOST_AUTO_TEST_SUITE(random_forest_suite)

BOOST_AUTO_TEST_CASE(separable_blobs_are_learned_with_original_labels) {
  const auto train = testing::make_blobs(400, 8, 4, 8.0, 1), test = testing::make_blobs(200, 8, 4, 8.0, 2);
  random_forest rf({.n_estimators = 30, .random_state = 3});
  rf.fit(train.X, train.y);
  BOOST_TEST(rf.classes() == (std::vector<int>{-3, 7, 17, 27}), boost::test_tools::per_element());
  BOOST_TEST(rf.score(train.X, train.y) == 1.0);
  BOOST_TEST(rf.score(test.X, test.y) >= 0.98);
  // Only features 0..3 separate the classes: they must carry nearly all the importance.
  const auto& imp = rf.feature_importances();
  double total = 0, informative = 0;
  for (int f = 0; f < 8; ++f) total += imp[f], informative += f < 4 ? imp[f] : 0.0;
  BOOST_TEST(total == 1.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(informative > 0.9);
}

BOOST_AUTO_TEST_CASE(probabilities_are_distributions_and_agree_with_predict) {
  const auto d = testing::make_blobs(300, 4, 3, 2.0, 5);  // overlapping: probabilities are not 0/1
  random_forest rf({.n_estimators = 25, .criterion = "entropy", .random_state = 1});
  rf.fit(d.X, d.y);
  const Eigen::MatrixXd P = rf.predict_proba(d.X);
  const Eigen::VectorXi pred = rf.predict(d.X);
  BOOST_TEST(P.cols() == 3);
  bool fractional = false;
  for (Eigen::Index i = 0; i < P.rows(); ++i) {
    BOOST_TEST(P.row(i).sum() == 1.0, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(P.row(i).minCoeff() >= 0.0);
    Eigen::Index arg;
    P.row(i).maxCoeff(&arg);
    BOOST_TEST(pred[i] == rf.classes()[arg]);
    fractional |= P.row(i).maxCoeff() < 0.99;
  }
  BOOST_TEST(fractional);
}

// One unbootstrapped tree on x0 = i % 10, y = (x0 >= 5), x1 constant: a single split at 4.5.
BOOST_AUTO_TEST_CASE(single_tree_finds_the_known_threshold) {
  row_matrix X(40, 2);
  std::vector<int> y(40);
  for (int i = 0; i < 40; ++i) X(i, 0) = i % 10, X(i, 1) = 3.0, y[i] = (i % 10) >= 5 ? 1 : 0;
  random_forest rf({.n_estimators = 1, .max_features = "all", .bootstrap = false});
  rf.fit(X, y);
  const auto& tree = rf.trees()[0];
  BOOST_REQUIRE(tree.nodes.size() == 3u);
  BOOST_TEST(tree.nodes[0].feature == 0);
  BOOST_TEST(tree.nodes[0].threshold == 4.5);
  BOOST_TEST(rf.feature_importances()[0] == 1.0);
  BOOST_TEST(rf.feature_importances()[1] == 0.0);
  row_matrix q(2, 2);
  q << 4.49, 0.0, 4.51, 100.0;
  const Eigen::VectorXi p = rf.predict(q);
  BOOST_TEST(p[0] == 0);
  BOOST_TEST(p[1] == 1);
}

BOOST_AUTO_TEST_CASE(max_depth_and_min_samples_leaf_are_respected) {
  const auto d = testing::make_blobs(300, 5, 3, 1.0, 9);
  random_forest shallow({.n_estimators = 5, .max_depth = 2, .random_state = 2});
  shallow.fit(d.X, d.y);
  for (const auto& t : shallow.trees())
    for (const auto& nd : t.nodes) BOOST_TEST(nd.depth <= 2);
  // With min_samples_leaf = 40 and no bootstrap, no leaf can hold fewer than 40 of the 300 samples,
  // so a tree has at most 300 / 40 = 7 leaves.
  random_forest coarse({.n_estimators = 5, .bootstrap = false, .min_samples_leaf = 40, .random_state = 2});
  coarse.fit(d.X, d.y);
  for (const auto& t : coarse.trees()) BOOST_TEST(t.leaf_values.size() / 3 <= 7u);
}

BOOST_AUTO_TEST_CASE(same_forest_for_any_thread_count) {
  const auto d = testing::make_blobs(500, 10, 5, 1.5, 11);
  const int before = omp_get_max_threads();
  auto fit_with = [&](int threads) {
    omp_set_num_threads(threads);
    random_forest rf({.n_estimators = 16, .max_features = "log2", .random_state = 42});
    rf.fit(d.X, d.y);
    return std::make_pair(rf.predict_proba(d.X), rf.feature_importances());
  };
  const auto one = fit_with(1), two = fit_with(2), three = fit_with(3);
  omp_set_num_threads(before);
  BOOST_TEST((one.first == two.first));
  BOOST_TEST((one.first == three.first));
  BOOST_TEST(one.second == two.second, boost::test_tools::per_element());
  random_forest other({.n_estimators = 16, .max_features = "log2", .random_state = 43});
  other.fit(d.X, d.y);
  BOOST_TEST(!(other.predict_proba(d.X) == one.first));  // the seed matters
}

BOOST_AUTO_TEST_CASE(save_load_round_trip_and_corrupt_files) {
  const auto dir = testing::scratch_dir("forest_io");
  const auto d = testing::make_blobs(200, 6, 3, 3.0, 4);
  random_forest rf({.n_estimators = 10, .max_features = "0.5", .random_state = 7});
  rf.fit(d.X, d.y);
  rf.save(dir / "rf.bin");
  const random_forest back = random_forest::load(dir / "rf.bin");
  BOOST_TEST((back.predict_proba(d.X) == rf.predict_proba(d.X)));
  BOOST_TEST(back.classes() == rf.classes(), boost::test_tools::per_element());
  BOOST_TEST(back.params().max_features == "0.5");

  {
    std::ofstream garbage(dir / "garbage.bin", std::ios::binary);
    garbage << "this is not a model";
  }
  BOOST_CHECK_EXCEPTION(random_forest::load(dir / "garbage.bin"), io_error, [](const io_error& e) { return message_has(e, "not a CNTS-RF1"); });
  // Every proper prefix of the file must be rejected as truncated or corrupt, never crash.
  std::ifstream in(dir / "rf.bin", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (std::size_t cut : {std::size_t(5), std::size_t(20), bytes.size() / 3, bytes.size() / 2, bytes.size() - 1}) {
    {
      std::ofstream t(dir / "cut.bin", std::ios::binary);
      t.write(bytes.data(), static_cast<std::streamsize>(cut));
    }
    BOOST_CHECK_THROW(random_forest::load(dir / "cut.bin"), io_error);
  }
  BOOST_CHECK_EXCEPTION(random_forest::load(dir / "missing.bin"), io_error, [](const io_error& e) { return message_has(e, "missing.bin"); });
  BOOST_CHECK_THROW(random_forest().save(dir / "unfitted.bin"), value_error);
  {  // A tree count of 2^24 in a small file is refused before 2^24 trees are allocated (tests/fuzz).
    std::string many = bytes;
    const std::uint64_t count = std::uint64_t{1} << 24;
    const auto at = 8 + 4 + 4 + 4 + (8 + rf.params().criterion.size()) + (8 + rf.params().max_features.size()) + 1 + 4 + 4 + 8 + 4 + 8 +
                    (8 + 4 * rf.classes().size()) + (8 + 8 * static_cast<std::size_t>(rf.n_features_in()));
    many.replace(at, sizeof count, reinterpret_cast<const char*>(&count), sizeof count);
    std::ofstream(dir / "many.bin", std::ios::binary) << many;
  }
  BOOST_CHECK_EXCEPTION(random_forest::load(dir / "many.bin"), io_error,
                        [](const io_error& e) { return message_has(e, "tree count 16777216 is more than"); });
}

BOOST_AUTO_TEST_CASE(bad_input_is_reported_clearly) {
  const auto d = testing::make_blobs(60, 3, 2, 4.0, 1);
  random_forest rf({.n_estimators = 3});
  row_matrix bad = d.X;
  bad(7, 2) = std::numeric_limits<double>::quiet_NaN();
  BOOST_CHECK_EXCEPTION(rf.fit(bad, d.y), value_error, [](const value_error& e) { return message_has(e, "X(7, 2) = nan"); });
  bad(7, 2) = std::numeric_limits<double>::infinity();
  BOOST_CHECK_EXCEPTION(rf.fit(bad, d.y), value_error, [](const value_error& e) { return message_has(e, "must be finite"); });
  std::vector<int> short_y(d.y.begin(), d.y.end() - 1);
  BOOST_CHECK_EXCEPTION(rf.fit(d.X, short_y), shape_error,
                        [](const shape_error& e) { return message_has(e, "expected 60 labels but found 59"); });
  BOOST_CHECK_EXCEPTION(rf.fit(d.X, std::vector<int>(60, 4)), value_error,
                        [](const value_error& e) { return message_has(e, "at least 2 classes"); });
  BOOST_CHECK_EXCEPTION(rf.fit(row_matrix(0, 3), std::vector<int>{}), value_error,
                        [](const value_error& e) { return message_has(e, "non-empty matrix but found shape [0, 3]"); });
  BOOST_CHECK_EXCEPTION(rf.predict(d.X), value_error, [](const value_error& e) { return message_has(e, "not fitted"); });
  rf.fit(d.X, d.y);
  BOOST_CHECK_EXCEPTION(rf.predict(row_matrix::Zero(4, 5)), shape_error,
                        [](const shape_error& e) { return message_has(e, "X has 5 features but the model was fitted with 3"); });
  BOOST_CHECK_THROW(random_forest({.criterion = "mse"}).fit(d.X, d.y), value_error);
  BOOST_CHECK_EXCEPTION(random_forest({.max_features = "1.5"}).fit(d.X, d.y), value_error,
                        [](const value_error& e) { return message_has(e, "max_features"); });
  BOOST_CHECK_THROW(random_forest({.max_features = "4"}).fit(d.X, d.y), value_error);  // > n_features
  BOOST_CHECK_THROW(random_forest({.n_estimators = 0}).fit(d.X, d.y), value_error);
  BOOST_CHECK_THROW(random_forest({.min_samples_leaf = 0}).fit(d.X, d.y), value_error);
  // A class in the test set that training never saw: predict still works, score counts it wrong.
  std::vector<int> y_unknown = d.y;
  y_unknown[0] = 999;
  const double s = rf.score(d.X, y_unknown);
  BOOST_TEST(s < 1.0);
  BOOST_TEST(s > 0.9);
}

BOOST_AUTO_TEST_SUITE_END()
