// The CPU implementation of nn::tt::lstm (contract in nn/tt/lstm.hpp, which includes this file).
//
// Fused kernels as in gru.inl: one GEMM for the input projection of all steps, one GEMM plus one
// pass over the gates per step, one GEMM per step for dh in backward, weight gradients as single
// GEMMs over all steps.
#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/backend/cpu/nn/rnn_cells.hpp"
#include "cantus/backend/cpu/nn/rnn_detail.hpp"

namespace cantus::nn::tt {

template <class T>
class lstm<T, cpu> {
 public:
  void forward(index_t B, index_t Tn, index_t I, index_t H, const T* x, const T* h0, const T* c0, const T* w_ih,
               const T* w_hh, const T* bih, const T* bhh, T* y, T* h_n, T* c_n) {
    using ops = backend_ops<cpu>;
    const index_t G = 4 * H;
    batch_ = B, time_ = Tn;
    rnn_detail::ensure_shape(x_, {Tn, B, I});
    rnn_detail::to_time_major(x, B, Tn, I, x_.data());
    rnn_detail::ensure_shape(gates_, {Tn, B, G});  // x W_ih^T first, then i, f, g, o in place
    rnn_detail::gemm_row_blocks(transpose::no, transpose::yes, B * Tn, G, I, T(1), x_.data(), I, w_ih, I, T(0),
                                gates_.data(), G);
    rnn_detail::ensure_shape(hprev_, {Tn, B, H});
    rnn_detail::ensure_shape(cprev_, {Tn, B, H});
    rnn_detail::ensure_shape(tanh_c_, {Tn, B, H});
    rnn_detail::ensure_shape(gh_, {B, G});
    rnn_detail::ensure_shape(c_, {B, H});
    auto& c = c_;
    for (index_t b = 0; b < B; ++b)
      for (index_t j = 0; j < H; ++j) {
        hprev_(0, b, j) = h0 ? h0[b * H + j] : T(0);
        c(b, j) = c0 ? c0[b * H + j] : T(0);
      }
    // W_hh^T packed once for all steps (unpacked, each step's product re-packed 4 MB for 16 rows).
    w_hh_packed_.pack(transpose::yes, H, G, w_hh, H);
    // Rows [b0, b0 + nb) through all steps: gh = h_{t-1} W_hh^T (one GEMM), then the gates row by row.
    auto run_rows = [&](index_t b0, index_t nb) {
      for (index_t t = 0; t < Tn; ++t) {
        ops::gemm_packed(transpose::no, nb, G, H, T(1), hprev_.data() + (t * B + b0) * H, H, w_hh_packed_, T(0),
                         gh_.data() + b0 * G, G);
        for (index_t b = b0; b < b0 + nb; ++b) {
          const index_t row = t * B + b;
          T* yb = y + (b * Tn + t) * H;
          rnn_cells::lstm_forward_row(gates_.data() + row * G, gh_.data() + b * G, bih, bhh, c.data() + b * H,
                                      cprev_.data() + row * H, tanh_c_.data() + row * H, yb, H);
          if (t + 1 < Tn) ops::copy(hprev_.data() + (row + B) * H, yb, static_cast<std::size_t>(H));
        }
      }
    };
    rnn_detail::for_batch_blocks(B, double(B) * double(Tn) * double(H) * double(G), run_rows);
    for (index_t b = 0; b < B; ++b) {
      if (h_n) ops::copy(h_n + b * H, y + (b * Tn + Tn - 1) * H, static_cast<std::size_t>(H));
      if (c_n) ops::copy(c_n + b * H, c.data() + b * H, static_cast<std::size_t>(H));
    }
  }

  bool has_forward() const { return !gates_.empty(); }
  index_t batch() const { return batch_; }
  index_t time() const { return time_; }

