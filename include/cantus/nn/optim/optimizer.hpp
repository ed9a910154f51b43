#pragma once
// The optimizer interface: parameters in (nn::parameter_list views into the layers), one update per
// step(), and the state (moment buffers, step count, learning rate) enumerable by name so a
// checkpoint can store and restore it exactly.
#include <cstdint>
#include <string>
#include <vector>

#include "cantus/core/error.hpp"
#include "cantus/core/tensor.hpp"
#include "cantus/nn/parameter.hpp"

namespace cantus::nn {

// One named state buffer, e.g. "weight_ih_l0.exp_avg": a flat view into the optimizer's storage.
template <class T>
struct optimizer_state_tensor {
  std::string name;
  tensor_view<T, 1> value;
};

template <class T>
class optimizer {
 public:
  explicit optimizer(parameter_list<T> params, double lr) : params_(std::move(params)), lr_(lr) {
    if (!(lr >= 0)) throw_value_error("optimizer: learning rate lr must be >= 0, got ", lr);
  }
  virtual ~optimizer() = default;
  optimizer(const optimizer&) = delete;
  optimizer& operator=(const optimizer&) = delete;

  // Applies one update from the accumulated gradients.
  void step() {
    ++steps_;
    update();
  }
  void zero_grad() { nn::zero_grad(params_); }

  double lr() const { return lr_; }
  void set_lr(double lr) {
    if (!(lr >= 0)) throw_value_error(kind(), ": learning rate lr must be >= 0, got ", lr);
    lr_ = lr;
  }
  // Number of step() calls so far (PyTorch's state['step']).
  std::int64_t steps() const { return steps_; }
  void set_steps(std::int64_t s) { steps_ = s; }

  parameter_list<T>& parameters() { return params_; }
  const parameter_list<T>& parameters() const { return params_; }

  // "sgd", "adam", "adamw": stored in checkpoints so a state is never loaded into another kind.
  virtual std::string kind() const = 0;
  // Every state buffer, named "<parameter>.<buffer>", in a fixed order.
  virtual std::vector<optimizer_state_tensor<T>> state() = 0;

 protected:
  virtual void update() = 0;
  // One zeroed buffer per parameter, shaped like it.
  std::vector<tensor<T, 1>> zeros_like_params() const {
    std::vector<tensor<T, 1>> v;
    v.reserve(params_.size());
    for (auto& p : params_) v.emplace_back(shape_t<1>{p.value.size()}, T(0));
    return v;
  }
  void add_state(std::vector<optimizer_state_tensor<T>>& out, std::vector<tensor<T, 1>>& bufs, const char* what) {
    for (std::size_t i = 0; i < bufs.size(); ++i)
      out.push_back({params_[i].name + "." + what, tensor_view<T, 1>(bufs[i].data(), {bufs[i].size()})});
  }

  parameter_list<T> params_;
  double lr_;
  std::int64_t steps_ = 0;
};

}  // namespace cantus::nn
