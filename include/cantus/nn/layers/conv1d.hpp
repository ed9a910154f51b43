#pragma once
// conv1d: torch.nn.Conv1d over [batch, channels, length] (stride, padding, dilation, bias), plus a
// causal mode that pads (kernel - 1) * dilation on the left only (WaveNet): output t sees inputs
// <= t and the length is kept.
//
// Static form: conv1d<float, 1, 32, 4, 2, 1> (in, out, kernel, stride, padding, dilation = 1);
// causal_conv1d<float, 64, 128, 2, 512>. Dynamic form: conv1d<float>(conv1d_config{...}).
// Weight [out, in, kernel] and bias [out] as in PyTorch.
//
// Computation: im2col over a chunk of samples + one GEMM (see im2col.hpp); a 1x1 convolution
// skips im2col (its columns are the input itself, in channel-major order).
#include <string>
#include <vector>

#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/nn/init.hpp"
#include "cantus/nn/layer.hpp"
#include "cantus/nn/layers/im2col.hpp"

namespace cantus::nn {

struct conv1d_config {
  index_t in_channels = dyn, out_channels = dyn, kernel_size = dyn;
  index_t stride = 1, padding = 0, dilation = 1;
  bool causal = false;  // pad (kernel_size - 1) * dilation on the left only; `padding` must be 0
  bool bias = true;
};

template <class T, index_t In = dyn, index_t Out = dyn, index_t K = dyn, index_t S = 1, index_t P = 0, index_t D = 1,
          bool Causal = false>
class conv1d {
 public:
  using value_type = T;
  static constexpr std::size_t in_rank = 3, out_rank = 3;
  static constexpr bool is_static = In != dyn && Out != dyn && K != dyn;
  static constexpr shape_t<3> static_input_shape{dyn, In, dyn};

  static constexpr shape_t<3> static_output_shape(const shape_t<3>& in) {
    if (In != dyn && in[1] != dyn && in[1] != In) return {shape_mismatch, shape_mismatch, shape_mismatch};
    index_t len = dyn;
    if (K != dyn && in[2] != dyn) {
      const index_t pads = Causal ? (K - 1) * D : 2 * P;
      const index_t span = in[2] + pads - D * (K - 1) - 1;
      len = span < 0 ? shape_mismatch : span / S + 1;
    }
    return {in[0], Out, len};
  }

  conv1d() requires is_static : conv1d(conv1d_config{In, Out, K, S, P, D, Causal, true}) {}
  explicit conv1d(const conv1d_config& c) : c_(c) {
    if (is_static && (c.in_channels != In || c.out_channels != Out || c.kernel_size != K || c.stride != S ||
                      c.padding != P || c.dilation != D || c.causal != Causal))
      throw_value_error(describe(), ": the config contradicts the sizes fixed by the type");
    if (c.in_channels <= 0 || c.out_channels <= 0 || c.kernel_size <= 0 || c.stride <= 0 || c.dilation <= 0 ||
        c.padding < 0)
      throw_value_error(describe(), ": in_channels, out_channels, kernel_size, stride and dilation must be positive "
                                    "and padding non-negative");
    if (c.causal && c.padding != 0) throw_value_error(describe(), ": causal mode takes no symmetric padding");
    weight_.assign(static_cast<std::size_t>(c.out_channels * c.in_channels * c.kernel_size), T(0));
    weight_grad_.assign(weight_.size(), T(0));
    if (c.bias) {
      bias_.assign(static_cast<std::size_t>(c.out_channels), T(0));
      bias_grad_.assign(bias_.size(), T(0));
    }
    init(random_stream(0));
  }

  const conv1d_config& config() const { return c_; }
  index_t pad_left() const { return c_.causal ? (c_.kernel_size - 1) * c_.dilation : c_.padding; }
  index_t pad_right() const { return c_.causal ? 0 : c_.padding; }

  shape_t<3> output_shape(const shape_t<3>& in) const {
    check_input_shape(describe(), shape_t<3>{dyn, c_.in_channels, dyn}, in);
    const index_t span = in[2] + pad_left() + pad_right() - c_.dilation * (c_.kernel_size - 1) - 1;
    if (span < 0)
      throw shape_error(detail::concat(describe(), ": input length ", in[2], " is shorter than the dilated kernel (",
                                       c_.dilation * (c_.kernel_size - 1) + 1, ") after padding; input shape ",
                                       shape_string(in)));
    return {in[0], c_.out_channels, span / c_.stride + 1};
  }