  void backward(index_t I, index_t H, const T* dy, const T* dh_n, const T* dc_n, const T* w_ih, const T* w_hh, T* dw_ih,
                T* dw_hh, T* db_ih, T* db_hh, T* dx, T* dh0, T* dc0) {
    using ops = backend_ops<cpu>;
    const index_t B = batch_, Tn = time_, G = 4 * H;
    rnn_detail::ensure_shape(dh_, {B, H});
    rnn_detail::ensure_shape(dc_, {B, H});
    auto& dh = dh_;
    auto& dc = dc_;
    dh.fill(T(0));
    dc.fill(T(0));
    if (dh_n) ops::copy(dh.data(), dh_n, static_cast<std::size_t>(B * H));
    if (dc_n) ops::copy(dc.data(), dc_n, static_cast<std::size_t>(B * H));
    rnn_detail::ensure_shape(dg_, {Tn * B, G});
    auto& dg = dg_;  // gradient w.r.t. the gate pre-activations (same for W_ih and W_hh)
    if (!dy) zeros_ = tensor<T, 1>({H}, T(0));
    w_hh_packed_.pack(transpose::no, G, H, w_hh, H);
    // Rows [b0, b0 + nb) back through all steps: the gates row by row, then dh_{t-1} = dg_t W_hh
    // (h_{t-1} reaches the loss only through the gates).
    auto run_rows = [&](index_t b0, index_t nb) {
      for (index_t t = Tn; t-- > 0;) {
        for (index_t b = b0; b < b0 + nb; ++b) {
          const index_t row = t * B + b;
          rnn_cells::lstm_backward_row(gates_.data() + row * G, tanh_c_.data() + row * H, cprev_.data() + row * H,
                                       dy ? dy + (b * Tn + t) * H : zeros_.data(), dh.data() + b * H,
                                       dc.data() + b * H, dg.data() + row * G, H);
        }
        ops::gemm_packed(transpose::no, nb, H, G, T(1), dg.data() + (t * B + b0) * G, G, w_hh_packed_, T(0),
                         dh.data() + b0 * H, H);
      }
    };
    rnn_detail::for_batch_blocks(B, double(B) * double(Tn) * double(H) * double(G), run_rows);
    rnn_detail::gemm_row_blocks(transpose::yes, transpose::no, G, I, B * Tn, T(1), dg.data(), G, x_.data(), I, T(1), dw_ih,
                                I);
    rnn_detail::gemm_row_blocks(transpose::yes, transpose::no, G, H, B * Tn, T(1), dg.data(), G, hprev_.data(), H, T(1),
                                dw_hh, H);
    tensor<T, 1> db({G}, T(0));
    rnn_detail::add_column_sums(dg.data(), B * Tn, G, db.data());
    for (index_t j = 0; j < G; ++j) db_ih[j] += db(j), db_hh[j] += db(j);
    if (dx) {
      rnn_detail::ensure_shape(dx_, {Tn * B, I});
      rnn_detail::gemm_row_blocks(transpose::no, transpose::no, Tn * B, I, G, T(1), dg.data(), G, w_ih, I, T(0),
                                  dx_.data(), I);
      rnn_detail::to_batch_major(dx_.data(), B, Tn, I, dx);
    }
    if (dh0) ops::copy(dh0, dh.data(), static_cast<std::size_t>(B * H));
    if (dc0) ops::copy(dc0, dc.data(), static_cast<std::size_t>(B * H));
  }

 private:
  index_t batch_ = 0, time_ = 0;
  // Time-major [T, B, .] copies and per-step records of the last forward.
  tensor<T, 3> x_;       // the input
  tensor<T, 3> gates_;   // i, f, g, o per step, [T, B, 4H]
  tensor<T, 3> hprev_;   // h_{t-1} per step, [T, B, H]
  tensor<T, 3> cprev_;   // c_{t-1} per step
  tensor<T, 3> tanh_c_;  // tanh(c_t) per step
  tensor<T, 2> gh_, c_, dh_, dc_, dg_, dx_;  // step and backward workspaces
  tensor<T, 1> zeros_;  // stands for a null dy
  typename backend_ops<cpu>::template packed_b<T> w_hh_packed_;  // W_hh^T (forward) or W_hh (backward)
};

}  // namespace cantus::nn::tt
