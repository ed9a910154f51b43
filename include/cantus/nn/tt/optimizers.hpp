#pragma once
// nn::tt::optimizers<T, B>: the element-wise parameter updates of the optimizers (nn/optim/*.hpp) and
// the gradient norm, on backend B (see nn/tt/conv1d.hpp for nn::tt). Every pointer is a flat tensor
// of n elements in B's memory.
//
//   static void adam(index_t n, T* w, const T* g, T* m, T* v, T* vmax, const adam_step<T>& s);
//       torch.optim.Adam / AdamW (1.13) for one parameter; vmax null unless amsgrad.
//   static void sgd(index_t n, T* w, const T* g, T* buf, const sgd_step<T>& s);
//       torch.optim.SGD for one parameter; buf null without momentum.
//   static double sum_of_squares(index_t n, const T* g);   accumulated in double
#include "cantus/backend/backend.hpp"
#include "cantus/base/config.hpp"

namespace cantus::nn::tt {

template <class T>
struct adam_step {
  T step_size, bc2_sqrt, beta1, beta2, eps, weight_decay, decay;
  bool decoupled;
};
template <class T>
struct sgd_step {
  T lr, weight_decay, momentum, damp;
  bool first, nesterov;
};

template <class T, class B>
struct optimizers;

}  // namespace cantus::nn::tt

#include "cantus/backend/cpu/nn/optimizers.inl"
#if CANTUS_CUDA_DECLARE && __has_include("cantus/backend/cuda/nn/optimizers.cuh")
#include "cantus/backend/cuda/nn/optimizers.cuh"
#endif
