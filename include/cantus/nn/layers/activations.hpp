#pragma once
// Element-wise activations (relu, leaky_relu, tanh, sigmoid) and WaveNet's gated unit
// tanh(a) * sigmoid(b) over a channel split. All are rank-polymorphic: relu<float> takes the rank
// of its predecessor in a sequential; on its own write relu<float, cpu, 3>. Forward passes are a
// backend_ops<B>::map of the kind's functor; the rest is nn::tt::activations<T, B>.
#include <cmath>
#include <string>

#include "cantus/base/functors.hpp"
#include "cantus/nn/layer.hpp"
#include "cantus/nn/tt/activations.hpp"

namespace cantus::nn {

namespace activation_kind {
// Each kind: the forward functor (run through the backend's SIMD tables where it has them) and the
// derivative written from the input x and the output y, whichever is cheaper.
struct relu {
  static constexpr const char* name = "relu";
  ops::relu forward_op() const { return {}; }
  template <class T> CANTUS_HD T grad(T /*x*/, T y) const { return y > T(0) ? T(1) : T(0); }
  std::string describe() const { return "relu"; }
};
template <class T>
struct leaky_relu {
  T negative_slope = T(0.01);
  static constexpr const char* name = "leaky_relu";
  ops::leaky_relu<T> forward_op() const { return {negative_slope}; }
  CANTUS_HD T grad(T x, T /*y*/) const { return x > T(0) ? T(1) : negative_slope; }
  std::string describe() const { return detail::concat("leaky_relu(", negative_slope, ")"); }
};
struct tanh {
  static constexpr const char* name = "tanh";
  ops::tanh_fn forward_op() const { return {}; }
  template <class T> CANTUS_HD T grad(T /*x*/, T y) const { return T(1) - y * y; }
  std::string describe() const { return "tanh"; }
};
struct sigmoid {
  static constexpr const char* name = "sigmoid";
  ops::sigmoid forward_op() const { return {}; }
  template <class T> CANTUS_HD T grad(T /*x*/, T y) const { return y * (T(1) - y); }
  std::string describe() const { return "sigmoid"; }
};
}  // namespace activation_kind

template <class T, class Kind, class B = cpu, std::size_t Rank = any_rank>
class activation : public stateless_layer<T, B> {
 public:
  static constexpr std::size_t in_rank = Rank, out_rank = Rank;
  template <std::size_t R>
  using with_input_rank = activation<T, Kind, B, R>;
  static constexpr shape_t<Rank> static_input_shape = all_dyn<Rank>();
  static constexpr shape_t<Rank> static_output_shape(const shape_t<Rank>& in) { return in; }

  activation() = default;
  explicit activation(Kind k) : kind_(k) {}
  template <class K2, std::size_t R2>
  explicit activation(const activation<T, K2, B, R2>& other) requires std::is_same_v<K2, Kind> : kind_(other.kind()) {}

  const Kind& kind() const { return kind_; }
  shape_t<Rank> output_shape(const shape_t<Rank>& in) const { return in; }

  void forward(tensor_view<const T, Rank, B> x, tensor_view<T, Rank, B> y, bool /*training*/) {
    check_buffer_shape(describe(), "output", x.shape(), y.shape());
    require_contiguous(describe(), x, y);
    backend_ops<B>::map(x.data(), y.data(), static_cast<std::size_t>(x.size()), kind_.forward_op());
  }
  void backward(tensor_view<const T, Rank, B> x, tensor_view<const T, Rank, B> y, tensor_view<const T, Rank, B> dy,
                tensor_view<T, Rank, B> dx) {
    if (dx.data() == nullptr) return;
    check_buffer_shape(describe(), "output gradient", x.shape(), dy.shape());
    check_buffer_shape(describe(), "input gradient", x.shape(), dx.shape());
    tt::activations<T, B>::backward(kind_, x.size(), x.data(), y.data(), dy.data(), dx.data());
  }

