#pragma once
// linear: torch.nn.Linear, y = x W^T + b over the last dimension. Rank 2 ([batch, features]) by
// default; linear<T, In, Out, 3> applies the same weights at every step of [batch, time, features].
// Weight [out, in], bias [out].
#include <string>
#include <vector>

#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/nn/init.hpp"
#include "cantus/nn/layer.hpp"
#include "cantus/nn/layers/im2col.hpp"

namespace cantus::nn {

struct linear_config {
  index_t in_features = dyn, out_features = dyn;
  bool bias = true;
};

template <class T, index_t In = dyn, index_t Out = dyn, std::size_t Rank = 2>
class linear {
  static_assert(Rank >= 2, "nn::linear: input rank must be at least 2 ([batch, ..., features])");

 public:
  using value_type = T;
  static constexpr std::size_t in_rank = Rank, out_rank = Rank;
  static constexpr bool is_static = In != dyn && Out != dyn;
  static constexpr shape_t<Rank> static_input_shape = [] {
    auto s = all_dyn<Rank>();
    s[Rank - 1] = In;
    return s;
  }();
  static constexpr shape_t<Rank> static_output_shape(const shape_t<Rank>& in) {
    auto s = in;
    if (In != dyn && in[Rank - 1] != dyn && in[Rank - 1] != In)
      for (auto& d : s) d = shape_mismatch;
    else
      s[Rank - 1] = Out;
    return s;
  }

  linear() requires is_static : linear(linear_config{In, Out, true}) {}
  explicit linear(const linear_config& c) : c_(c) {
    if (is_static && (c.in_features != In || c.out_features != Out))
      throw_value_error(describe(), ": the config contradicts the sizes fixed by the type");
    if (c.in_features <= 0 || c.out_features <= 0)
      throw_value_error(describe(), ": in_features and out_features must be positive");
    weight_.assign(static_cast<std::size_t>(c.in_features * c.out_features), T(0));
    weight_grad_.assign(weight_.size(), T(0));
    if (c.bias) {
      bias_.assign(static_cast<std::size_t>(c.out_features), T(0));
      bias_grad_.assign(bias_.size(), T(0));
    }
    init(random_stream(0));
  }

  const linear_config& config() const { return c_; }

  shape_t<Rank> output_shape(const shape_t<Rank>& in) const {
    auto e = all_dyn<Rank>();
    e[Rank - 1] = c_.in_features;
    check_input_shape(describe(), e, in);
    auto s = in;
    s[Rank - 1] = c_.out_features;
    return s;
  }

  void forward(tensor_view<const T, Rank> x, tensor_view<T, Rank> y, bool /*training*/) {
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    require_contiguous(x, y);
    const index_t rows = x.size() / c_.in_features, in = c_.in_features, out = c_.out_features;
    if (!bias_.empty()) {
      for (index_t r = 0; r < rows; ++r) std::copy(bias_.begin(), bias_.end(), y.data() + r * out);
    }
    detail::gemm_by_rows(transpose::yes, rows, out, in, T(1), x.data(), in, weight_.data(), in,
                         bias_.empty() ? T(0) : T(1), y.data(), out);
  }

  void backward(tensor_view<const T, Rank> x, tensor_view<const T, Rank> y, tensor_view<const T, Rank> dy,
                tensor_view<T, Rank> dx) {
    check_buffer_shape(describe(), "output gradient", y.shape(), dy.shape());
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    require_contiguous(x, dy);
    const index_t rows = x.size() / c_.in_features, in = c_.in_features, out = c_.out_features;
    detail::gemm_tn_accumulate(out, in, rows, dy.data(), out, x.data(), in, weight_grad_.data(), in, partial_);
    if (!bias_.empty())
      for (index_t r = 0; r < rows; ++r) {
        const T* d = dy.data() + r * out;
        for (index_t j = 0; j < out; ++j) bias_grad_[static_cast<std::size_t>(j)] += d[j];
      }
    if (dx.data() == nullptr) return;
    check_buffer_shape(describe(), "input gradient", x.shape(), dx.shape());
    detail::gemm_by_rows(transpose::no, rows, in, out, T(1), dy.data(), out, weight_.data(), in, T(0), dx.data(), in);
  }

  void parameters(parameter_list<T>& out, const std::string& prefix) {
    add_parameter<T>(out, prefix, "weight", weight_.data(), weight_grad_.data(), {c_.out_features, c_.in_features});
    if (!bias_.empty()) add_parameter<T>(out, prefix, "bias", bias_.data(), bias_grad_.data(), {c_.out_features});
  }
  void buffers(parameter_list<T>&, const std::string&) {}
  void init(random_stream rng) {
    init::default_weight(tensor_view<T, 1>(weight_.data(), {index_t(weight_.size())}), c_.in_features, rng.split(0));
    if (!bias_.empty())
      init::default_bias(tensor_view<T, 1>(bias_.data(), {index_t(bias_.size())}), c_.in_features, rng.split(1));
  }

  std::string name() const { return "linear"; }
  std::string describe() const {
    return detail::concat("linear(", c_.in_features, "->", c_.out_features, c_.bias ? "" : ", bias=false", ")");
  }

 private:
  void require_contiguous(const tensor_view<const T, Rank>& a, const tensor_view<const T, Rank>& b) const {
    if (!a.is_contiguous() || !b.is_contiguous()) throw shape_error(describe() + ": tensors must be contiguous");
  }
  linear_config c_;
  std::vector<T> weight_, weight_grad_, bias_, bias_grad_;
  std::vector<T> partial_;  // per-block weight-gradient sums
};

}  // namespace cantus::nn
