// The CPU implementation of nn::tt::conv_transpose1d (contract in nn/tt/conv_transpose1d.hpp, which
// includes this file). It is the adjoint of conv1d: forward = one GEMM W^T X into columns + col2im,
// backward = im2col of dy + two GEMMs.
#include <omp.h>

#include <algorithm>
#include <vector>

#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/backend/cpu/nn/im2col.hpp"

namespace cantus::nn::tt {

template <class T>
class conv_transpose1d<T, cpu> {
 public:
  void forward(const conv_transpose1d_config& c, index_t batch, index_t in_len, index_t out_len, const T* x, const T* w,
               const T* bias, T* y) {
    const index_t cin = c.in_channels, cout = c.out_channels, rows = cout * c.kernel_size;
    const auto g = geometry(c, in_len, out_len);  // the adjoint conv: y-length in, x-length out
    const index_t len = g.out, chunk = detail::samples_per_chunk(batch, std::max(rows, cin) * len);
    for (index_t b0 = 0; b0 < batch; b0 += chunk) {
      const index_t nb = std::min(chunk, batch - b0), n = nb * len;
      const T* xm = x + b0 * cin * len;
      if (nb > 1) {
        T* m = in_cm_.get(cin * n);
        detail::to_channel_major(xm, nb, cin, len, m);
        xm = m;
      }
      T* cols = col_.get(rows * n);
      // cols[(out, k), n] = W[in, (out, k)]^T X[in, n]
      detail::gemm_by_columns(transpose::yes, rows, n, cin, T(1), w, rows, xm, n, T(0), cols, n);
      T* yc = y + b0 * cout * g.in;
      std::fill(yc, yc + nb * cout * g.in, T(0));
      detail::col2im_add_1d(cols, nb, cout, g, yc);
      if (bias) add_bias(yc, nb, cout, g.in, bias);
    }
  }

  void backward(const conv_transpose1d_config& c, index_t batch, index_t in_len, index_t out_len, const T* x, const T* w,
                const T* dy, T* dw, T* dbias, T* dx) {
    const index_t cin = c.in_channels, cout = c.out_channels, rows = cout * c.kernel_size;
    const auto g = geometry(c, in_len, out_len);
    const index_t len = g.out, chunk = detail::samples_per_chunk(batch, std::max(rows, cin) * len);
    if (dbias) detail::accumulate_bias_grad(dy, batch, cout, g.in, dbias);
    for (index_t b0 = 0; b0 < batch; b0 += chunk) {
      const index_t nb = std::min(chunk, batch - b0), n = nb * len;
      T* cols = col_.get(rows * n);
      detail::im2col_1d(dy + b0 * cout * g.in, nb, cout, g, cols);
      const T* xm = x + b0 * cin * len;
      if (nb > 1) {
        T* m = in_cm_.get(cin * n);
        detail::to_channel_major(xm, nb, cin, len, m);
        xm = m;
      }
      // dW[in, (out, k)] += X[in, n] cols[(out, k), n]^T
      detail::gemm_nt_accumulate(cin, rows, n, xm, n, cols, n, dw, rows, partial_);
      if (!dx) continue;
      // dX[in, n] = W[in, (out, k)] cols
      T* dxm = dx_cm_.get(cin * n);
      detail::gemm_by_columns(transpose::no, cin, n, rows, T(1), w, rows, cols, n, T(0), dxm, n);
      detail::from_channel_major<T>(dxm, nb, cin, len, nullptr, dx + b0 * cin * len);
    }
  }

 private:
  static detail::axis_geometry geometry(const conv_transpose1d_config& c, index_t in_len, index_t out_len) {
    return {out_len, c.kernel_size, c.stride, c.padding, c.dilation, in_len};
  }
  static void add_bias(T* y, index_t nb, index_t cout, index_t len, const T* bias) {
#pragma omp parallel for schedule(static) if (detail::worth_parallel(nb * cout * len))
    for (index_t r = 0; r < nb * cout; ++r) {
      const T b = bias[r % cout];
      T* d = y + r * len;
      for (index_t t = 0; t < len; ++t) d[t] += b;
    }
  }

  std::vector<T> partial_;  // per-block weight-gradient sums
  detail::workspace<T> col_, in_cm_, dx_cm_;
};

}  // namespace cantus::nn::tt
