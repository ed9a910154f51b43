#pragma once
// Helpers shared by the training tests: golden files, element-wise comparison with a report of the
// worst element, and central finite differences.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "cantus/core/npy.hpp"
#include "cantus/core/tensor.hpp"

namespace cantus::training_test {

inline std::string golden_path(const std::string& name) { return std::string(CANTUS_NN_GOLDEN_DIR) + "/train_" + name + ".npy"; }

template <class T, std::size_t R>
tensor<T, R> golden(const std::string& name) {
  return npy::read(golden_path(name)).to_tensor<T, R>();
}
template <class T>
std::vector<T> golden_values(const std::string& name) {
  return npy::read(golden_path(name)).values<T>();
}

// |a - b| <= tol * (1 + |b|) element-wise; reports the worst element.
template <class T>
void check_close(const std::string& what, const T* a, const std::vector<double>& b, double tol) {
  double worst = 0;
  std::size_t at = 0;
  bool finite = true;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (!std::isfinite(double(a[i]))) finite = false;
    const double e = std::abs(double(a[i]) - b[i]) / (1 + std::abs(b[i]));
    if (e > worst) worst = e, at = i;
  }
  BOOST_TEST_INFO(what << ": worst relative error " << worst << " at element " << at << " (got "
                       << (b.empty() ? 0.0 : double(a[at])) << ", expected " << (b.empty() ? 0.0 : b[at]) << ")");
  BOOST_TEST((finite && worst <= tol));
}
template <class T, class V>
void check_close(const std::string& what, const V& got, const std::string& golden_name, double tol) {
  auto want = golden_values<double>(golden_name);
  BOOST_TEST_REQUIRE(static_cast<std::size_t>(got.size()) == want.size(), what << ": size " << got.size() << " vs golden " << want.size());
  check_close<T>(what, got.data(), want, tol);
}

// Central differences of a scalar function of the n values at p, compared with the analytic
// gradient `g`: relative to the largest gradient magnitude, so tiny components do not dominate.
inline void check_gradient(const std::string& what, double* p, std::size_t n, const double* g,
                           const std::function<double()>& f, double eps = 1e-6, double tol = 1e-6) {
  double worst = 0, scale = 1e-3;
  std::size_t at = 0;
  std::vector<double> num(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double keep = p[i];
    p[i] = keep + eps;
    const double up = f();
    p[i] = keep - eps;
    const double down = f();
    p[i] = keep;
    num[i] = (up - down) / (2 * eps);
    scale = std::max(scale, std::abs(num[i]));
  }
  for (std::size_t i = 0; i < n; ++i) {
    const double e = std::abs(num[i] - g[i]) / scale;
    if (e > worst) worst = e, at = i;
  }
  BOOST_TEST_INFO(what << ": worst gradient error " << worst << " at " << at << " (analytic " << g[at] << ", numeric "
                       << num[at] << ")");
  BOOST_TEST(worst <= tol);
}

}  // namespace cantus::training_test
