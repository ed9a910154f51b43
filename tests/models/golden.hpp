#pragma once
// Goldens from PyTorch (tests/models/golden/make_goldens.py): load a reference model's parameters
// into a cantus model by name, and compare cantus' gradients with PyTorch's.
#include <cmath>
#include <filesystem>
#include <string>

#include "cantus/core/npy.hpp"
#include "cantus/nn/parameter.hpp"
#include "cantus_test.hpp"

namespace cantus::testing {

inline std::filesystem::path models_golden(const std::string& file) {
  return std::filesystem::path(CANTUS_MODELS_GOLDEN_DIR) / file;
}

// Copies <prefix>_param_<name>.npy into every parameter (names as in torch's state_dict).
inline void load_golden_parameters(nn::parameter_list<float>& ps, const std::string& prefix) {
  for (auto& p : ps) {
    auto v = npy::read(models_golden(prefix + "_param_" + p.name + ".npy")).values<float>();
    BOOST_REQUIRE_MESSAGE(static_cast<index_t>(v.size()) == p.value.size(), p.name << ": golden size " << v.size());
    std::copy(v.begin(), v.end(), p.value.data());
  }
}

// Every gradient within atol + rtol * max|golden| of PyTorch's (float32 sums in another order).
inline void check_golden_gradients(nn::parameter_list<float>& ps, const std::string& prefix, double rtol = 2e-3) {
  for (auto& p : ps) {
    auto g = npy::read(models_golden(prefix + "_grad_" + p.name + ".npy")).values<float>();
    BOOST_REQUIRE(static_cast<index_t>(g.size()) == p.grad.size());
    double scale = 1e-6, worst = 0;
    for (auto v : g) scale = std::max(scale, double(std::abs(v)));
    for (std::size_t i = 0; i < g.size(); ++i) worst = std::max(worst, std::abs(double(p.grad.data()[i]) - g[i]));
    BOOST_TEST_CONTEXT(prefix << " gradient of " << p.name << " (max |golden| " << scale << ")") {
      BOOST_TEST(worst <= 1e-6 + rtol * scale);  // floor: biases before BatchNorm have (float-noise) zero gradients
    }
  }
}

inline double golden_loss(const std::string& prefix) {
  return npy::read(models_golden(prefix + "_loss.npy")).values<double>()[0];
}

}  // namespace cantus::testing
