#pragma once
// linear: torch.nn.Linear, y = x W^T + b over the last dimension. Rank 2 ([batch, features]) by
// default; linear<T, B, In, Out, 3> applies the same weights at every step of [batch, time, features].
// Weight [out, in], bias [out].
#include <string>
#include <vector>

#include "cantus/nn/init.hpp"
#include "cantus/nn/layer.hpp"
#include "cantus/nn/tt/linear.hpp"

namespace cantus::nn {

struct linear_config {
  index_t in_features = dyn, out_features = dyn;
  bool bias = true;
};

template <class T, class B = cpu, index_t In = dyn, index_t Out = dyn, std::size_t Rank = 2>
class linear {
  static_assert(Rank >= 2, "nn::linear: input rank must be at least 2 ([batch, ..., features])");

 public:
  using value_type = T;
  using backend_type = B;
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
    weight_ = trainable<T, B>(c.in_features * c.out_features);
    if (c.bias) bias_ = trainable<T, B>(c.out_features);
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

  void forward(tensor_view<const T, Rank, B> x, tensor_view<T, Rank, B> y, bool /*training*/) {
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    require_contiguous(describe(), x, y);
    kernel_.forward(x.size() / c_.in_features, c_.in_features, c_.out_features, x.data(), weight_.data(), bias_.data(),
                    y.data());
  }

  void backward(tensor_view<const T, Rank, B> x, tensor_view<const T, Rank, B> y, tensor_view<const T, Rank, B> dy,
                tensor_view<T, Rank, B> dx) {
    check_buffer_shape(describe(), "output gradient", y.shape(), dy.shape());
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    require_contiguous(describe(), x, dy);
    if (dx.data() != nullptr) check_buffer_shape(describe(), "input gradient", x.shape(), dx.shape());
    kernel_.backward(x.size() / c_.in_features, c_.in_features, c_.out_features, x.data(), weight_.data(), dy.data(),
                     weight_.grad_data(), bias_.grad_data(), dx.data());
  }

  void parameters(parameter_list<T, B>& out, const std::string& prefix) {
    add_parameter(out, prefix, "weight", weight_, {c_.out_features, c_.in_features});
    add_parameter(out, prefix, "bias", bias_, {c_.out_features});
  }
  void buffers(parameter_list<T, B>&, const std::string&) {}
  void init(random_stream rng) {
    weight_.set_from_host([&](tensor_view<T, 1> w) { init::default_weight(w, c_.in_features, rng.split(0)); });
    bias_.set_from_host([&](tensor_view<T, 1> b) { init::default_bias(b, c_.in_features, rng.split(1)); });
  }

  std::string name() const { return "linear"; }
  std::string describe() const {
    return detail::concat("linear(", c_.in_features, "->", c_.out_features, c_.bias ? "" : ", bias=false", ")");
  }

 private:
  linear_config c_;
  trainable<T, B> weight_, bias_;
  tt::linear<T, B> kernel_;
};

}  // namespace cantus::nn
