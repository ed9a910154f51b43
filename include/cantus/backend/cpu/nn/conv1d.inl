// The CPU implementation of nn::tt::conv1d (contract in nn/tt/conv1d.hpp, which includes this file).
//
// im2col over a chunk of samples + one GEMM, chunks taken by threads (im2col.hpp: cache_chunking); a
// 1x1 convolution skips im2col (its columns are the input itself, in channel-major order). Long
// stride-1 sequences (WaveNet) use one GEMM per tap on shifted views instead, and long 1x1
// convolutions GEMMs on blocks of each sample's positions in place; both as (sample, block) items.
#include <algorithm>
#include <vector>

#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/backend/cpu/nn/im2col.hpp"

namespace cantus::nn::tt {

template <class T>
class conv1d<T, cpu> {
 public:
  void forward(const conv1d_config& c, index_t batch, index_t in_len, index_t out_len, const T* x, const T* w,
               const T* bias, T* y) {
    const index_t cin = c.in_channels, cout = c.out_channels, rows = cin * c.kernel_size;
    const auto g = geometry(c, in_len, out_len);
    const index_t lout = g.out;
    if (use_shifted_gemms(c, g)) return forward_shifted(c, batch, x, w, bias, y, g);
    if (use_per_sample_pointwise(c, g)) return forward_pointwise(c, batch, x, w, bias, y, g);
    detail::cache_chunking(batch, std::max(rows, cout) * lout).for_each_chunk(batch, [&](index_t b0, index_t nb) {
      const index_t n = nb * lout;
      T* gbuf = detail::thread_scratch<T, 0>(cout * n);
      const T* cols = columns(c, x + b0 * cin * g.in, nb, g);
      detail::gemm_by_columns(transpose::no, cout, n, rows, T(1), w, rows, cols, n, T(0), gbuf, n);
      detail::from_channel_major(gbuf, nb, cout, lout, bias, y + b0 * cout * lout);
    });
  }

  void backward(const conv1d_config& c, index_t batch, index_t in_len, index_t out_len, const T* x, const T* w,
                const T* dy, T* dw, T* dbias, T* dx) {
    const index_t cin = c.in_channels, cout = c.out_channels, rows = cin * c.kernel_size;
    const auto g = geometry(c, in_len, out_len);
    const index_t lout = g.out;
    if (dbias) detail::accumulate_bias_grad(dy, batch, cout, lout, dbias);
    if (use_shifted_gemms(c, g)) return backward_shifted(c, batch, x, w, dy, dw, dx, g);
    if (use_per_sample_pointwise(c, g)) return backward_pointwise(c, batch, x, w, dy, dw, dx, g);
    const detail::cache_chunking ch(batch, std::max(rows, cout) * lout);
    ch.sum_by_groups(batch, cout * rows, partial_, dw, [&](index_t b0, index_t nb, T* part, bool first) {
      const index_t n = nb * lout;
      T* gbuf = detail::thread_scratch<T, 0>(cout * n);
      detail::to_channel_major(dy + b0 * cout * lout, nb, cout, lout, gbuf);
      const T* cols = columns(c, x + b0 * cin * g.in, nb, g);
      // dW[out, (in, k)] (+)= dY[out, n] cols[(in, k), n]^T, the group's first chunk overwriting
      backend_ops<cpu>::gemm(transpose::no, transpose::yes, cout, rows, n, T(1), gbuf, n, cols, n, first ? T(0) : T(1),
                             part, rows);
      if (!dx) return;
      T* dx_chunk = dx + b0 * cin * g.in;
      T* dcols = detail::thread_scratch<T, 2>(rows * n);
      detail::gemm_by_columns(transpose::yes, rows, n, cout, T(1), w, rows, gbuf, n, T(0), dcols, n);
      if (c.is_pointwise()) {  // dX[in, n] = W^T dY, straight back to [nb, in, len]
        detail::from_channel_major<T>(dcols, nb, cin, lout, nullptr, dx_chunk);
      } else {
        std::fill(dx_chunk, dx_chunk + nb * cin * g.in, T(0));
        detail::col2im_add_1d(dcols, nb, cin, g, dx_chunk);
      }
    });
  }

