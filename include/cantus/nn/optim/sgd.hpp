#pragma once
// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay,
// exactly torch.optim.SGD (1.13):
//   g = grad + weight_decay * p
//   buf = g on the first step, else momentum * buf + (1 - dampening) * g
//   g = g + momentum * buf (nesterov) or buf
//   p -= lr * g
#include "cantus/nn/optim/optimizer.hpp"

namespace cantus::nn {

struct sgd_options {
  double lr = 1e-2;  // torch requires lr; 0.01 is a common start
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;
  bool nesterov = false;
};

template <class T>
class sgd : public optimizer<T> {
  using base = optimizer<T>;

 public:
  sgd(parameter_list<T> params, sgd_options o = {}) : base(std::move(params), o.lr), o_(o) {
    if (o.momentum < 0) throw_value_error("sgd: momentum must be >= 0, got ", o.momentum);
    if (o.weight_decay < 0) throw_value_error("sgd: weight_decay must be >= 0, got ", o.weight_decay);
    if (o.nesterov && (o.momentum <= 0 || o.dampening != 0))
      throw value_error("sgd: Nesterov momentum requires a momentum > 0 and zero dampening");
    if (o.momentum != 0) momentum_buffer_ = this->zeros_like_params();
  }
  std::string kind() const override { return "sgd"; }
  std::vector<optimizer_state_tensor<T>> state() override {
    std::vector<optimizer_state_tensor<T>> s;
    this->add_state(s, momentum_buffer_, "momentum_buffer");
    return s;
  }
  const sgd_options& options() const { return o_; }

 protected:
  void update() override {
    const T lr = static_cast<T>(this->lr_), wd = static_cast<T>(o_.weight_decay), mom = static_cast<T>(o_.momentum);
    const T damp = T(1) - static_cast<T>(o_.dampening);
    const bool first = this->steps_ == 1;
    for (std::size_t k = 0; k < this->params_.size(); ++k) {
      auto& p = this->params_[k];
      T* w = p.value.data();
      const T* g = p.grad.data();
      T* buf = o_.momentum != 0 ? momentum_buffer_[k].data() : nullptr;
      const index_t n = p.value.size();
      for (index_t i = 0; i < n; ++i) {
        T d = g[i];
        if (wd != T(0)) d += wd * w[i];
        if (buf) {
          buf[i] = first ? d : mom * buf[i] + damp * d;
          d = o_.nesterov ? d + mom * buf[i] : buf[i];
        }
        w[i] -= lr * d;
      }
    }
  }

 private:
  sgd_options o_;
  std::vector<tensor<T, 1>> momentum_buffer_;
};

}  // namespace cantus::nn
