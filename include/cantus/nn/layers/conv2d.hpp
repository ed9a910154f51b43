#pragma once
// conv2d: torch.nn.Conv2d over [batch, channels, height, width] (stride, padding, dilation, bias).
// Static form: conv2d<float, 1, 32, 3, 1, 1> (in, out, square kernel, stride, padding, dilation = 1);
// dynamic form: conv2d<float>(conv2d_config{...}) with separate height/width values.
// Weight [out, in, kh, kw], bias [out]. im2col over a chunk of samples + one GEMM.
#include <array>
#include <string>
#include <vector>

#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/nn/init.hpp"
#include "cantus/nn/layer.hpp"
#include "cantus/backend/cpu/nn/im2col.hpp"

namespace cantus::nn {

struct conv2d_config {
  index_t in_channels = dyn, out_channels = dyn;
  std::array<index_t, 2> kernel_size{dyn, dyn}, stride{1, 1}, padding{0, 0}, dilation{1, 1};
  bool bias = true;
};

template <class T, index_t In = dyn, index_t Out = dyn, index_t K = dyn, index_t S = 1, index_t P = 0, index_t D = 1>
class conv2d {
 public:
  using value_type = T;
  static constexpr std::size_t in_rank = 4, out_rank = 4;
  static constexpr bool is_static = In != dyn && Out != dyn && K != dyn;
  static constexpr shape_t<4> static_input_shape{dyn, In, dyn, dyn};
  static constexpr shape_t<4> static_output_shape(const shape_t<4>& in) {
    if (In != dyn && in[1] != dyn && in[1] != In) return {shape_mismatch, shape_mismatch, shape_mismatch, shape_mismatch};
    auto out = [](index_t n) {
      if (n == dyn || K == dyn) return dyn;
      const index_t span = n + 2 * P - D * (K - 1) - 1;
      return span < 0 ? shape_mismatch : span / S + 1;
    };
    return {in[0], Out, out(in[2]), out(in[3])};
  }

  conv2d() requires is_static : conv2d(conv2d_config{In, Out, {K, K}, {S, S}, {P, P}, {D, D}, true}) {}
  explicit conv2d(const conv2d_config& c) : c_(c) {
    if (is_static && (c.in_channels != In || c.out_channels != Out || c.kernel_size != std::array<index_t, 2>{K, K} ||
                      c.stride != std::array<index_t, 2>{S, S} || c.padding != std::array<index_t, 2>{P, P} ||
                      c.dilation != std::array<index_t, 2>{D, D}))
      throw_value_error(describe(), ": the config contradicts the sizes fixed by the type");
    bool ok = c.in_channels > 0 && c.out_channels > 0;
    for (int a = 0; a < 2; ++a)
      ok = ok && c.kernel_size[a] > 0 && c.stride[a] > 0 && c.dilation[a] > 0 && c.padding[a] >= 0;
    if (!ok)
      throw_value_error(describe(), ": channels, kernel_size, stride and dilation must be positive, padding "
                                    "non-negative");
    weight_.assign(static_cast<std::size_t>(c.out_channels * rows()), T(0));
    weight_grad_.assign(weight_.size(), T(0));
    if (c.bias) {
      bias_.assign(static_cast<std::size_t>(c.out_channels), T(0));
      bias_grad_.assign(bias_.size(), T(0));
    }
    init(random_stream(0));
  }

  const conv2d_config& config() const { return c_; }

  shape_t<4> output_shape(const shape_t<4>& in) const {
    check_input_shape(describe(), shape_t<4>{dyn, c_.in_channels, dyn, dyn}, in);
    index_t o[2];
    for (int a = 0; a < 2; ++a) {
      const index_t span = in[2 + a] + 2 * c_.padding[a] - c_.dilation[a] * (c_.kernel_size[a] - 1) - 1;
      if (span < 0)
        throw shape_error(detail::concat(describe(), ": input shape ", shape_string(in),
                                         " is smaller than the dilated kernel after padding"));
      o[a] = span / c_.stride[a] + 1;
    }
    return {in[0], c_.out_channels, o[0], o[1]};
  }

