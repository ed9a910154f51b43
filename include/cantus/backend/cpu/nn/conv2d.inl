// The CPU implementation of nn::tt::conv2d (contract in nn/tt/conv2d.hpp, which includes this file):
// im2col over a chunk of samples + one GEMM.
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
    const index_t chunk = detail::samples_per_chunk(batch, std::max(r, cout) * plane_out);
    if (per_sample(c, plane_out)) {
      // Y[b] = W cols(X[b]) + bias, written in place: Y[b] is already a [cout, plane] matrix.
      T* cols = col_.get(r * plane_out);
      for (index_t b = 0; b < batch; ++b) {
        detail::im2col_2d(x + b * cin * plane_in, 1, cin, gh, gw, cols);
        T* yb = y + b * cout * plane_out;
        detail::fill_with_bias(yb, cout, plane_out, bias);
        detail::gemm_by_columns(transpose::no, cout, plane_out, r, T(1), w, r, cols, plane_out, T(1), yb, plane_out);
      }
      return;
    }
    T* gbuf = gemm_out_.get(cout * chunk * plane_out);
    for (index_t b0 = 0; b0 < batch; b0 += chunk) {
      const index_t nb = std::min(chunk, batch - b0), n = nb * plane_out;
      T* cols = col_.get(r * n);
      detail::im2col_2d(x + b0 * cin * plane_in, nb, cin, gh, gw, cols);
      detail::gemm_by_columns(transpose::no, cout, n, r, T(1), w, r, cols, n, T(0), gbuf, n);
      detail::from_channel_major(gbuf, nb, cout, plane_out, bias, y + b0 * cout * plane_out);
    }
  }

  void backward(const conv2d_config& c, const shape_t<4>& in, const shape_t<4>& out, const T* x, const T* w,
                const T* dy, T* dw, T* dbias, T* dx) {
    const index_t batch = in[0], cin = c.in_channels, cout = c.out_channels, r = rows(c);
    const auto [gh, gw] = geometry(c, in, out);
    const index_t plane_in = gh.in * gw.in, plane_out = gh.out * gw.out;
    const index_t chunk = detail::samples_per_chunk(batch, std::max(r, cout) * plane_out);
    if (dbias) detail::accumulate_bias_grad(dy, batch, cout, plane_out, dbias);
    if (per_sample(c, plane_out)) {
      T* cols = col_.get(r * plane_out);
      T* dcols = dx ? gemm_out_.get(r * plane_out) : nullptr;
      for (index_t b = 0; b < batch; ++b) {
        const T* db = dy + b * cout * plane_out;
        detail::im2col_2d(x + b * cin * plane_in, 1, cin, gh, gw, cols);
        detail::gemm_nt_accumulate(cout, r, plane_out, db, plane_out, cols, plane_out, dw, r, partial_);
        if (!dx) continue;
        detail::gemm_by_columns(transpose::yes, r, plane_out, cout, T(1), w, r, db, plane_out, T(0), dcols, plane_out);
        T* dxb = dx + b * cin * plane_in;
        std::fill(dxb, dxb + cin * plane_in, T(0));
        detail::col2im_add_2d(dcols, 1, cin, gh, gw, dxb);
      }
      return;
    }
    T* gbuf = gemm_out_.get(cout * chunk * plane_out);
    for (index_t b0 = 0; b0 < batch; b0 += chunk) {
      const index_t nb = std::min(chunk, batch - b0), n = nb * plane_out;
      detail::to_channel_major(dy + b0 * cout * plane_out, nb, cout, plane_out, gbuf);
      T* cols = col_.get(r * n);
      detail::im2col_2d(x + b0 * cin * plane_in, nb, cin, gh, gw, cols);
      detail::gemm_nt_accumulate(cout, r, n, gbuf, n, cols, n, dw, r, partial_);
      if (!dx) continue;
      detail::gemm_by_columns(transpose::yes, r, n, cout, T(1), w, r, gbuf, n, T(0), cols, n);
      T* dx_chunk = dx + b0 * cin * plane_in;
      std::fill(dx_chunk, dx_chunk + nb * cin * plane_in, T(0));
      detail::col2im_add_2d(cols, nb, cin, gh, gw, dx_chunk);
    }
  }

 private:
  static index_t rows(const conv2d_config& c) { return c.in_channels * c.kernel_size[0] * c.kernel_size[1]; }
  static std::pair<detail::axis_geometry, detail::axis_geometry> geometry(const conv2d_config& c, const shape_t<4>& in,
                                                                          const shape_t<4>& out) {
    return {{in[2], c.kernel_size[0], c.stride[0], c.padding[0], c.dilation[0], out[2]},
            {in[3], c.kernel_size[1], c.stride[1], c.padding[1], c.dilation[1], out[3]}};
  }
  // Samples with large output planes run one at a time: the GEMMs then read dY and write Y in their
  // own [channels, plane] layout, with no channel-major copies. Only when each per-sample product is
  // big enough to be split into column blocks across threads; smaller ones are batched over samples.
  static bool per_sample(const conv2d_config& c, index_t plane_out) {
    return detail::column_blocks(c.out_channels, plane_out, rows(c)) > 1;
  }

  std::vector<T> partial_;  // per-block weight-gradient sums
  detail::workspace<T> col_, gemm_out_;
};

}  // namespace cantus::nn::tt
