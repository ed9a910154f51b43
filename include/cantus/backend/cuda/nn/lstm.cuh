// nn::tt::lstm on CUDA (contract in nn/tt/lstm.hpp): as nn::tt::gru on CUDA (gru.cuh) — cuBLAS for
// the input projection of all steps and each step's recurrent product, one fused kernel per step for
// the gates and the cell (cuda_bodies::lstm_forward_unit / lstm_backward_unit), weight gradients as
// single GEMMs over all steps, bias gradients chunked column sums. The frame is
// cuda_rnn::recurrent_steps; this file is the LSTM's part: the cell state and the single gate
// gradient that serves both W_ih and W_hh.
#include "cantus/backend/cuda/nn/recurrent_steps.cuh"
#if CANTUS_CUDA_DEFINE
#include "cantus/backend/cuda/nn/launch.cuh"
#endif

namespace cantus::nn::tt {

template <class T>
class lstm<T, cuda> : public cuda_rnn::recurrent_steps<T> {
 public:
  void forward(index_t B, index_t Tn, index_t I, index_t H, const T* x, const T* h0, const T* c0, const T* w_ih,
               const T* w_hh, const T* b_ih, const T* b_hh, T* y, T* h_n, T* c_n);

  void backward(index_t I, index_t H, const T* dy, const T* dh_n, const T* dc_n, const T* w_ih, const T* w_hh, T* dw_ih,
                T* dw_hh, T* db_ih, T* db_hh, T* dx, T* dh0, T* dc0);

 private:
  // i, f, g, o per step [T*B, 4H]; c_{t-1} and tanh(c_t) per step; the running cell state and its
  // gradient [B, H]; the gate gradients [T*B, 4H].
  tensor<T, 1, cuda> gates_, cprev_, tanh_c_, c_, dc_, dg_;
};

#if CANTUS_CUDA_DEFINE
template <class T>
void lstm<T, cuda>::forward(index_t B, index_t Tn, index_t I, index_t H, const T* x, const T* h0, const T* c0, const T* w_ih,
             const T* w_hh, const T* b_ih, const T* b_hh, T* y, T* h_n, T* c_n) {
  using ops = backend_ops<cuda>;
  const index_t G = 4 * H;
  this->ensure(gates_, Tn * B * G);  // x W_ih^T first, then i, f, g, o in place
  this->project_inputs(B, Tn, I, H, G, x, w_ih, h0, gates_.data());
  this->ensure(cprev_, Tn * B * H);
  this->ensure(tanh_c_, Tn * B * H);
  this->ensure(c_, B * H);
  cuda_launch::for_each(B * H, cuda_bodies::copy_or_zero<T>{c0, c_.data()});
  this->forward_steps(H, G, w_hh, [&](index_t t) {
    cuda_launch::for_each(B * H, cuda_bodies::lstm_forward_unit<T>{t, B, Tn, H, this->gh_.data(), b_ih, b_hh,
                                                                   gates_.data(), c_.data(), cprev_.data(),
                                                                   tanh_c_.data(), this->hprev_.data(), y});
  });
  this->copy_last_step(H, y, h_n);
  if (c_n) ops::copy(c_n, c_.data(), static_cast<std::size_t>(B * H));
}
template <class T>
void lstm<T, cuda>::backward(index_t I, index_t H, const T* dy, const T* dh_n, const T* dc_n, const T* w_ih, const T* w_hh, T* dw_ih,
              T* dw_hh, T* db_ih, T* db_hh, T* dx, T* dh0, T* dc0) {
  using ops = backend_ops<cuda>;
  const index_t B = this->batch_, Tn = this->time_, G = 4 * H;
  this->begin_backward(H, dh_n);
  this->ensure(dc_, B * H);
  cuda_launch::for_each(B * H, cuda_bodies::copy_or_zero<T>{dc_n, dc_.data()});
  this->ensure(dg_, Tn * B * G);
  // h_{t-1} reaches the loss only through the gates: the step's GEMM sets dh_{t-1} = dg_t W_hh (beta 0).
  this->backward_steps(H, G, w_hh, dg_.data(), T(0), [&](index_t t) {
    cuda_launch::for_each(B * H, cuda_bodies::lstm_backward_unit<T>{t, B, Tn, H, gates_.data(), tanh_c_.data(),
                                                                    cprev_.data(), dy, this->dh_.data(), dc_.data(),
                                                                    dg_.data()});
  });
  this->end_backward(I, H, G, dg_.data(), dg_.data(), w_ih, dw_ih, dw_hh, dx, dh0);
  tensor<T, 1, cuda> db({G}, T(0));
  cuda_launch::add_column_sums(B * Tn, G, index_t(1), dg_.data(), db.data());
  cuda_launch::for_each(G, cuda_bodies::add_to_both<T>{db.data(), db_ih, db_hh});
  if (dc0) ops::copy(dc0, dc_.data(), static_cast<std::size_t>(B * H));
}
#endif

}  // namespace cantus::nn::tt