  void forward(tensor_view<const T, 3> x, tensor_view<T, 3> y, bool /*training*/) {
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    require_contiguous(x, y);
    const index_t batch = x.extent(0), cin = c_.in_channels, cout = c_.out_channels, rows = cin * c_.kernel_size;
    const auto g = geometry(x.extent(2), y.extent(2));
    const index_t lout = g.out, chunk = detail::samples_per_chunk(batch, std::max(rows, cout) * lout);
    if (use_shifted_gemms(g)) return forward_shifted(x, y, g);
    if (use_per_sample_pointwise(g)) return forward_pointwise(x, y, g);
    T* gbuf = gemm_out_.get(cout * chunk * lout);
    for (index_t b0 = 0; b0 < batch; b0 += chunk) {
      const index_t nb = std::min(chunk, batch - b0), n = nb * lout;
      const T* cols = columns(x.data() + b0 * cin * g.in, nb, g);
      detail::gemm_by_columns(transpose::no, cout, n, rows, T(1), weight_.data(), rows, cols, n, T(0), gbuf, n);
      detail::from_channel_major(gbuf, nb, cout, lout, bias_.empty() ? nullptr : bias_.data(),
                                 y.data() + b0 * cout * lout);
    }
  }

  void backward(tensor_view<const T, 3> x, tensor_view<const T, 3> y, tensor_view<const T, 3> dy,
                tensor_view<T, 3> dx) {
    check_buffer_shape(describe(), "output gradient", y.shape(), dy.shape());
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    const bool want_dx = dx.data() != nullptr;
    if (want_dx) check_buffer_shape(describe(), "input gradient", x.shape(), dx.shape());
    require_contiguous(x, dy);
    const index_t batch = x.extent(0), cin = c_.in_channels, cout = c_.out_channels, rows = cin * c_.kernel_size;
    const auto g = geometry(x.extent(2), y.extent(2));
    const index_t lout = g.out, chunk = detail::samples_per_chunk(batch, std::max(rows, cout) * lout);
    if (!bias_.empty()) detail::accumulate_bias_grad(dy.data(), batch, cout, lout, bias_grad_.data());
    if (use_shifted_gemms(g)) return backward_shifted(x, dy, want_dx ? dx.data() : nullptr, g);
    if (use_per_sample_pointwise(g)) return backward_pointwise(x, dy, want_dx ? dx.data() : nullptr, g);
    T* gbuf = gemm_out_.get(cout * chunk * lout);
    for (index_t b0 = 0; b0 < batch; b0 += chunk) {
      const index_t nb = std::min(chunk, batch - b0), n = nb * lout;
      detail::to_channel_major(dy.data() + b0 * cout * lout, nb, cout, lout, gbuf);
      const T* cols = columns(x.data() + b0 * cin * g.in, nb, g);
      // dW[out, (in, k)] += dY[out, n] * cols[(in, k), n]^T
      detail::gemm_nt_accumulate(cout, rows, n, gbuf, n, cols, n, weight_grad_.data(), rows, partial_);
      if (!want_dx) continue;
      T* dx_chunk = dx.data() + b0 * cin * g.in;
      if (is_pointwise()) {  // dX[in, n] = W^T dY, straight back to [nb, in, len]
        T* dcols = col_.get(rows * n);
        detail::gemm_by_columns(transpose::yes, rows, n, cout, T(1), weight_.data(), rows, gbuf, n, T(0), dcols, n);
        detail::from_channel_major<T>(dcols, nb, cin, lout, nullptr, dx_chunk);
      } else {
        T* dcols = col_.get(rows * n);
        detail::gemm_by_columns(transpose::yes, rows, n, cout, T(1), weight_.data(), rows, gbuf, n, T(0), dcols, n);
        std::fill(dx_chunk, dx_chunk + nb * cin * g.in, T(0));
        detail::col2im_add_1d(dcols, nb, cin, g, dx_chunk);
      }
    }
  }

