// The CPU implementation of nn::tt::gru (contract in nn/tt/gru.hpp, which includes this file).
//
// Fused kernels: the input projection of every time step is one GEMM ([B*T, I] x [I, 3H]) before the
// recurrence; each step is one GEMM ([B, H] x [H, 3H]) plus one pass over the gates; backward is one
// GEMM per step for dh and the weight gradients are single GEMMs over all steps at the end.
#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/backend/cpu/nn/rnn_cells.hpp"
#include "cantus/backend/cpu/nn/rnn_detail.hpp"

namespace cantus::nn::tt {

template <class T>
class gru<T, cpu> {
 public:
  void forward(index_t B, index_t Tn, index_t I, index_t H, const T* x, const T* h0, const T* w_ih, const T* w_hh,
               const T* bih, const T* bhh, T* y, T* h_n) {
    using ops = backend_ops<cpu>;
    const index_t G = 3 * H;
    batch_ = B, time_ = Tn;
    rnn_detail::ensure_shape(x_, {Tn, B, I});
    rnn_detail::to_time_major(x, B, Tn, I, x_.data());
    rnn_detail::ensure_shape(gi_, {Tn * B, G});
    rnn_detail::gemm_row_blocks(transpose::no, transpose::yes, B * Tn, G, I, T(1), x_.data(), I, w_ih, I, T(0),
                                gi_.data(), G);
    rnn_detail::ensure_shape(hprev_, {Tn, B, H});
    rnn_detail::ensure_shape(gates_, {Tn, B, 4 * H});
    rnn_detail::ensure_shape(gh_, {B, G});
    for (index_t b = 0; b < B; ++b)
      for (index_t j = 0; j < H; ++j) hprev_(0, b, j) = h0 ? h0[b * H + j] : T(0);
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
          rnn_cells::gru_forward_row(gi_.data() + row * G, gh_.data() + b * G, bih, bhh, hprev_.data() + row * H,
                                     gates_.data() + row * 4 * H, yb, H);
          if (t + 1 < Tn) ops::copy(hprev_.data() + (row + B) * H, yb, static_cast<std::size_t>(H));
        }
      }
    };
    rnn_detail::for_batch_blocks(B, double(B) * double(Tn) * double(H) * double(G), run_rows);
    if (h_n)
      for (index_t b = 0; b < B; ++b) ops::copy(h_n + b * H, y + (b * Tn + Tn - 1) * H, static_cast<std::size_t>(H));
  }

  bool has_forward() const { return !gates_.empty(); }
  index_t batch() const { return batch_; }
  index_t time() const { return time_; }

  void backward(index_t I, index_t H, const T* dy, const T* dh_n, const T* w_ih, const T* w_hh, T* dw_ih, T* dw_hh,
                T* db_ih, T* db_hh, T* dx, T* dh0) {
    using ops = backend_ops<cpu>;
    const index_t B = batch_, Tn = time_, G = 3 * H;
    rnn_detail::ensure_shape(dh_, {B, H});
    auto& dh = dh_;
    dh.fill(T(0));
    if (dh_n) ops::copy(dh.data(), dh_n, static_cast<std::size_t>(B * H));
    rnn_detail::ensure_shape(dgi_, {Tn * B, G});
    rnn_detail::ensure_shape(dgh_, {Tn * B, G});
    auto& dgi = dgi_;  // gradient w.r.t. W_ih x + b_ih
    auto& dgh = dgh_;  // gradient w.r.t. W_hh h + b_hh
    if (!dy) zeros_ = tensor<T, 1>({H}, T(0));
    w_hh_packed_.pack(transpose::no, G, H, w_hh, H);
    // Rows [b0, b0 + nb) back through all steps: the gates row by row, then dh_{t-1} += dgh_t W_hh.
    auto run_rows = [&](index_t b0, index_t nb) {
      for (index_t t = Tn; t-- > 0;) {
        for (index_t b = b0; b < b0 + nb; ++b) {
          const index_t row = t * B + b;
          rnn_cells::gru_backward_row(gates_.data() + row * 4 * H, hprev_.data() + row * H,
                                      dy ? dy + (b * Tn + t) * H : zeros_.data(), dh.data() + b * H,
                                      dgi.data() + row * G, dgh.data() + row * G, H);
        }
        ops::gemm_packed(transpose::no, nb, H, G, T(1), dgh.data() + (t * B + b0) * G, G, w_hh_packed_, T(1),
                         dh.data() + b0 * H, H);
      }
    };
    rnn_detail::for_batch_blocks(B, double(B) * double(Tn) * double(H) * double(G), run_rows);
    // Weight gradients over all steps at once: dW_ih += dgi^T X, dW_hh += dgh^T H_prev.
    rnn_detail::gemm_row_blocks(transpose::yes, transpose::no, G, I, B * Tn, T(1), dgi.data(), G, x_.data(), I, T(1),
                                dw_ih, I);
    rnn_detail::gemm_row_blocks(transpose::yes, transpose::no, G, H, B * Tn, T(1), dgh.data(), G, hprev_.data(), H, T(1),
                                dw_hh, H);
    rnn_detail::add_column_sums(dgi.data(), B * Tn, G, db_ih);
    rnn_detail::add_column_sums(dgh.data(), B * Tn, G, db_hh);
    if (dx) {
      rnn_detail::ensure_shape(dx_, {Tn * B, I});
      rnn_detail::gemm_row_blocks(transpose::no, transpose::no, Tn * B, I, G, T(1), dgi.data(), G, w_ih, I, T(0),
                                  dx_.data(), I);
      rnn_detail::to_batch_major(dx_.data(), B, Tn, I, dx);
    }
    if (dh0) ops::copy(dh0, dh.data(), static_cast<std::size_t>(B * H));
  }

 private:
  index_t batch_ = 0, time_ = 0;
  // Time-major [T, B, .] copies and per-step records of the last forward.
  tensor<T, 3> x_;       // the input (the weight gradient needs it)
  tensor<T, 2> gi_;      // x W_ih^T for every step, [T*B, 3H]
  tensor<T, 3> hprev_;   // h_{t-1} for every step, [T, B, H]
  tensor<T, 3> gates_;   // r, z, n, W_hn h + b_hn per step, [T, B, 4H]
  tensor<T, 2> gh_, dh_, dgi_, dgh_, dx_;  // step and backward workspaces
  tensor<T, 1> zeros_;  // stands for a null dy
  typename backend_ops<cpu>::template packed_b<T> w_hh_packed_;  // W_hh^T (forward) or W_hh (backward)
};

}  // namespace cantus::nn::tt
