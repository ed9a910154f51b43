#pragma once
// flatten: [batch, ...] -> [batch, product of the rest] (torch.nn.Flatten()).
// reshape: [batch, ...] -> [batch, Dims...] with the element count per sample kept
// (reshape<float, cpu, static_shape<128, 16>> turns the step-VAE's [batch, 2048] back into [batch, 128, 16]).
// Both copy (outputs are separate buffers in a sequential) and pass gradients straight back.
#include <string>

#include "cantus/nn/layer.hpp"

namespace cantus::nn {

template <class T, class B = cpu, std::size_t Rank = any_rank>
class flatten : public stateless_layer<T, B> {
 public:
  static constexpr std::size_t in_rank = Rank, out_rank = 2;
  template <std::size_t R>
  using with_input_rank = flatten<T, B, R>;
  static constexpr shape_t<Rank> static_input_shape = all_dyn<Rank>();
  static constexpr shape_t<2> static_output_shape(const shape_t<Rank>& in) {
    index_t n = 1;
    for (std::size_t d = 1; d < Rank; ++d) n = (in[d] == dyn || n == dyn) ? dyn : n * in[d];
    return {in[0], n};
  }

  flatten() = default;
  template <std::size_t R2>
  explicit flatten(const flatten<T, B, R2>&) {}

  shape_t<2> output_shape(const shape_t<Rank>& in) const {
    index_t n = 1;
    for (std::size_t d = 1; d < Rank; ++d) n *= in[d];
    return {in[0], n};
  }
  void forward(tensor_view<const T, Rank, B> x, tensor_view<T, 2, B> y, bool) {
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    backend_ops<B>::copy(y.data(), x.data(), static_cast<std::size_t>(x.size()));
  }
  void backward(tensor_view<const T, Rank, B> x, tensor_view<const T, 2, B> y, tensor_view<const T, 2, B> dy,
                tensor_view<T, Rank, B> dx) {
    if (dx.data() == nullptr) return;
    check_buffer_shape(describe(), "output gradient", y.shape(), dy.shape());
    check_buffer_shape(describe(), "input gradient", x.shape(), dx.shape());
    backend_ops<B>::copy(dx.data(), dy.data(), static_cast<std::size_t>(dy.size()));
  }
  std::string name() const { return "flatten"; }
  std::string describe() const { return "flatten"; }
};

template <class T, class B, class Shape, std::size_t Rank = any_rank>
class reshape;

template <class T, class B, index_t... Dims, std::size_t Rank>
class reshape<T, B, static_shape<Dims...>, Rank> : public stateless_layer<T, B> {
  static_assert(((Dims > 0) && ...), "nn::reshape: every target extent must be a positive constant");

 public:
  static constexpr std::size_t in_rank = Rank, out_rank = 1 + sizeof...(Dims);
  static constexpr index_t per_sample = (Dims * ...);
  template <std::size_t R>
  using with_input_rank = reshape<T, B, static_shape<Dims...>, R>;
  static constexpr shape_t<Rank> static_input_shape = all_dyn<Rank>();
  static constexpr shape_t<out_rank> static_output_shape(const shape_t<Rank>& in) {
    index_t n = 1;
    for (std::size_t d = 1; d < Rank; ++d) n = (in[d] == dyn || n == dyn) ? dyn : n * in[d];
    if (n != dyn && n != per_sample) {
      shape_t<out_rank> bad{};
      for (auto& d : bad) d = shape_mismatch;
      return bad;
    }
    return {in[0], Dims...};
  }

  reshape() = default;
  template <std::size_t R2>
  explicit reshape(const reshape<T, B, static_shape<Dims...>, R2>&) {}

  shape_t<out_rank> output_shape(const shape_t<Rank>& in) const {
    index_t n = 1;
    for (std::size_t d = 1; d < Rank; ++d) n *= in[d];
    if (n != per_sample)
      throw shape_error(detail::concat(describe(), ": input expected ", per_sample,
                                       " elements per sample but found shape ", shape_string(in)));
    return {in[0], Dims...};
  }
  void forward(tensor_view<const T, Rank, B> x, tensor_view<T, out_rank, B> y, bool) {
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    backend_ops<B>::copy(y.data(), x.data(), static_cast<std::size_t>(x.size()));
  }
  void backward(tensor_view<const T, Rank, B> x, tensor_view<const T, out_rank, B> y,
                tensor_view<const T, out_rank, B> dy, tensor_view<T, Rank, B> dx) {
    if (dx.data() == nullptr) return;
    check_buffer_shape(describe(), "output gradient", y.shape(), dy.shape());
    check_buffer_shape(describe(), "input gradient", x.shape(), dx.shape());
    backend_ops<B>::copy(dx.data(), dy.data(), static_cast<std::size_t>(dy.size()));
  }
  std::string name() const { return "reshape"; }
  std::string describe() const { return "reshape(" + shape_string(std::array<index_t, sizeof...(Dims)>{Dims...}) + ")"; }
};

}  // namespace cantus::nn