  void forward(tensor_view<const T, 4> x, tensor_view<T, 4> y, bool /*training*/) {
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    require_contiguous(x, y);
    const index_t batch = x.extent(0), cin = c_.in_channels, cout = c_.out_channels, r = rows();
    const auto [gh, gw] = geometry(x.shape(), y.shape());
    const index_t plane_in = gh.in * gw.in, plane_out = gh.out * gw.out;
    const index_t chunk = detail::samples_per_chunk(batch, std::max(r, cout) * plane_out);
    if (per_sample(plane_out)) {
      // Y[b] = W cols(X[b]) + bias, written in place: Y[b] is already a [cout, plane] matrix.
      T* cols = col_.get(r * plane_out);
      for (index_t b = 0; b < batch; ++b) {
        detail::im2col_2d(x.data() + b * cin * plane_in, 1, cin, gh, gw, cols);
        T* yb = y.data() + b * cout * plane_out;
        detail::fill_with_bias(yb, cout, plane_out, bias_);
        detail::gemm_by_columns(transpose::no, cout, plane_out, r, T(1), weight_.data(), r, cols, plane_out, T(1), yb,
                                plane_out);
      }
      return;
    }
    T* gbuf = gemm_out_.get(cout * chunk * plane_out);
    for (index_t b0 = 0; b0 < batch; b0 += chunk) {
      const index_t nb = std::min(chunk, batch - b0), n = nb * plane_out;
      T* cols = col_.get(r * n);
      detail::im2col_2d(x.data() + b0 * cin * plane_in, nb, cin, gh, gw, cols);
      detail::gemm_by_columns(transpose::no, cout, n, r, T(1), weight_.data(), r, cols, n, T(0), gbuf, n);
      detail::from_channel_major(gbuf, nb, cout, plane_out, bias_.empty() ? nullptr : bias_.data(),
                                 y.data() + b0 * cout * plane_out);
    }
  }

  void backward(tensor_view<const T, 4> x, tensor_view<const T, 4> y, tensor_view<const T, 4> dy,
                tensor_view<T, 4> dx) {
    check_buffer_shape(describe(), "output gradient", y.shape(), dy.shape());
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    const bool want_dx = dx.data() != nullptr;
    if (want_dx) check_buffer_shape(describe(), "input gradient", x.shape(), dx.shape());
    require_contiguous(x, dy);
    const index_t batch = x.extent(0), cin = c_.in_channels, cout = c_.out_channels, r = rows();
    const auto [gh, gw] = geometry(x.shape(), y.shape());
    const index_t plane_in = gh.in * gw.in, plane_out = gh.out * gw.out;
    const index_t chunk = detail::samples_per_chunk(batch, std::max(r, cout) * plane_out);
    if (!bias_.empty()) detail::accumulate_bias_grad(dy.data(), batch, cout, plane_out, bias_grad_.data());
    if (per_sample(plane_out)) {
      T* cols = col_.get(r * plane_out);
      T* dcols = want_dx ? gemm_out_.get(r * plane_out) : nullptr;
      for (index_t b = 0; b < batch; ++b) {
        const T* db = dy.data() + b * cout * plane_out;
        detail::im2col_2d(x.data() + b * cin * plane_in, 1, cin, gh, gw, cols);
        detail::gemm_nt_accumulate(cout, r, plane_out, db, plane_out, cols, plane_out, weight_grad_.data(), r, partial_);
        if (!want_dx) continue;
        detail::gemm_by_columns(transpose::yes, r, plane_out, cout, T(1), weight_.data(), r, db, plane_out, T(0), dcols,
                                plane_out);
        T* dxb = dx.data() + b * cin * plane_in;
        std::fill(dxb, dxb + cin * plane_in, T(0));
        detail::col2im_add_2d(dcols, 1, cin, gh, gw, dxb);
      }
      return;
    }
    T* gbuf = gemm_out_.get(cout * chunk * plane_out);
    for (index_t b0 = 0; b0 < batch; b0 += chunk) {
      const index_t nb = std::min(chunk, batch - b0), n = nb * plane_out;
      detail::to_channel_major(dy.data() + b0 * cout * plane_out, nb, cout, plane_out, gbuf);
      T* cols = col_.get(r * n);
      detail::im2col_2d(x.data() + b0 * cin * plane_in, nb, cin, gh, gw, cols);
      detail::gemm_nt_accumulate(cout, r, n, gbuf, n, cols, n, weight_grad_.data(), r, partial_);
      if (!want_dx) continue;
      detail::gemm_by_columns(transpose::yes, r, n, cout, T(1), weight_.data(), r, gbuf, n, T(0), cols, n);
      T* dx_chunk = dx.data() + b0 * cin * plane_in;
      std::fill(dx_chunk, dx_chunk + nb * cin * plane_in, T(0));
      detail::col2im_add_2d(cols, nb, cin, gh, gw, dx_chunk);
    }
  }