  void parameters(parameter_list<T>& out, const std::string& prefix) {
    add_parameter<T>(out, prefix, "weight", weight_.data(), weight_grad_.data(),
                     {c_.out_channels, c_.in_channels, c_.kernel_size});
    if (!bias_.empty()) add_parameter<T>(out, prefix, "bias", bias_.data(), bias_grad_.data(), {c_.out_channels});
  }
  void buffers(parameter_list<T>&, const std::string&) {}
  void init(random_stream rng) {
    const index_t fan_in = c_.in_channels * c_.kernel_size;
    init::default_weight(tensor_view<T, 1>(weight_.data(), {index_t(weight_.size())}), fan_in, rng.split(0));
    if (!bias_.empty()) init::default_bias(tensor_view<T, 1>(bias_.data(), {index_t(bias_.size())}), fan_in, rng.split(1));
  }

  std::string name() const { return c_.causal ? "causal_conv1d" : "conv1d"; }
  std::string describe() const {
    auto s = detail::concat(name(), "(", c_.in_channels, "->", c_.out_channels, ", k=", c_.kernel_size);
    if (c_.stride != 1) s += detail::concat(", s=", c_.stride);
    if (c_.padding != 0) s += detail::concat(", p=", c_.padding);
    if (c_.dilation != 1) s += detail::concat(", d=", c_.dilation);
    if (!c_.bias) s += ", bias=false";
    return s + ")";
  }

