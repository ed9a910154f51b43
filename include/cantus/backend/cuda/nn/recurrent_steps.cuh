#pragma once
// What a CUDA recurrent kernel does around its cell, written once for nn::tt::gru and nn::tt::lstm on
// CUDA (gru.cuh, lstm.cuh), as rnn_detail::recurrent_steps is on the CPU: the input kept time-major,
// its projection for all steps as one cuBLAS GEMM, each step one GEMM gh = h_{t-1} W_hh^T and the
// cell's fused kernel (a thread per batch row and unit), backward the cell's kernel and one GEMM for
// dh_{t-1} per step, then the weight gradients and dx as single GEMMs over all steps. A kernel
// derives from it and keeps its cell's own records (gates, cell states).
#include "cantus/backend/cuda/cuda_backend.hpp"
#include "cantus/core/tensor.hpp"
#if CANTUS_CUDA_DEFINE
#include "cantus/backend/cuda/nn/launch.cuh"
#endif

namespace cantus::nn::tt::cuda_rnn {

template <class T>
class recurrent_steps {
 public:
  bool has_forward() const { return hprev_.size() > 0; }
  index_t batch() const { return batch_; }
  index_t time() const { return time_; }

 protected:
  using ops = backend_ops<cuda>;

  static void ensure(tensor<T, 1, cuda>& t, index_t n) {
    if (t.size() != n) t = tensor<T, 1, cuda>({n});
  }

  // Keeps x [B, T, I] time-major in x_, writes proj [T*B, G] = x W_ih^T and h_{-1} = h0 (zeros when null).
  void project_inputs(index_t B, index_t Tn, index_t I, index_t H, index_t G, const T* x, const T* w_ih, const T* h0,
                      T* proj);

  // Every step: gh = h_{t-1} W_hh^T, then cell(t), the step's kernel (it writes y and the next h_{t-1}).
  template <class Cell>
  void forward_steps(index_t H, index_t G, const T* w_hh, Cell&& cell) {
    for (index_t t = 0; t < time_; ++t) {
      ops::gemm(transpose::no, transpose::yes, batch_, G, H, T(1), hprev_.data() + t * batch_ * H, H, w_hh, H, T(0),
                gh_.data(), G);
      cell(t);
    }
  }

  // h_n [B, H] = y at the last step, when wanted.
  void copy_last_step(index_t H, const T* y, T* h_n);

  // dh_ [B, H] = dh_n (zeros when null), the gradient flowing into the last step.
  void begin_backward(index_t H, const T* dh_n);

  // Back through the steps: cell(t), the step's kernel, then dh_{t-1} = dgh_t W_hh + beta dh. dgh
  // [T*B, G] is what the cell wrote for W_hh h.
  template <class Cell>
  void backward_steps(index_t H, index_t G, const T* w_hh, const T* dgh, T beta, Cell&& cell) {
    for (index_t t = time_; t-- > 0;) {
      cell(t);
      ops::gemm(transpose::no, transpose::no, batch_, H, G, T(1), dgh + t * batch_ * G, G, w_hh, H, beta, dh_.data(), H);
    }
  }

  // Over all steps at once: dW_ih += dgi^T X, dW_hh += dgh^T H_prev, dx = dgi W_ih (batch-first, when
  // wanted); dh0 = dh_ (when wanted).
  void end_backward(index_t I, index_t H, index_t G, const T* dgi, const T* dgh, const T* w_ih, T* dw_ih, T* dw_hh,
                    T* dx, T* dh0);

  index_t batch_ = 0, time_ = 0;
  // Time-major records of the last forward, as in the CPU kernel: x, h_{t-1}; a step's gh; backward's
  // dh and time-major dx.
  tensor<T, 1, cuda> x_, hprev_, gh_, dh_, dx_;
};

#if CANTUS_CUDA_DEFINE
template <class T>
void recurrent_steps<T>::project_inputs(index_t B, index_t Tn, index_t I, index_t H, index_t G, const T* x, const T* w_ih, const T* h0,
                    T* proj) {
  batch_ = B, time_ = Tn;
  ensure(x_, Tn * B * I);
  cuda_launch::for_each(Tn * B * I, cuda_bodies::swap_leading<T>{B, Tn, I, x, x_.data()});
  ops::gemm(transpose::no, transpose::yes, Tn * B, G, I, T(1), x_.data(), I, w_ih, I, T(0), proj, G);
  ensure(hprev_, Tn * B * H);
  ensure(gh_, B * G);
  cuda_launch::for_each(B * H, cuda_bodies::copy_or_zero<T>{h0, hprev_.data()});
}
template <class T>
void recurrent_steps<T>::copy_last_step(index_t H, const T* y, T* h_n) {
  if (h_n) cuda_launch::for_each(batch_ * H, cuda_bodies::last_step<T>{time_, H, y, h_n});
}
template <class T>
void recurrent_steps<T>::begin_backward(index_t H, const T* dh_n) {
  ensure(dh_, batch_ * H);
  cuda_launch::for_each(batch_ * H, cuda_bodies::copy_or_zero<T>{dh_n, dh_.data()});
}
template <class T>
void recurrent_steps<T>::end_backward(index_t I, index_t H, index_t G, const T* dgi, const T* dgh, const T* w_ih, T* dw_ih, T* dw_hh,
                  T* dx, T* dh0) {
  const index_t B = batch_, Tn = time_;
  ops::gemm(transpose::yes, transpose::no, G, I, B * Tn, T(1), dgi, G, x_.data(), I, T(1), dw_ih, I);
  ops::gemm(transpose::yes, transpose::no, G, H, B * Tn, T(1), dgh, G, hprev_.data(), H, T(1), dw_hh, H);
  if (dx) {
    ensure(dx_, Tn * B * I);
    ops::gemm(transpose::no, transpose::no, Tn * B, I, G, T(1), dgi, G, w_ih, I, T(0), dx_.data(), I);
    cuda_launch::for_each(B * Tn * I, cuda_bodies::swap_leading<T>{Tn, B, I, dx_.data(), dx});
  }
  if (dh0) ops::copy(dh0, dh_.data(), static_cast<std::size_t>(B * H));
}
#endif

}  // namespace cantus::nn::tt::cuda_rnn