  void parameters(parameter_list<T>& out, const std::string& prefix) {
    add_parameter<T>(out, prefix, "weight", weight_.data(), weight_grad_.data(),
                     {c_.out_channels, c_.in_channels, c_.kernel_size[0], c_.kernel_size[1]});
    if (!bias_.empty()) add_parameter<T>(out, prefix, "bias", bias_.data(), bias_grad_.data(), {c_.out_channels});
  }
  void buffers(parameter_list<T>&, const std::string&) {}
  void init(random_stream rng) {
    init::default_weight(tensor_view<T, 1>(weight_.data(), {index_t(weight_.size())}), rows(), rng.split(0));
    if (!bias_.empty()) init::default_bias(tensor_view<T, 1>(bias_.data(), {index_t(bias_.size())}), rows(), rng.split(1));
  }

  std::string name() const { return "conv2d"; }
  std::string describe() const {
    auto pair = [](const std::array<index_t, 2>& a) {
      return a[0] == a[1] ? std::to_string(a[0]) : detail::concat("(", a[0], ", ", a[1], ")");
    };
    auto s = detail::concat("conv2d(", c_.in_channels, "->", c_.out_channels, ", k=", pair(c_.kernel_size));
    if (c_.stride != std::array<index_t, 2>{1, 1}) s += ", s=" + pair(c_.stride);
    if (c_.padding != std::array<index_t, 2>{0, 0}) s += ", p=" + pair(c_.padding);
    if (c_.dilation != std::array<index_t, 2>{1, 1}) s += ", d=" + pair(c_.dilation);
    if (!c_.bias) s += ", bias=false";
    return s + ")";
  }

 private:
  index_t rows() const { return c_.in_channels * c_.kernel_size[0] * c_.kernel_size[1]; }
  std::pair<detail::axis_geometry, detail::axis_geometry> geometry(const shape_t<4>& in, const shape_t<4>& out) const {
    return {{in[2], c_.kernel_size[0], c_.stride[0], c_.padding[0], c_.dilation[0], out[2]},
            {in[3], c_.kernel_size[1], c_.stride[1], c_.padding[1], c_.dilation[1], out[3]}};
  }
  void require_contiguous(const tensor_view<const T, 4>& a, const tensor_view<const T, 4>& b) const {
    if (!a.is_contiguous() || !b.is_contiguous()) throw shape_error(describe() + ": tensors must be contiguous");
  }

  conv2d_config c_;
  std::vector<T> weight_, weight_grad_, bias_, bias_grad_;
  std::vector<T> partial_;  // per-thread weight-gradient sums
  // Samples with large output planes run one at a time: the GEMMs then read dY and write Y in their
  // own [channels, plane] layout, with no channel-major copies. Only when each per-sample product is
  // big enough to be split into column blocks across threads; smaller ones are batched over samples.
  bool per_sample(index_t plane_out) const {
    return detail::column_blocks(c_.out_channels, plane_out, rows()) > 1;
  }

  detail::workspace<T> col_, gemm_out_;
};

}  // namespace cantus::nn
