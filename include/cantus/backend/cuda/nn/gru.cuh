// nn::tt::gru on CUDA (contract in nn/tt/gru.hpp): cuBLAS for the input projection of all steps at
// once and for each step's recurrent product, and one fused kernel per step for the gates (a thread
// per batch row and unit: cuda_bodies::gru_forward_unit / gru_backward_unit, the CPU's row functions
// unit by unit). Not cuDNN's RNN: its weight layout and gate bias placement differ from PyTorch's
// (b_hn inside r * (.)), and the step kernels keep the per-step records the CPU kernel keeps, so
// both backends share one backward formula. Weight gradients are single GEMMs over all steps.
#include "cantus/backend/cuda/nn/launch.cuh"

namespace cantus::nn::tt {

template <class T>
class gru<T, cuda> {
 public:
  void forward(index_t B, index_t Tn, index_t I, index_t H, const T* x, const T* h0, const T* w_ih, const T* w_hh,
               const T* b_ih, const T* b_hh, T* y, T* h_n) {
    using ops = backend_ops<cuda>;
    const index_t G = 3 * H;
    batch_ = B, time_ = Tn;
    ensure(x_, Tn * B * I);
    cuda_launch::for_each(Tn * B * I, cuda_bodies::swap_leading<T>{B, Tn, I, x, x_.data()});
    ensure(gi_, Tn * B * G);
    ops::gemm(transpose::no, transpose::yes, Tn * B, G, I, T(1), x_.data(), I, w_ih, I, T(0), gi_.data(), G);
    ensure(hprev_, Tn * B * H);
    ensure(gates_, Tn * B * 4 * H);
    ensure(gh_, B * G);
    cuda_launch::for_each(B * H, cuda_bodies::copy_or_zero<T>{h0, hprev_.data()});
    for (index_t t = 0; t < Tn; ++t) {
      ops::gemm(transpose::no, transpose::yes, B, G, H, T(1), hprev_.data() + t * B * H, H, w_hh, H, T(0), gh_.data(), G);
      cuda_launch::for_each(B * H, cuda_bodies::gru_forward_unit<T>{t, B, Tn, H, gi_.data(), gh_.data(), b_ih, b_hh,
                                                                    hprev_.data(), gates_.data(), y});
    }
    if (h_n) cuda_launch::for_each(B * H, cuda_bodies::last_step<T>{Tn, H, y, h_n});
  }

  bool has_forward() const { return gates_.size() > 0; }
  index_t batch() const { return batch_; }
  index_t time() const { return time_; }

  void backward(index_t I, index_t H, const T* dy, const T* dh_n, const T* w_ih, const T* w_hh, T* dw_ih, T* dw_hh,
                T* db_ih, T* db_hh, T* dx, T* dh0) {
    using ops = backend_ops<cuda>;
    const index_t B = batch_, Tn = time_, G = 3 * H;
    ensure(dh_, B * H);
    cuda_launch::for_each(B * H, cuda_bodies::copy_or_zero<T>{dh_n, dh_.data()});
    ensure(dgi_, Tn * B * G);
    ensure(dgh_, Tn * B * G);
    for (index_t t = Tn; t-- > 0;) {
      cuda_launch::for_each(B * H, cuda_bodies::gru_backward_unit<T>{t, B, Tn, H, gates_.data(), hprev_.data(), dy,
                                                                     dh_.data(), dgi_.data(), dgh_.data()});
      ops::gemm(transpose::no, transpose::no, B, H, G, T(1), dgh_.data() + t * B * G, G, w_hh, H, T(1), dh_.data(), H);
    }
    ops::gemm(transpose::yes, transpose::no, G, I, B * Tn, T(1), dgi_.data(), G, x_.data(), I, T(1), dw_ih, I);
    ops::gemm(transpose::yes, transpose::no, G, H, B * Tn, T(1), dgh_.data(), G, hprev_.data(), H, T(1), dw_hh, H);
    cuda_launch::add_column_sums(B * Tn, G, index_t(1), dgi_.data(), db_ih);
    cuda_launch::add_column_sums(B * Tn, G, index_t(1), dgh_.data(), db_hh);
    if (dx) {
      ensure(dx_, Tn * B * I);
      ops::gemm(transpose::no, transpose::no, Tn * B, I, G, T(1), dgi_.data(), G, w_ih, I, T(0), dx_.data(), I);
      cuda_launch::for_each(B * Tn * I, cuda_bodies::swap_leading<T>{Tn, B, I, dx_.data(), dx});
    }
    if (dh0) ops::copy(dh0, dh_.data(), static_cast<std::size_t>(B * H));
  }

 private:
  static void ensure(tensor<T, 1, cuda>& t, index_t n) {
    if (t.size() != n) t = tensor<T, 1, cuda>({n});
  }
  index_t batch_ = 0, time_ = 0;
  // Time-major records of the last forward, as in the CPU kernel: x, x W_ih^T, h_{t-1}, gates.
  tensor<T, 1, cuda> x_, gi_, hprev_, gates_, gh_, dh_, dgi_, dgh_, dx_;
};

}  // namespace cantus::nn::tt
