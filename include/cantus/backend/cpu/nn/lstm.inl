// The CPU implementation of nn::tt::lstm (contract in nn/tt/lstm.hpp, which includes this file).
//
// Fused kernels in rnn_detail::recurrent_steps' frame, as gru.inl: one GEMM for the input projection
// of all steps, one GEMM plus one pass over the gates per step, one GEMM per step for dh in
// backward, weight gradients as single GEMMs over all steps. This file is the LSTM's part: the cell
// state and the single gate gradient that serves both W_ih and W_hh.
#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/backend/cpu/nn/rnn_cells.hpp"
#include "cantus/backend/cpu/nn/rnn_detail.hpp"

namespace cantus::nn::tt {

template <class T>
class lstm<T, cpu> : public rnn_detail::recurrent_steps<T> {
 public:
  void forward(index_t B, index_t Tn, index_t I, index_t H, const T* x, const T* h0, const T* c0, const T* w_ih,
               const T* w_hh, const T* bih, const T* bhh, T* y, T* h_n, T* c_n) {
    using ops = backend_ops<cpu>;
    const index_t G = 4 * H;
    rnn_detail::ensure_shape(gates_, {Tn, B, G});  // x W_ih^T first, then i, f, g, o in place
    this->project_inputs(B, Tn, I, H, G, x, w_ih, h0, gates_.data());
    rnn_detail::ensure_shape(cprev_, {Tn, B, H});
    rnn_detail::ensure_shape(tanh_c_, {Tn, B, H});
    rnn_detail::ensure_shape(c_, {B, H});
    for (index_t b = 0; b < B; ++b)
      for (index_t j = 0; j < H; ++j) c_(b, j) = c0 ? c0[b * H + j] : T(0);
    this->forward_steps(H, G, w_hh, y, [&](index_t row, index_t b, const T* gh, T* h) {
      rnn_cells::lstm_forward_row(gates_.data() + row * G, gh, bih, bhh, c_.data() + b * H, cprev_.data() + row * H,
                                  tanh_c_.data() + row * H, h, H);
    });
    this->copy_last_step(H, y, h_n);
    if (c_n) ops::copy(c_n, c_.data(), static_cast<std::size_t>(B * H));
  }

  void backward(index_t I, index_t H, const T* dy, const T* dh_n, const T* dc_n, const T* w_ih, const T* w_hh, T* dw_ih,
                T* dw_hh, T* db_ih, T* db_hh, T* dx, T* dh0, T* dc0) {
    using ops = backend_ops<cpu>;
    const index_t B = this->batch_, Tn = this->time_, G = 4 * H;
    this->begin_backward(H, dh_n);
    rnn_detail::ensure_shape(dc_, {B, H});
    dc_.fill(T(0));
    if (dc_n) ops::copy(dc_.data(), dc_n, static_cast<std::size_t>(B * H));
    rnn_detail::ensure_shape(dg_, {Tn * B, G});  // gradient w.r.t. the gate pre-activations (same for W_ih and W_hh)
    const T* dh = this->dh_.data();
    // h_{t-1} reaches the loss only through the gates: the step's GEMM sets dh_{t-1} = dg_t W_hh (beta 0).
    this->backward_steps(H, G, w_hh, dy, dg_.data(), T(0), [&](index_t row, index_t b, const T* dy_row) {
      rnn_cells::lstm_backward_row(gates_.data() + row * G, tanh_c_.data() + row * H, cprev_.data() + row * H, dy_row,
                                   dh + b * H, dc_.data() + b * H, dg_.data() + row * G, H);
    });
    this->end_backward(I, H, G, dg_.data(), dg_.data(), w_ih, dw_ih, dw_hh, dx, dh0);
    tensor<T, 1> db({G}, T(0));
    rnn_detail::add_column_sums(dg_.data(), B * Tn, G, db.data());
    for (index_t j = 0; j < G; ++j) db_ih[j] += db(j), db_hh[j] += db(j);
    if (dc0) ops::copy(dc0, dc_.data(), static_cast<std::size_t>(B * H));
  }

 private:
  // Time-major [T, B, .] records of the last forward, beside recurrent_steps' own.
  tensor<T, 3> gates_;   // i, f, g, o per step, [T, B, 4H]
  tensor<T, 3> cprev_;   // c_{t-1} per step
  tensor<T, 3> tanh_c_;  // tanh(c_t) per step
  tensor<T, 2> c_, dc_, dg_;  // the running cell state, its gradient, the gate gradients [T*B, 4H]
};

}  // namespace cantus::nn::tt