 private:
  // Long sequences at stride 1 (WaveNet): y[b] = sum over taps k of W_k x[b] shifted by k * dilation,
  // one GEMM per sample and tap on views of x and y, no im2col copy at all. The weight is repacked
  // tap-major ([k][out][in]) so each W_k is a plain matrix.
  static bool use_shifted_gemms(const conv1d_config& c, const detail::axis_geometry& g) {
    return c.stride == 1 && g.out >= 512 && !c.is_pointwise();
  }
  void pack_taps(const conv1d_config& c, const T* w) {
    const index_t cout = c.out_channels, cin = c.in_channels, taps = c.kernel_size;
    T* p = packed_.get(taps * cout * cin);
    for (index_t o = 0; o < cout; ++o)
      for (index_t i = 0; i < cin; ++i)
        for (index_t k = 0; k < taps; ++k) p[(k * cout + o) * cin + i] = w[(o * cin + i) * taps + k];
  }
  // One parallel region per pass: work items are (sample, block of positions), blocks fixed by the
  // problem size, so results do not depend on the thread count and a descheduled thread (shared
  // cores) stalls only the items it holds.
  void forward_shifted(const conv1d_config& c, index_t batch, const T* x, const T* w, const T* bias, T* y,
                       const detail::axis_geometry& g) {
    const index_t cout = c.out_channels, cin = c.in_channels, taps = c.kernel_size;
    pack_taps(c, w);
    const T* wk = packed_.buffer.data();
    const index_t blocks = detail::column_blocks(cout, g.out, cin * taps);
#pragma omp parallel for schedule(dynamic, 1) if (batch * blocks > 1 && !omp_in_parallel())
    for (index_t item = 0; item < batch * blocks; ++item) {
      const index_t b = item / blocks;
      index_t c0, c1;
      detail::column_block(g.out, item % blocks, blocks, c0, c1);
      T* yb = y + b * cout * g.out;
      const T* xb = x + b * cin * g.in;
      for (index_t o = 0; o < cout; ++o) std::fill(yb + o * g.out + c0, yb + o * g.out + c1, bias ? bias[o] : T(0));
      for (index_t k = 0; k < taps; ++k) {
        index_t lo, hi;
        g.valid_range(k, lo, hi);
        lo = std::max(lo, c0), hi = std::min(hi, c1);
        if (hi <= lo) continue;
        const index_t off = k * c.dilation - g.pad;
        backend_ops<cpu>::gemm(transpose::no, transpose::no, cout, hi - lo, cin, T(1), wk + k * cout * cin, cin,
                               xb + lo + off, g.in, T(1), yb + lo, g.out);
      }
    }
  }
  void backward_shifted(const conv1d_config& c, index_t batch, const T* x, const T* w, const T* dy, T* dw, T* dx,
                        const detail::axis_geometry& g) {
    const index_t cout = c.out_channels, cin = c.in_channels, taps = c.kernel_size;
    pack_taps(c, w);
    const T* wk = packed_.buffer.data();
    const index_t wsize = taps * cout * cin;
    // dW: per (sample, block of output positions) partial sums over all taps, added in item order.
    const index_t wblocks = detail::column_blocks(cout, g.out, cin * taps), witems = batch * wblocks;
    // dX: per (sample, block of input positions), every tap that reads there.
    const index_t xblocks = dx ? detail::column_blocks(cin, g.in, cout * taps) : 0, xitems = batch * xblocks;
    partial_.resize(static_cast<std::size_t>(witems * wsize));
#pragma omp parallel if (witems + xitems > 1 && !omp_in_parallel())
    {
#pragma omp for schedule(dynamic, 1) nowait
      for (index_t item = 0; item < witems; ++item) {
        const index_t b = item / wblocks;
        index_t c0, c1;
        detail::column_block(g.out, item % wblocks, wblocks, c0, c1);
        const T* xb = x + b * cin * g.in;
        const T* db = dy + b * cout * g.out;
        T* part = partial_.data() + item * wsize;
        for (index_t k = 0; k < taps; ++k) {
          index_t lo, hi;
          g.valid_range(k, lo, hi);
          lo = std::max(lo, c0), hi = std::min(hi, c1);
          T* pk = part + k * cout * cin;
          if (hi <= lo) {
            std::fill(pk, pk + cout * cin, T(0));
            continue;
          }
          const index_t off = k * c.dilation - g.pad;
          // dW_k[out, in] = dY[out, lo:hi] X[in, lo+off:hi+off]^T
          backend_ops<cpu>::gemm(transpose::no, transpose::yes, cout, cin, hi - lo, T(1), db + lo, g.out,
                                 xb + lo + off, g.in, T(0), pk, cin);
        }
      }
#pragma omp for schedule(dynamic, 1)
      for (index_t item = 0; item < xitems; ++item) {
        const index_t b = item / xblocks;
        index_t d0, d1;
        detail::column_block(g.in, item % xblocks, xblocks, d0, d1);
        const T* db = dy + b * cout * g.out;
        T* dxb = dx + b * cin * g.in;
        for (index_t i = 0; i < cin; ++i) std::fill(dxb + i * g.in + d0, dxb + i * g.in + d1, T(0));
        for (index_t k = 0; k < taps; ++k) {
          index_t lo, hi;
          g.valid_range(k, lo, hi);
          const index_t off = k * c.dilation - g.pad;  // output t reads input t + off
          lo = std::max(lo, d0 - off), hi = std::min(hi, d1 - off);
          if (hi <= lo) continue;
          // dX[in, lo+off:hi+off] += W_k^T dY[out, lo:hi]
          backend_ops<cpu>::gemm(transpose::yes, transpose::no, cin, hi - lo, cout, T(1), wk + k * cout * cin, cin,
                                 db + lo, g.out, T(1), dxb + lo + off, g.in);
        }
      }
    }
    T* gk = packed_grad_.get(wsize);
    std::fill(gk, gk + wsize, T(0));
    detail::add_group_sums(partial_.data(), witems, wsize, gk);
    for (index_t o = 0; o < cout; ++o)
      for (index_t i = 0; i < cin; ++i)
        for (index_t k = 0; k < taps; ++k) dw[(o * cin + i) * taps + k] += gk[(k * cout + o) * cin + i];
  }

