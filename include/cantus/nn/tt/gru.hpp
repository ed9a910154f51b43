#pragma once
// nn::tt::gru<T, B>: the arithmetic of nn::gru on backend B (see nn/tt/conv1d.hpp for nn::tt).
// Batch-first tensors; null pointers stand for zeros (h0, dy, dh_n) or "not wanted" (h_n, dx, dh0).
// The kernel keeps what backward needs from the last forward.
//   void forward(index_t B, index_t T, index_t I, index_t H, const T* x, const T* h0, const T* w_ih,
//                const T* w_hh, const T* b_ih, const T* b_hh, T* y, T* h_n);
//   bool has_forward() const;  index_t batch() const;  index_t time() const;
//   void backward(index_t I, index_t H, const T* dy, const T* dh_n, const T* w_ih, const T* w_hh,
//                 T* dw_ih, T* dw_hh, T* db_ih, T* db_hh, T* dx, T* dh0);
//       ACCUMULATES the parameter gradients, OVERWRITES dx and dh0.
#include "cantus/backend/backend.hpp"
#include "cantus/core/tensor.hpp"

namespace cantus::nn::tt {
template <class T, class B>
class gru;
}  // namespace cantus::nn::tt

#include "cantus/backend/cpu/nn/gru.inl"
#if CANTUS_CUDA_DECLARE && __has_include("cantus/backend/cuda/nn/gru.cuh")
#include "cantus/backend/cuda/nn/gru.cuh"
#endif
