#pragma once
// Learning-rate schedules as functions of the scheduler step (PyTorch's last_epoch: 0 before the
// first scheduler.step()). Each gives the same sequence as the torch.optim.lr_scheduler named:
//   step_lr             StepLR(step_size, gamma):          base * gamma^(e / step_size)
//   cosine_annealing    CosineAnnealingLR(T_max, eta_min): eta_min + (base - eta_min)(1 + cos(pi e / T_max)) / 2
//   linear_warmup       LinearLR(start_factor, end_factor, total_iters), the usual warm-up
//   noam                "Attention is all you need": base * d_model^-1/2 * min(s^-1/2, s warmup^-3/2),
//                       s = e + 1 (LambdaLR with that factor)
// lr_scheduler<T> applies one to an optimizer: step() advances e and sets the optimizer's lr.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numbers>

#include "cantus/base/error.hpp"
#include "cantus/nn/optim/optimizer.hpp"

namespace cantus::nn {

struct step_lr {
  double base_lr;
  std::int64_t step_size;
  double gamma = 0.1;
  double operator()(std::int64_t e) const {
    if (step_size <= 0) throw_value_error("step_lr: step_size must be positive, got ", step_size);
    return base_lr * std::pow(gamma, double(e / step_size));
  }
};

struct cosine_annealing {
  double base_lr;
  std::int64_t t_max;
  double eta_min = 0;
  double operator()(std::int64_t e) const {
    if (t_max <= 0) throw_value_error("cosine_annealing: t_max must be positive, got ", t_max);
    return eta_min + (base_lr - eta_min) * (1 + std::cos(std::numbers::pi * double(e) / double(t_max))) / 2;
  }
};

struct linear_warmup {
  double base_lr;
  double start_factor = 1.0 / 3;
  double end_factor = 1.0;
  std::int64_t total_iters = 5;
  double operator()(std::int64_t e) const {
    if (total_iters <= 0) throw_value_error("linear_warmup: total_iters must be positive, got ", total_iters);
    if (!(start_factor > 0 && start_factor <= 1))
      throw_value_error("linear_warmup: start_factor must be in (0, 1], got ", start_factor);
    const double k = double(std::min(e, total_iters));
    return base_lr * (start_factor + (end_factor - start_factor) * k / double(total_iters));
  }
};

struct noam {
  double base_lr = 1.0;  // PyTorch LambdaLR's base: the optimizer's initial lr ("factor")
  std::int64_t d_model;
  std::int64_t warmup = 4000;
  double operator()(std::int64_t e) const {
    if (d_model <= 0 || warmup <= 0) throw_value_error("noam: d_model and warmup must be positive, got ", d_model, " and ", warmup);
    const double s = double(e + 1);
    return base_lr / std::sqrt(double(d_model)) * std::min(1 / std::sqrt(s), s * std::pow(double(warmup), -1.5));
  }
};

// Drives an optimizer's lr; like a torch scheduler it sets lr(0) on construction.
template <class T, class B = cpu>
class lr_scheduler {
 public:
  lr_scheduler(optimizer<T, B>& opt, std::function<double(std::int64_t)> schedule, std::int64_t last_epoch = 0)
      : opt_(opt), schedule_(std::move(schedule)), epoch_(last_epoch) {
    opt_.set_lr(schedule_(epoch_));
  }
  void step() { opt_.set_lr(schedule_(++epoch_)); }
  std::int64_t last_epoch() const { return epoch_; }
  // Restores the position (from a checkpoint) and the lr it implies.
  void set_last_epoch(std::int64_t e) { opt_.set_lr(schedule_(epoch_ = e)); }
  double lr() const { return opt_.lr(); }

 private:
  optimizer<T, B>& opt_;
  std::function<double(std::int64_t)> schedule_;
  std::int64_t epoch_;
};

}  // namespace cantus::nn
