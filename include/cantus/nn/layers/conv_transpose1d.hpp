#pragma once
// conv_transpose1d: torch.nn.ConvTranspose1d over [batch, channels, length] (stride, padding,
// output_padding, dilation, bias). Output length
//   (L - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1.
// Weight [in, out, kernel] and bias [out] as in PyTorch.
//
// Static form: conv_transpose1d<float, 128, 64, 4, 2, 1> (in, out, kernel, stride, padding,
// output_padding = 0, dilation = 1); dynamic form: conv_transpose1d<float>(conv_transpose1d_config{...}).
//
// It is the adjoint of conv1d: forward = one GEMM W^T X into columns + col2im, backward = im2col of dy
// + two GEMMs.
#include <string>
#include <vector>

#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/nn/init.hpp"
#include "cantus/nn/layer.hpp"
#include "cantus/backend/cpu/nn/im2col.hpp"

namespace cantus::nn {

struct conv_transpose1d_config {
  index_t in_channels = dyn, out_channels = dyn, kernel_size = dyn;
  index_t stride = 1, padding = 0, output_padding = 0, dilation = 1;
  bool bias = true;
};

template <class T, index_t In = dyn, index_t Out = dyn, index_t K = dyn, index_t S = 1, index_t P = 0,
          index_t OP = 0, index_t D = 1>
class conv_transpose1d {
 public:
  using value_type = T;
  static constexpr std::size_t in_rank = 3, out_rank = 3;
  static constexpr bool is_static = In != dyn && Out != dyn && K != dyn;
  static constexpr shape_t<3> static_input_shape{dyn, In, dyn};

  static constexpr shape_t<3> static_output_shape(const shape_t<3>& in) {
    if (In != dyn && in[1] != dyn && in[1] != In) return {shape_mismatch, shape_mismatch, shape_mismatch};
    index_t len = dyn;
    if (K != dyn && in[2] != dyn) {
      len = (in[2] - 1) * S - 2 * P + D * (K - 1) + OP + 1;
      if (len <= 0) len = shape_mismatch;
    }
    return {in[0], Out, len};
  }

  conv_transpose1d() requires is_static : conv_transpose1d(conv_transpose1d_config{In, Out, K, S, P, OP, D, true}) {}
  explicit conv_transpose1d(const conv_transpose1d_config& c) : c_(c) {
    if (is_static && (c.in_channels != In || c.out_channels != Out || c.kernel_size != K || c.stride != S ||
                      c.padding != P || c.output_padding != OP || c.dilation != D))
      throw_value_error(describe(), ": the config contradicts the sizes fixed by the type");
    if (c.in_channels <= 0 || c.out_channels <= 0 || c.kernel_size <= 0 || c.stride <= 0 || c.dilation <= 0 ||
        c.padding < 0 || c.output_padding < 0)
      throw_value_error(describe(), ": channels, kernel_size, stride and dilation must be positive, paddings "
                                    "non-negative");
    if (c.output_padding >= c.stride && c.output_padding >= c.dilation)
      throw_value_error(describe(), ": output_padding must be smaller than stride or dilation (as in PyTorch)");
    weight_.assign(static_cast<std::size_t>(c.in_channels * c.out_channels * c.kernel_size), T(0));
    weight_grad_.assign(weight_.size(), T(0));
    if (c.bias) {
      bias_.assign(static_cast<std::size_t>(c.out_channels), T(0));
      bias_grad_.assign(bias_.size(), T(0));
    }
    init(random_stream(0));
  }

  const conv_transpose1d_config& config() const { return c_; }

  shape_t<3> output_shape(const shape_t<3>& in) const {
    check_input_shape(describe(), shape_t<3>{dyn, c_.in_channels, dyn}, in);
    const index_t len =
        (in[2] - 1) * c_.stride - 2 * c_.padding + c_.dilation * (c_.kernel_size - 1) + c_.output_padding + 1;
    if (in[2] <= 0 || len <= 0)
      throw shape_error(detail::concat(describe(), ": input shape ", shape_string(in),
                                       " gives a non-positive output length ", len));
    return {in[0], c_.out_channels, len};
  }

  void forward(tensor_view<const T, 3> x, tensor_view<T, 3> y, bool /*training*/) {
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    require_contiguous(x, y);
    const index_t batch = x.extent(0), cin = c_.in_channels, cout = c_.out_channels, rows = cout * c_.kernel_size;
    const auto g = geometry(x.extent(2), y.extent(2));  // the adjoint conv: y-length in, x-length out
    const index_t len = g.out, chunk = detail::samples_per_chunk(batch, std::max(rows, cin) * len);
    for (index_t b0 = 0; b0 < batch; b0 += chunk) {
      const index_t nb = std::min(chunk, batch - b0), n = nb * len;
      const T* xm = x.data() + b0 * cin * len;
      if (nb > 1) {
        T* m = in_cm_.get(cin * n);
        detail::to_channel_major(xm, nb, cin, len, m);
        xm = m;
      }
      T* cols = col_.get(rows * n);
      // cols[(out, k), n] = W[in, (out, k)]^T X[in, n]
      detail::gemm_by_columns(transpose::yes, rows, n, cin, T(1), weight_.data(), rows, xm, n, T(0), cols, n);
      T* yc = y.data() + b0 * cout * g.in;
      std::fill(yc, yc + nb * cout * g.in, T(0));
      detail::col2im_add_1d(cols, nb, cout, g, yc);
      if (!bias_.empty()) add_bias(yc, nb, g.in);
    }
  }

