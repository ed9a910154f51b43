// Saved classifiers (classify/random_forest.hpp, logistic_regression.hpp load(): the .cls files
// table1 writes and predict reads). Whatever load() accepts must also predict without fault, so
// each accepted model is applied to a few rows of its input width.
#include <cstddef>
#include <cstdint>

#include "cantus/classify/logistic_regression.hpp"
#include "cantus/classify/random_forest.hpp"
#include "fuzz_support.hpp"

namespace {
cantus::classify::row_matrix rows_of(Eigen::Index features) {
  cantus::classify::row_matrix X(3, features);
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    for (Eigen::Index j = 0; j < features; ++j) X(i, j) = static_cast<double>((i * 7 + j * 3) % 11) - 5.0;
  return X;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cantus::classify;
  const auto path = cantus_fuzz::input_file("input.cls", data, size);
  cantus_fuzz::accepts([&] {
    const auto m = random_forest::load(path);
    if (m.n_features_in() <= 4096) {
      const auto X = rows_of(m.n_features_in());
      (void)m.predict_proba(X);
      (void)m.predict(X);
    }
  });
  cantus_fuzz::accepts([&] {
    const auto m = logistic_regression::load(path);
    if (m.n_features_in() <= 4096) {
      const auto X = rows_of(m.n_features_in());
      (void)m.predict_proba(X);
      (void)m.predict(X);
    }
  });
  return 0;
}