 private:
  // Long sequences at stride 1 (WaveNet): y[b] = sum over taps k of W_k x[b] shifted by k * dilation,
  // one GEMM per sample and tap on views of x and y, no im2col copy at all. The weight is repacked
  // tap-major ([k][out][in]) so each W_k is a plain matrix.
  bool use_shifted_gemms(const detail::axis_geometry& g) const {
    return c_.stride == 1 && g.out >= 512 && !is_pointwise();
  }
  void pack_taps() {
    const index_t cout = c_.out_channels, cin = c_.in_channels, taps = c_.kernel_size;
    T* p = packed_.get(taps * cout * cin);
    for (index_t o = 0; o < cout; ++o)
      for (index_t i = 0; i < cin; ++i)
        for (index_t k = 0; k < taps; ++k) p[(k * cout + o) * cin + i] = weight_[std::size_t((o * cin + i) * taps + k)];
  }
  // One parallel region per pass: work items are (sample, block of positions), blocks fixed by the
  // problem size, so results do not depend on the thread count and a descheduled thread (shared
  // cores) stalls only the items it holds.
  void forward_shifted(tensor_view<const T, 3> x, tensor_view<T, 3> y, const detail::axis_geometry& g) {
    const index_t cout = c_.out_channels, cin = c_.in_channels, taps = c_.kernel_size, batch = x.extent(0);
    pack_taps();
    const T* wk = packed_.buffer.data();
    const index_t blocks = detail::column_blocks(cout, g.out, cin * taps);
#pragma omp parallel for schedule(dynamic, 1) if (batch * blocks > 1 && !omp_in_parallel())
    for (index_t item = 0; item < batch * blocks; ++item) {
      const index_t b = item / blocks;
      index_t c0, c1;
      detail::column_block(g.out, item % blocks, blocks, c0, c1);
      T* yb = y.data() + b * cout * g.out;
      const T* xb = x.data() + b * cin * g.in;
      for (index_t o = 0; o < cout; ++o)
        std::fill(yb + o * g.out + c0, yb + o * g.out + c1, bias_.empty() ? T(0) : bias_[std::size_t(o)]);
      for (index_t k = 0; k < taps; ++k) {
        index_t lo, hi;
        g.valid_range(k, lo, hi);
        lo = std::max(lo, c0), hi = std::min(hi, c1);
        if (hi <= lo) continue;
        const index_t off = k * c_.dilation - g.pad;
        backend_ops<cpu>::gemm(transpose::no, transpose::no, cout, hi - lo, cin, T(1), wk + k * cout * cin, cin,
                               xb + lo + off, g.in, T(1), yb + lo, g.out);
      }
    }
  }
  void backward_shifted(tensor_view<const T, 3> x, tensor_view<const T, 3> dy, T* dx, const detail::axis_geometry& g) {
    const index_t cout = c_.out_channels, cin = c_.in_channels, taps = c_.kernel_size, batch = x.extent(0);
    pack_taps();
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
        const T* xb = x.data() + b * cin * g.in;
        const T* db = dy.data() + b * cout * g.out;
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
          const index_t off = k * c_.dilation - g.pad;
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
        const T* db = dy.data() + b * cout * g.out;
        T* dxb = dx + b * cin * g.in;
        for (index_t i = 0; i < cin; ++i) std::fill(dxb + i * g.in + d0, dxb + i * g.in + d1, T(0));
        for (index_t k = 0; k < taps; ++k) {
          index_t lo, hi;
          g.valid_range(k, lo, hi);
          const index_t off = k * c_.dilation - g.pad;  // output t reads input t + off
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
    for (index_t item = 0; item < witems; ++item) {
      const T* part = partial_.data() + item * wsize;
      for (index_t j = 0; j < wsize; ++j) gk[j] += part[j];
    }
    for (index_t o = 0; o < cout; ++o)
      for (index_t i = 0; i < cin; ++i)
        for (index_t k = 0; k < taps; ++k) weight_grad_[std::size_t((o * cin + i) * taps + k)] += gk[(k * cout + o) * cin + i];
  }

  // A 1x1 convolution over long sequences (WaveNet's residual, skip, conditioning and output
  // layers): per sample it is Y[b] = W X[b] + bias with X[b], Y[b] already [channels, length]
  // matrices, so the GEMMs read and write the tensors in place, with no channel-major copies.
  bool use_per_sample_pointwise(const detail::axis_geometry& g) const {
    // Only when each per-sample product is big enough to split across threads (see conv2d::per_sample).
    return is_pointwise() && detail::column_blocks(c_.out_channels, g.out, c_.in_channels) > 1;
  }
  void forward_pointwise(tensor_view<const T, 3> x, tensor_view<T, 3> y, const detail::axis_geometry& g) {
    const index_t cout = c_.out_channels, cin = c_.in_channels, L = g.out;
    for (index_t b = 0; b < x.extent(0); ++b) {
      T* yb = y.data() + b * cout * L;
      detail::fill_with_bias(yb, cout, L, bias_);
      detail::gemm_by_columns(transpose::no, cout, L, cin, T(1), weight_.data(), cin, x.data() + b * cin * L, L, T(1), yb, L);
    }
  }
  void backward_pointwise(tensor_view<const T, 3> x, tensor_view<const T, 3> dy, T* dx, const detail::axis_geometry& g) {
    const index_t cout = c_.out_channels, cin = c_.in_channels, L = g.out;
    for (index_t b = 0; b < x.extent(0); ++b) {
      const T* db = dy.data() + b * cout * L;
      // dW[out, in] += dY[b][out, t] X[b][in, t]^T
      detail::gemm_nt_accumulate(cout, cin, L, db, L, x.data() + b * cin * L, L, weight_grad_.data(), cin, partial_);
      if (dx) detail::gemm_by_columns(transpose::yes, cin, L, cout, T(1), weight_.data(), cin, db, L, T(0), dx + b * cin * L, L);
    }
  }

  bool is_pointwise() const { return c_.kernel_size == 1 && c_.stride == 1 && pad_left() == 0 && pad_right() == 0; }
  detail::axis_geometry geometry(index_t in_len, index_t out_len) const {
    return {in_len, c_.kernel_size, c_.stride, pad_left(), c_.dilation, out_len};
  }
  // The chunk's im2col matrix [(in, k), (b, t)]; a pointwise conv's is the input in channel-major order,
  // and for a single sample that is the input itself.
  const T* columns(const T* x, index_t nb, const detail::axis_geometry& g) {
    if (is_pointwise() && nb == 1) return x;
    T* cols = col_.get(c_.in_channels * c_.kernel_size * nb * g.out);
    if (is_pointwise()) detail::to_channel_major(x, nb, c_.in_channels, g.in, cols);
    else detail::im2col_1d(x, nb, c_.in_channels, g, cols);
    return cols;
  }
  void require_contiguous(const tensor_view<const T, 3>& a, const tensor_view<const T, 3>& b) const {
    if (!a.is_contiguous() || !b.is_contiguous()) throw shape_error(describe() + ": tensors must be contiguous");
  }

  conv1d_config c_;
  std::vector<T> weight_, weight_grad_, bias_, bias_grad_;
  std::vector<T> partial_;  // per-thread weight-gradient sums
  detail::workspace<T> col_, gemm_out_, packed_, packed_grad_;
};

// WaveNet's dilated causal convolution: causal_conv1d<float, 64, 128, 2, 512>.
template <class T, index_t In = dyn, index_t Out = dyn, index_t K = dyn, index_t D = 1>
using causal_conv1d = conv1d<T, In, Out, K, 1, 0, D, true>;

}  // namespace cantus::nn
