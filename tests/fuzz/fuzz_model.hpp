#pragma once
// The fixed little model the checkpoint targets load into, and the seed generator saves from: two
// trainable tensors and one buffer, so that names, shapes, counts and the optimizer's state are all
// checked against something real.
#include <cstdint>
#include <memory>

#include "cantus/nn/optim/adam.hpp"
#include "cantus/nn/parameter.hpp"

namespace cantus_fuzz {

struct small_model {
  cantus::nn::trainable<float> weight{12}, bias{3}, running_mean{3};
  std::unique_ptr<cantus::nn::adam<float>> optim;

  small_model() {
    for (cantus::index_t i = 0; i < 12; ++i) weight.data()[i] = 0.25f * static_cast<float>(i) - 1.0f;
    for (cantus::index_t i = 0; i < 3; ++i) bias.data()[i] = 0.5f * static_cast<float>(i);
    optim = std::make_unique<cantus::nn::adam<float>>(parameters());
  }
  static std::string signature() { return "fuzz_small_model(4->3)"; }
  cantus::nn::parameter_list<float> parameters() {
    return {{"linear.weight", weight.value.view(), weight.grad.view(), {3, 4}}, {"linear.bias", bias.value.view(), bias.grad.view(), {3}}};
  }
  cantus::nn::parameter_list<float> buffers() {
    return {{"norm.running_mean", running_mean.value.view(), running_mean.grad.view(), {3}}};
  }
  void parameters(cantus::nn::parameter_list<float>& out, const std::string&) {
    for (auto& p : parameters()) out.push_back(p);
  }
  void buffers(cantus::nn::parameter_list<float>& out, const std::string&) {
    for (auto& p : buffers()) out.push_back(p);
  }
};

}  // namespace cantus_fuzz
