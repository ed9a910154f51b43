#pragma once
// The CUDA backend against the CPU backend, run by the code of parity.cpp and judged by the
// Boost tests of parity_test.cpp. Each entry says what ran and the largest difference found,
// relative to the largest magnitude of the CPU's tensor: forward outputs, input gradients and every
// parameter gradient of a layer; value and gradients of a loss; parameters after optimizer steps; the
// loss of every step of a few training steps of a model.
#include <string>
#include <vector>

namespace cantus::cuda_test {

struct parity {
  std::string what;   // "conv1d causal k2 d3"
  std::string where;  // the tensor with the largest difference, "dx", "grad 0.weight", "step 3 loss"
  double worst = 0;   // max |cuda - cpu| / max |cpu| over that tensor
  double tolerance = 1e-5;
};

std::vector<parity> layer_parity();
std::vector<parity> loss_and_optimizer_parity();
std::vector<parity> model_parity();
// A model's state saved on one backend loads on the other to the same bits, both ways.
std::vector<parity> checkpoint_parity();

}  // namespace cantus::cuda_test
