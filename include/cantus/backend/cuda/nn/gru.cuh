// nn::tt::gru on CUDA (contract in nn/tt/gru.hpp): cuBLAS for the input projection of all steps at
// once and for each step's recurrent product, and one fused kernel per step for the gates (a thread
// per batch row and unit: cuda_bodies::gru_forward_unit / gru_backward_unit, the CPU's row functions
// unit by unit). Not cuDNN's RNN: its weight layout and gate bias placement differ from PyTorch's
// (b_hn inside r * (.)), and the step kernels keep the per-step records the CPU kernel keeps, so
// both backends share one backward formula. Weight gradients are single GEMMs over all steps. The
// frame is cuda_rnn::recurrent_steps (shared with lstm.cuh); this file is the GRU's part of it.
#include "cantus/backend/cuda/nn/recurrent_steps.cuh"
#if CANTUS_CUDA_DEFINE
#include "cantus/backend/cuda/nn/launch.cuh"
#endif

namespace cantus::nn::tt {

template <class T>
class gru<T, cuda> : public cuda_rnn::recurrent_steps<T> {
 public:
  void forward(index_t B, index_t Tn, index_t I, index_t H, const T* x, const T* h0, const T* w_ih, const T* w_hh,
               const T* b_ih, const T* b_hh, T* y, T* h_n);

  void backward(index_t I, index_t H, const T* dy, const T* dh_n, const T* w_ih, const T* w_hh, T* dw_ih, T* dw_hh,
                T* db_ih, T* db_hh, T* dx, T* dh0);

 private:
  // x W_ih^T [T*B, 3H]; r, z, n, W_hn h + b_hn per step [T*B, 4H]; their gradients for W_ih and W_hh.
  tensor<T, 1, cuda> gi_, gates_, dgi_, dgh_;
};

#if CANTUS_CUDA_DEFINE
template <class T>
void gru<T, cuda>::forward(index_t B, index_t Tn, index_t I, index_t H, const T* x, const T* h0, const T* w_ih, const T* w_hh,
             const T* b_ih, const T* b_hh, T* y, T* h_n) {
  const index_t G = 3 * H;
  this->ensure(gi_, Tn * B * G);
  this->ensure(gates_, Tn * B * 4 * H);
  this->project_inputs(B, Tn, I, H, G, x, w_ih, h0, gi_.data());
  this->forward_steps(H, G, w_hh, [&](index_t t) {
    cuda_launch::for_each(B * H, cuda_bodies::gru_forward_unit<T>{t, B, Tn, H, gi_.data(), this->gh_.data(), b_ih, b_hh,
                                                                  this->hprev_.data(), gates_.data(), y});
  });
  this->copy_last_step(H, y, h_n);
}
template <class T>
void gru<T, cuda>::backward(index_t I, index_t H, const T* dy, const T* dh_n, const T* w_ih, const T* w_hh, T* dw_ih, T* dw_hh,
              T* db_ih, T* db_hh, T* dx, T* dh0) {
  const index_t B = this->batch_, Tn = this->time_, G = 3 * H;
  this->begin_backward(H, dh_n);
  this->ensure(dgi_, Tn * B * G);
  this->ensure(dgh_, Tn * B * G);
  // The step kernel leaves dh with the part through z, so the step's GEMM adds dgh_t W_hh (beta 1).
  this->backward_steps(H, G, w_hh, dgh_.data(), T(1), [&](index_t t) {
    cuda_launch::for_each(B * H, cuda_bodies::gru_backward_unit<T>{t, B, Tn, H, gates_.data(), this->hprev_.data(), dy,
                                                                   this->dh_.data(), dgi_.data(), dgh_.data()});
  });
  this->end_backward(I, H, G, dgi_.data(), dgh_.data(), w_ih, dw_ih, dw_hh, dx, dh0);
  cuda_launch::add_column_sums(B * Tn, G, index_t(1), dgi_.data(), db_ih);
  cuda_launch::add_column_sums(B * Tn, G, index_t(1), dgh_.data(), db_hh);
}
#endif

}  // namespace cantus::nn::tt
