#pragma once
// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay,
// exactly torch.optim.SGD (1.13):
//   g = grad + weight_decay * p
//   buf = g on the first step, else momentum * buf + (1 - dampening) * g
//   g = g + momentum * buf (nesterov) or buf
//   p -= lr * g
#include "cantus/nn/optim/optimizer.hpp"
#include "cantus/nn/tt/optimizers.hpp"

namespace cantus::nn {

struct sgd_options {
  double lr = 1e-2;  // torch requires lr; 0.01 is a common start
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;
  bool nesterov = false;
};

template <class T, class B = cpu>
class sgd : public optimizer<T, B> {
  using base = optimizer<T, B>;

 public:
  sgd(parameter_list<T, B> params, sgd_options o = {}) : base(std::move(params), o.lr), o_(o) {
    if (o.momentum < 0) throw_value_error("sgd: momentum must be >= 0, got ", o.momentum);
    if (o.weight_decay < 0) throw_value_error("sgd: weight_decay must be >= 0, got ", o.weight_decay);
    if (o.nesterov && (o.momentum <= 0 || o.dampening != 0))
      throw value_error("sgd: Nesterov momentum requires a momentum > 0 and zero dampening");
    if (o.momentum != 0) momentum_buffer_ = this->zeros_like_params();
  }
  std::string kind() const override { return "sgd"; }
  std::vector<optimizer_state_tensor<T, B>> state() override {
    std::vector<optimizer_state_tensor<T, B>> s;
    this->add_state(s, momentum_buffer_, "momentum_buffer");
    return s;
  }
  const sgd_options& options() const { return o_; }

 protected:
  void update() override {
    const tt::sgd_step<T> st{static_cast<T>(this->lr_), static_cast<T>(o_.weight_decay), static_cast<T>(o_.momentum),
                             T(1) - static_cast<T>(o_.dampening), this->steps_ == 1, o_.nesterov};
    for (std::size_t k = 0; k < this->params_.size(); ++k) {
      auto& p = this->params_[k];
      tt::optimizers<T, B>::sgd(p.value.size(), p.value.data(), p.grad.data(),
                                o_.momentum != 0 ? momentum_buffer_[k].data() : nullptr, st);
    }
  }

 private:
  sgd_options o_;
  std::vector<tensor<T, 1, B>> momentum_buffer_;
};

}  // namespace cantus::nn
