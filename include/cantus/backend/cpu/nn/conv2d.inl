// The CPU implementation of nn::tt::conv2d (contract in nn/tt/conv2d.hpp, which includes this file):
// im2col over a chunk of samples + one GEMM, chunks taken by threads (im2col.hpp: cache_chunking). A
// chunk of one sample (the CNN's planes) reads dY and writes Y in their own [channels, plane] layout,
// with no channel-major copies.
#include <algorithm>
#include <utility>
#include <vector>

#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/backend/cpu/nn/im2col.hpp"

namespace cantus::nn::tt {

template <class T>
class conv2d<T, cpu> {
 public:
  void forward(const conv2d_config& c, const shape_t<4>& in, const shape_t<4>& out, const T* x, const T* w,
               const T* bias, T* y) {
    const index_t batch = in[0], cin = c.in_channels, cout = c.out_channels, r = rows(c);
    const auto [gh, gw] = geometry(c, in, out);
    const index_t plane_in = gh.in * gw.in, plane_out = gh.out * gw.out;
    detail::cache_chunking(batch, std::max(r, cout) * plane_out).for_each_chunk(batch, [&](index_t b0, index_t nb) {
      const index_t n = nb * plane_out;
      T* cols = detail::thread_scratch<T, 1>(r * n);
      detail::im2col_2d(x + b0 * cin * plane_in, nb, cin, gh, gw, cols);
      T* yc = y + b0 * cout * plane_out;
      if (nb == 1) {  // Y[b] = W cols(X[b]) + bias, in place: Y[b] is already a [cout, plane] matrix
        detail::fill_with_bias(yc, cout, plane_out, bias);
        detail::gemm_by_columns(transpose::no, cout, n, r, T(1), w, r, cols, n, T(1), yc, n);
      } else {
        T* gbuf = detail::thread_scratch<T, 0>(cout * n);
        detail::gemm_by_columns(transpose::no, cout, n, r, T(1), w, r, cols, n, T(0), gbuf, n);
        detail::from_channel_major(gbuf, nb, cout, plane_out, bias, yc);
      }
    });
  }

  void backward(const conv2d_config& c, const shape_t<4>& in, const shape_t<4>& out, const T* x, const T* w,
                const T* dy, T* dw, T* dbias, T* dx) {
    const index_t batch = in[0], cin = c.in_channels, cout = c.out_channels, r = rows(c);
    const auto [gh, gw] = geometry(c, in, out);
    const index_t plane_in = gh.in * gw.in, plane_out = gh.out * gw.out;
    if (dbias) detail::accumulate_bias_grad(dy, batch, cout, plane_out, dbias);
    const detail::cache_chunking ch(batch, std::max(r, cout) * plane_out);
    ch.sum_by_groups(batch, cout * r, partial_, dw, [&](index_t b0, index_t nb, T* part, bool first) {
      const index_t n = nb * plane_out;
      const T* dyc = dy + b0 * cout * plane_out;  // one sample's dY is already [cout, plane]
      if (nb > 1) {
        T* gbuf = detail::thread_scratch<T, 0>(cout * n);
        detail::to_channel_major(dyc, nb, cout, plane_out, gbuf);
        dyc = gbuf;
      }
      T* cols = detail::thread_scratch<T, 1>(r * n);
      detail::im2col_2d(x + b0 * cin * plane_in, nb, cin, gh, gw, cols);
      // dW[out, (in, kh, kw)] (+)= dY[out, n] cols^T, the group's first chunk overwriting
      backend_ops<cpu>::gemm(transpose::no, transpose::yes, cout, r, n, T(1), dyc, n, cols, n, first ? T(0) : T(1), part,
                             r);
      if (!dx) return;
      T* dcols = detail::thread_scratch<T, 2>(r * n);
      detail::gemm_by_columns(transpose::yes, r, n, cout, T(1), w, r, dyc, n, T(0), dcols, n);
      T* dx_chunk = dx + b0 * cin * plane_in;
      std::fill(dx_chunk, dx_chunk + nb * cin * plane_in, T(0));
      detail::col2im_add_2d(dcols, nb, cin, gh, gw, dx_chunk);
    });
  }

 private:
  static index_t rows(const conv2d_config& c) { return c.in_channels * c.kernel_size[0] * c.kernel_size[1]; }
  static std::pair<detail::axis_geometry, detail::axis_geometry> geometry(const conv2d_config& c, const shape_t<4>& in,
                                                                          const shape_t<4>& out) {
    return {{in[2], c.kernel_size[0], c.stride[0], c.padding[0], c.dilation[0], out[2]},
            {in[3], c.kernel_size[1], c.stride[1], c.padding[1], c.dilation[1], out[3]}};
  }
  std::vector<T> partial_;  // per-group weight-gradient sums
};

}  // namespace cantus::nn::tt