  void backward(tensor_view<const T, 3> x, tensor_view<const T, 3> y, tensor_view<const T, 3> dy,
                tensor_view<T, 3> dx) {
    check_buffer_shape(describe(), "output gradient", y.shape(), dy.shape());
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    const bool want_dx = dx.data() != nullptr;
    if (want_dx) check_buffer_shape(describe(), "input gradient", x.shape(), dx.shape());
    require_contiguous(x, dy);
    const index_t batch = x.extent(0), cin = c_.in_channels, cout = c_.out_channels, rows = cout * c_.kernel_size;
    const auto g = geometry(x.extent(2), y.extent(2));
    const index_t len = g.out, chunk = detail::samples_per_chunk(batch, std::max(rows, cin) * len);
    if (!bias_.empty()) detail::accumulate_bias_grad(dy.data(), batch, cout, g.in, bias_grad_.data());
    for (index_t b0 = 0; b0 < batch; b0 += chunk) {
      const index_t nb = std::min(chunk, batch - b0), n = nb * len;
      T* cols = col_.get(rows * n);
      detail::im2col_1d(dy.data() + b0 * cout * g.in, nb, cout, g, cols);
      const T* xm = x.data() + b0 * cin * len;
      if (nb > 1) {
        T* m = in_cm_.get(cin * n);
        detail::to_channel_major(xm, nb, cin, len, m);
        xm = m;
      }
      // dW[in, (out, k)] += X[in, n] cols[(out, k), n]^T
      detail::gemm_nt_accumulate(cin, rows, n, xm, n, cols, n, weight_grad_.data(), rows, partial_);
      if (!want_dx) continue;
      // dX[in, n] = W[in, (out, k)] cols
      T* dxm = dx_cm_.get(cin * n);
      detail::gemm_by_columns(transpose::no, cin, n, rows, T(1), weight_.data(), rows, cols, n, T(0), dxm, n);
      detail::from_channel_major<T>(dxm, nb, cin, len, nullptr, dx.data() + b0 * cin * len);
    }
  }

  void parameters(parameter_list<T>& out, const std::string& prefix) {
    add_parameter<T>(out, prefix, "weight", weight_.data(), weight_grad_.data(),
                     {c_.in_channels, c_.out_channels, c_.kernel_size});
    if (!bias_.empty()) add_parameter<T>(out, prefix, "bias", bias_.data(), bias_grad_.data(), {c_.out_channels});
  }
  void buffers(parameter_list<T>&, const std::string&) {}
  // PyTorch computes fan_in from weight.size(1) = out_channels for transposed convolutions.
  void init(random_stream rng) {
    const index_t fan_in = c_.out_channels * c_.kernel_size;
    init::default_weight(tensor_view<T, 1>(weight_.data(), {index_t(weight_.size())}), fan_in, rng.split(0));
    if (!bias_.empty()) init::default_bias(tensor_view<T, 1>(bias_.data(), {index_t(bias_.size())}), fan_in, rng.split(1));
  }

  std::string name() const { return "conv_transpose1d"; }
  std::string describe() const {
    auto s = detail::concat(name(), "(", c_.in_channels, "->", c_.out_channels, ", k=", c_.kernel_size);
    if (c_.stride != 1) s += detail::concat(", s=", c_.stride);
    if (c_.padding != 0) s += detail::concat(", p=", c_.padding);
    if (c_.output_padding != 0) s += detail::concat(", output_padding=", c_.output_padding);
    if (c_.dilation != 1) s += detail::concat(", d=", c_.dilation);
    if (!c_.bias) s += ", bias=false";
    return s + ")";
  }

 private:
  detail::axis_geometry geometry(index_t in_len, index_t out_len) const {
    return {out_len, c_.kernel_size, c_.stride, c_.padding, c_.dilation, in_len};
  }
  void add_bias(T* y, index_t nb, index_t len) const {
#pragma omp parallel for schedule(static) if (detail::worth_parallel(nb * c_.out_channels * len))
    for (index_t r = 0; r < nb * c_.out_channels; ++r) {
      const T b = bias_[static_cast<std::size_t>(r % c_.out_channels)];
      T* d = y + r * len;
      for (index_t t = 0; t < len; ++t) d[t] += b;
    }
  }
  void require_contiguous(const tensor_view<const T, 3>& a, const tensor_view<const T, 3>& b) const {
    if (!a.is_contiguous() || !b.is_contiguous()) throw shape_error(describe() + ": tensors must be contiguous");
  }

  conv_transpose1d_config c_;
  std::vector<T> weight_, weight_grad_, bias_, bias_grad_;
  std::vector<T> partial_;  // per-thread weight-gradient sums
  detail::workspace<T> col_, in_cm_, dx_cm_;
};

}  // namespace cantus::nn
