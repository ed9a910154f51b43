// The CPU implementation of nn::tt::gru (contract in nn/tt/gru.hpp, which includes this file).
//
// Fused kernels: the input projection of every time step is one GEMM ([B*T, I] x [I, 3H]) before the
// recurrence; each step is one GEMM ([B, H] x [H, 3H]) plus one pass over the gates; backward is one
// GEMM per step for dh and the weight gradients are single GEMMs over all steps at the end. That
// frame is rnn_detail::recurrent_steps (shared with lstm.inl); this file is the GRU's part of it.
#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/backend/cpu/nn/rnn_cells.hpp"
#include "cantus/backend/cpu/nn/rnn_detail.hpp"

namespace cantus::nn::tt {

template <class T>
class gru<T, cpu> : public rnn_detail::recurrent_steps<T> {
 public:
  void forward(index_t B, index_t Tn, index_t I, index_t H, const T* x, const T* h0, const T* w_ih, const T* w_hh,
               const T* bih, const T* bhh, T* y, T* h_n) {
    const index_t G = 3 * H;
    rnn_detail::ensure_shape(gi_, {Tn * B, G});
    rnn_detail::ensure_shape(gates_, {Tn, B, 4 * H});
    this->project_inputs(B, Tn, I, H, G, x, w_ih, h0, gi_.data());
    const T* hprev = this->hprev_.data();
    this->forward_steps(H, G, w_hh, y, [&](index_t row, index_t, const T* gh, T* h) {
      rnn_cells::gru_forward_row(gi_.data() + row * G, gh, bih, bhh, hprev + row * H, gates_.data() + row * 4 * H, h, H);
    });
    this->copy_last_step(H, y, h_n);
  }

  void backward(index_t I, index_t H, const T* dy, const T* dh_n, const T* w_ih, const T* w_hh, T* dw_ih, T* dw_hh,
                T* db_ih, T* db_hh, T* dx, T* dh0) {
    const index_t B = this->batch_, Tn = this->time_, G = 3 * H;
    this->begin_backward(H, dh_n);
    rnn_detail::ensure_shape(dgi_, {Tn * B, G});
    rnn_detail::ensure_shape(dgh_, {Tn * B, G});
    const T* hprev = this->hprev_.data();
    T* dh = this->dh_.data();
    // The row function leaves dh with the part through z, so the step's GEMM adds dgh_t W_hh (beta 1).
    this->backward_steps(H, G, w_hh, dy, dgh_.data(), T(1), [&](index_t row, index_t b, const T* dy_row) {
      rnn_cells::gru_backward_row(gates_.data() + row * 4 * H, hprev + row * H, dy_row, dh + b * H,
                                  dgi_.data() + row * G, dgh_.data() + row * G, H);
    });
    this->end_backward(I, H, G, dgi_.data(), dgh_.data(), w_ih, dw_ih, dw_hh, dx, dh0);
    rnn_detail::add_column_sums(dgi_.data(), B * Tn, G, db_ih);
    rnn_detail::add_column_sums(dgh_.data(), B * Tn, G, db_hh);
  }

 private:
  tensor<T, 2> gi_;     // x W_ih^T for every step, [T*B, 3H]
  tensor<T, 3> gates_;  // r, z, n, W_hn h + b_hn per step, [T, B, 4H]
  tensor<T, 2> dgi_;    // gradient w.r.t. W_ih x + b_ih, [T*B, 3H]
  tensor<T, 2> dgh_;    // gradient w.r.t. W_hh h + b_hh (r scales its n part), [T*B, 3H]
};

}  // namespace cantus::nn::tt
