// nn::tt::lstm on CUDA (contract in nn/tt/lstm.hpp): as nn::tt::gru on CUDA (gru.cuh) — cuBLAS for
// the input projection of all steps and each step's recurrent product, one fused kernel per step for
// the gates and the cell (cuda_bodies::lstm_forward_unit / lstm_backward_unit), weight gradients as
// single GEMMs over all steps, bias gradients chunked column sums.
#include "cantus/backend/cuda/nn/launch.cuh"

namespace cantus::nn::tt {

template <class T>
class lstm<T, cuda> {
 public:
  void forward(index_t B, index_t Tn, index_t I, index_t H, const T* x, const T* h0, const T* c0, const T* w_ih,
               const T* w_hh, const T* b_ih, const T* b_hh, T* y, T* h_n, T* c_n) {
    using ops = backend_ops<cuda>;
    const index_t G = 4 * H;
    batch_ = B, time_ = Tn;
    ensure(x_, Tn * B * I);
    cuda_launch::for_each(Tn * B * I, cuda_bodies::swap_leading<T>{B, Tn, I, x, x_.data()});
    ensure(gates_, Tn * B * G);
    ops::gemm(transpose::no, transpose::yes, Tn * B, G, I, T(1), x_.data(), I, w_ih, I, T(0), gates_.data(), G);
    ensure(hprev_, Tn * B * H);
    ensure(cprev_, Tn * B * H);
    ensure(tanh_c_, Tn * B * H);
    ensure(gh_, B * G);
    ensure(c_, B * H);
    cuda_launch::for_each(B * H, cuda_bodies::copy_or_zero<T>{h0, hprev_.data()});
    cuda_launch::for_each(B * H, cuda_bodies::copy_or_zero<T>{c0, c_.data()});
    for (index_t t = 0; t < Tn; ++t) {
      ops::gemm(transpose::no, transpose::yes, B, G, H, T(1), hprev_.data() + t * B * H, H, w_hh, H, T(0), gh_.data(), G);
      cuda_launch::for_each(B * H, cuda_bodies::lstm_forward_unit<T>{t, B, Tn, H, gh_.data(), b_ih, b_hh, gates_.data(),
                                                                     c_.data(), cprev_.data(), tanh_c_.data(),
                                                                     hprev_.data(), y});
    }
    if (h_n) cuda_launch::for_each(B * H, cuda_bodies::last_step<T>{Tn, H, y, h_n});
    if (c_n) ops::copy(c_n, c_.data(), static_cast<std::size_t>(B * H));
  }

  bool has_forward() const { return gates_.size() > 0; }
  index_t batch() const { return batch_; }
  index_t time() const { return time_; }

  void backward(index_t I, index_t H, const T* dy, const T* dh_n, const T* dc_n, const T* w_ih, const T* w_hh, T* dw_ih,
                T* dw_hh, T* db_ih, T* db_hh, T* dx, T* dh0, T* dc0) {
    using ops = backend_ops<cuda>;
    const index_t B = batch_, Tn = time_, G = 4 * H;
    ensure(dh_, B * H);
    ensure(dc_, B * H);
    cuda_launch::for_each(B * H, cuda_bodies::copy_or_zero<T>{dh_n, dh_.data()});
    cuda_launch::for_each(B * H, cuda_bodies::copy_or_zero<T>{dc_n, dc_.data()});
    ensure(dg_, Tn * B * G);
    for (index_t t = Tn; t-- > 0;) {
      cuda_launch::for_each(B * H, cuda_bodies::lstm_backward_unit<T>{t, B, Tn, H, gates_.data(), tanh_c_.data(),
                                                                      cprev_.data(), dy, dh_.data(), dc_.data(),
                                                                      dg_.data()});
      // h_{t-1} reaches the loss only through the gates: dh_{t-1} = dg_t W_hh
      ops::gemm(transpose::no, transpose::no, B, H, G, T(1), dg_.data() + t * B * G, G, w_hh, H, T(0), dh_.data(), H);
    }
    ops::gemm(transpose::yes, transpose::no, G, I, B * Tn, T(1), dg_.data(), G, x_.data(), I, T(1), dw_ih, I);
    ops::gemm(transpose::yes, transpose::no, G, H, B * Tn, T(1), dg_.data(), G, hprev_.data(), H, T(1), dw_hh, H);
    tensor<T, 1, cuda> db({G}, T(0));
    cuda_launch::add_column_sums(B * Tn, G, index_t(1), dg_.data(), db.data());
    cuda_launch::for_each(G, cuda_bodies::add_to_both<T>{db.data(), db_ih, db_hh});
    if (dx) {
      ensure(dx_, Tn * B * I);
      ops::gemm(transpose::no, transpose::no, Tn * B, I, G, T(1), dg_.data(), G, w_ih, I, T(0), dx_.data(), I);
      cuda_launch::for_each(B * Tn * I, cuda_bodies::swap_leading<T>{Tn, B, I, dx_.data(), dx});
    }
    if (dh0) ops::copy(dh0, dh_.data(), static_cast<std::size_t>(B * H));
    if (dc0) ops::copy(dc0, dc_.data(), static_cast<std::size_t>(B * H));
  }

 private:
  static void ensure(tensor<T, 1, cuda>& t, index_t n) {
    if (t.size() != n) t = tensor<T, 1, cuda>({n});
  }
  index_t batch_ = 0, time_ = 0;
  tensor<T, 1, cuda> x_, gates_, hprev_, cprev_, tanh_c_, gh_, c_, dh_, dc_, dg_, dx_;
};

}  // namespace cantus::nn::tt