  std::string name() const { return Kind::name; }
  std::string describe() const { return kind_.describe(); }

 private:
  Kind kind_{};
};

template <class T, class B = cpu, std::size_t Rank = any_rank>
using relu = activation<T, activation_kind::relu, B, Rank>;
template <class T, class B = cpu, std::size_t Rank = any_rank>
using leaky_relu = activation<T, activation_kind::leaky_relu<T>, B, Rank>;
template <class T, class B = cpu, std::size_t Rank = any_rank>
using tanh = activation<T, activation_kind::tanh, B, Rank>;
template <class T, class B = cpu, std::size_t Rank = any_rank>
using sigmoid = activation<T, activation_kind::sigmoid, B, Rank>;

// WaveNet's gated activation unit: x [batch, 2C, ...] -> tanh(x[:, :C]) * sigmoid(x[:, C:]) [batch, C, ...]
// (the filter half first, the gate half second, as torch.chunk(x, 2, dim=1) splits it).
template <class T, class B = cpu, std::size_t Rank = any_rank>
class gated_activation : public stateless_layer<T, B> {
 public:
  static constexpr std::size_t in_rank = Rank, out_rank = Rank;
  template <std::size_t R>
  using with_input_rank = gated_activation<T, B, R>;
  static constexpr shape_t<Rank> static_input_shape = all_dyn<Rank>();
  static constexpr shape_t<Rank> static_output_shape(const shape_t<Rank>& in) {
    auto s = in;
    if (in[1] != dyn) s[1] = in[1] % 2 ? shape_mismatch : in[1] / 2;
    return s;
  }

  shape_t<Rank> output_shape(const shape_t<Rank>& in) const {
    static_assert(Rank >= 2, "gated_activation: input needs a channel dimension: [batch, 2 * channels, ...]");
    if (in[1] % 2 != 0)
      throw shape_error(detail::concat(describe(), ": input expected an even number of channels (filter and gate "
                                                   "halves) but found shape ",
                                       shape_string(in)));
    auto s = in;
    s[1] /= 2;
    return s;
  }

  // Both halves are kept for backward.
  void forward(tensor_view<const T, Rank, B> x, tensor_view<T, Rank, B> y, bool /*training*/) {
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    require_contiguous(describe(), x, y);
    const index_t batch = x.extent(0), half = y.size() / std::max<index_t>(batch, 1);
    if (tanh_a_.size() != y.size()) tanh_a_ = tensor<T, 1, B>({y.size()}), sigmoid_b_ = tensor<T, 1, B>({y.size()});
    tt::activations<T, B>::gated_forward(batch, half, x.data(), tanh_a_.data(), sigmoid_b_.data(), y.data());
    cached_shape_ = x.shape();
    cached_data_ = x.data();
  }
  void backward(tensor_view<const T, Rank, B> x, tensor_view<const T, Rank, B> y, tensor_view<const T, Rank, B> dy,
                tensor_view<T, Rank, B> dx) {
    if (dx.data() == nullptr) return;
    check_buffer_shape(describe(), "output gradient", y.shape(), dy.shape());
    check_buffer_shape(describe(), "input gradient", x.shape(), dx.shape());
    if (x.shape() != cached_shape_ || x.data() != cached_data_)
      throw value_error(describe() + ": backward() must follow forward() on the same input");
    const index_t batch = x.extent(0), half = y.size() / std::max<index_t>(batch, 1);
    tt::activations<T, B>::gated_backward(batch, half, tanh_a_.data(), sigmoid_b_.data(), dy.data(), dx.data());
  }

  std::string name() const { return "gated_activation"; }
  std::string describe() const { return "gated_activation(tanh*sigmoid)"; }

 private:
  tensor<T, 1, B> tanh_a_, sigmoid_b_;
  shape_t<Rank> cached_shape_{};
  const T* cached_data_ = nullptr;
};

}  // namespace cantus::nn