  // A 1x1 convolution over long sequences (WaveNet's residual, skip, conditioning and output
  // layers): per sample it is Y[b] = W X[b] + bias with X[b], Y[b] already [channels, length]
  // matrices, so the GEMMs read and write the tensors in place, with no channel-major copies.
  static bool use_per_sample_pointwise(const conv1d_config& c, const detail::axis_geometry& g) {
    // Only when each sample's product is big enough to be cut into blocks of positions.
    return c.is_pointwise() && detail::column_blocks(c.out_channels, g.out, c.in_channels) > 1;
  }
  // One parallel region per pass, work items (sample, block of positions) as in the shifted path:
  // the bias fill runs inside the items (a serial fill before the product left the second thread
  // waiting for 2.5 % of a WaveNet step).
  void forward_pointwise(const conv1d_config& c, index_t batch, const T* x, const T* w, const T* bias, T* y,
                         const detail::axis_geometry& g) {
    const index_t cout = c.out_channels, cin = c.in_channels, L = g.out;
    const index_t blocks = detail::column_blocks(cout, L, cin);
#pragma omp parallel for schedule(dynamic, 1) if (batch * blocks > 1 && !omp_in_parallel())
    for (index_t item = 0; item < batch * blocks; ++item) {
      const index_t b = item / blocks;
      index_t c0, c1;
      detail::column_block(L, item % blocks, blocks, c0, c1);
      if (c1 <= c0) continue;
      T* yb = y + b * cout * L;
      for (index_t o = 0; o < cout; ++o) std::fill(yb + o * L + c0, yb + o * L + c1, bias ? bias[o] : T(0));
      backend_ops<cpu>::gemm(transpose::no, transpose::no, cout, c1 - c0, cin, T(1), w, cin, x + b * cin * L + c0, L,
                             T(1), yb + c0, L);
    }
  }
  // dW per item, added in item order afterwards; dX per item from the same block of dY.
  void backward_pointwise(const conv1d_config& c, index_t batch, const T* x, const T* w, const T* dy, T* dw, T* dx,
                          const detail::axis_geometry& g) {
    const index_t cout = c.out_channels, cin = c.in_channels, L = g.out, wsize = cout * cin;
    const index_t blocks = detail::column_blocks(cout, L, cin), items = batch * blocks;
    partial_.resize(static_cast<std::size_t>(items * wsize));
#pragma omp parallel for schedule(dynamic, 1) if (items > 1 && !omp_in_parallel())
    for (index_t item = 0; item < items; ++item) {
      const index_t b = item / blocks;
      index_t c0, c1;
      detail::column_block(L, item % blocks, blocks, c0, c1);
      T* part = partial_.data() + item * wsize;
      if (c1 <= c0) {
        std::fill(part, part + wsize, T(0));
        continue;
      }
      const T* db = dy + b * cout * L + c0;
      const T* xb = x + b * cin * L + c0;
      // dW[out, in] = dY[b][out, c0:c1] X[b][in, c0:c1]^T
      backend_ops<cpu>::gemm(transpose::no, transpose::yes, cout, cin, c1 - c0, T(1), db, L, xb, L, T(0), part, cin);
      if (dx)
        backend_ops<cpu>::gemm(transpose::yes, transpose::no, cin, c1 - c0, cout, T(1), w, cin, db, L, T(0),
                               dx + b * cin * L + c0, L);
    }
    detail::add_group_sums(partial_.data(), items, wsize, dw);
  }

  static detail::axis_geometry geometry(const conv1d_config& c, index_t in_len, index_t out_len) {
    return {in_len, c.kernel_size, c.stride, c.pad_left(), c.dilation, out_len};
  }
  // The chunk's im2col matrix [(in, k), (b, t)]; a pointwise conv's is the input in channel-major order,
  // and for a single sample that is the input itself.
  static const T* columns(const conv1d_config& c, const T* x, index_t nb, const detail::axis_geometry& g) {
    if (c.is_pointwise() && nb == 1) return x;
    T* cols = detail::thread_scratch<T, 1>(c.in_channels * c.kernel_size * nb * g.out);
    if (c.is_pointwise()) detail::to_channel_major(x, nb, c.in_channels, g.in, cols);
    else detail::im2col_1d(x, nb, c.in_channels, g, cols);
    return cols;
  }

  std::vector<T> partial_;  // per-block weight-gradient sums
  detail::workspace<T> packed_, packed_grad_;
};

}  // namespace cantus::nn::tt
