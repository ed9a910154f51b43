#pragma once
// Adam (Kingma & Ba) and AdamW (Loshchilov & Hutter), torch.optim.Adam / AdamW (1.13) formulas:
//   adam:  g = grad + weight_decay * p          adamw: p *= 1 - lr * weight_decay, g = grad
//   m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2;  vmax = max(vmax, v) (amsgrad)
//   p -= lr / (1 - beta1^t) * m / (sqrt(v or vmax) / sqrt(1 - beta2^t) + eps)
// The bias corrections are computed in double, the element-wise update in T, as PyTorch does.
#include <cmath>

#include "cantus/nn/optim/optimizer.hpp"
#include "cantus/nn/tt/optimizers.hpp"

namespace cantus::nn {

struct adam_options {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;  // Adam: L2 added to the gradient; AdamW: decoupled (default 1e-2 there)
  bool amsgrad = false;
};

template <class T, class B = cpu>
class adam : public optimizer<T, B> {
  using base = optimizer<T, B>;

 public:
  adam(parameter_list<T, B> params, adam_options o = {}) : adam(std::move(params), o, false) {}
  std::string kind() const override { return decoupled_ ? "adamw" : "adam"; }
  std::vector<optimizer_state_tensor<T, B>> state() override {
    std::vector<optimizer_state_tensor<T, B>> s;
    this->add_state(s, exp_avg_, "exp_avg");
    this->add_state(s, exp_avg_sq_, "exp_avg_sq");
    if (o_.amsgrad) this->add_state(s, max_exp_avg_sq_, "max_exp_avg_sq");
    return s;
  }
  const adam_options& options() const { return o_; }

 protected:
  adam(parameter_list<T, B> params, adam_options o, bool decoupled)
      : base(std::move(params), o.lr), o_(o), decoupled_(decoupled) {
    const char* who = decoupled ? "adamw" : "adam";
    if (!(o.eps >= 0)) throw_value_error(who, ": eps must be >= 0, got ", o.eps);
    if (!(o.beta1 >= 0 && o.beta1 < 1)) throw_value_error(who, ": beta1 must be in [0, 1), got ", o.beta1);
    if (!(o.beta2 >= 0 && o.beta2 < 1)) throw_value_error(who, ": beta2 must be in [0, 1), got ", o.beta2);
    if (!(o.weight_decay >= 0)) throw_value_error(who, ": weight_decay must be >= 0, got ", o.weight_decay);
    exp_avg_ = this->zeros_like_params();
    exp_avg_sq_ = this->zeros_like_params();
    if (o.amsgrad) max_exp_avg_sq_ = this->zeros_like_params();
  }

  void update() override {
    const double t = static_cast<double>(this->steps_);
    const double bc1 = 1 - std::pow(o_.beta1, t), bc2_sqrt = std::sqrt(1 - std::pow(o_.beta2, t));
    const T step_size = static_cast<T>(this->lr_ / bc1), bc2_sqrt_t = static_cast<T>(bc2_sqrt);
    const tt::adam_step<T> st{step_size, bc2_sqrt_t, static_cast<T>(o_.beta1), static_cast<T>(o_.beta2),
                              static_cast<T>(o_.eps), static_cast<T>(o_.weight_decay),
                              static_cast<T>(1 - this->lr_ * o_.weight_decay), decoupled_};
    for (std::size_t k = 0; k < this->params_.size(); ++k) {
      auto& p = this->params_[k];
      tt::optimizers<T, B>::adam(p.value.size(), p.value.data(), p.grad.data(), exp_avg_[k].data(), exp_avg_sq_[k].data(),
                                 o_.amsgrad ? max_exp_avg_sq_[k].data() : nullptr, st);
    }
  }

  adam_options o_;
  bool decoupled_;
  std::vector<tensor<T, 1, B>> exp_avg_, exp_avg_sq_, max_exp_avg_sq_;
};

// AdamW's own defaults (weight_decay 1e-2), an aggregate so designated initialisers work.
struct adamw_options {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 1e-2;
  bool amsgrad = false;
};

template <class T, class B = cpu>
class adamw : public adam<T, B> {
 public:
  adamw(parameter_list<T, B> params, adamw_options o = {})
      : adam<T, B>(std::move(params), adam_options{o.lr, o.beta1, o.beta2, o.eps, o.weight_decay, o.amsgrad}, true) {}
};

}  // namespace cantus::nn
