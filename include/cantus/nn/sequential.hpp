#pragma once
// nn::sequential<L0, L1, ...>: a flat compile-time chain of layers, itself a layer (nn/layer.hpp).
//
//   using encoder = nn::sequential<nn::conv1d<float, cpu, 1, 32, 4, 2, 1>, nn::relu<float>,
//                                  nn::conv1d<float, cpu, 32, 64, 4, 2, 1>, nn::relu<float>,
//                                  nn::flatten<float>, nn::linear<float, cpu, 2048, 100>>;
//
// - Every layer has the same element type and backend (checked); the chain is a layer on that backend.
// - Rank-polymorphic layers (relu<float>, flatten<float>, dropout<float>, ...) take the rank of their
//   predecessor; adjacent ranks that cannot meet fail a static_assert naming the position.
// - Static shapes propagate through the chain at compile time (`dyn` where data decides); an extent
//   known on both sides of a link that differs (conv1d<.., 32, 64, ..> after conv1d<.., 1, 16, ..>) is
//   a compile error. `accepts_static_input<Dims...>()` runs the same check for a partly known input
//   (static_assert(encoder::accepts_static_input<dyn, 1, 128>()) proves the linear's 2048 inputs).
// - forward() keeps every intermediate output for backward(); parameters() names them like
//   torch.nn.Sequential's state_dict ("0.weight", "2.bias"); summary() prints a torchinfo-like table.
// The layers live in a std::tuple and are walked with fold expressions over an index_sequence; only
// the rank resolution recurses, once per layer.
#include <cstdint>
#include <cstdio>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>

#include "cantus/nn/layer.hpp"

namespace cantus::nn {

namespace detail {
template <class L>
concept rank_polymorphic = requires { typename L::template with_input_rank<1>; } && (L::in_rank == any_rank);

template <class L, std::size_t PrevRank>
struct resolve_rank {
  using type = L;
};
template <rank_polymorphic L, std::size_t PrevRank>
struct resolve_rank<L, PrevRank> {
  using type = typename L::template with_input_rank<PrevRank>;
};

template <std::size_t PrevRank, class Done, class... Rest>
struct resolve_chain {
  using type = Done;
};
template <std::size_t PrevRank, class... Done, class L, class... Rest>
struct resolve_chain<PrevRank, std::tuple<Done...>, L, Rest...> {
  using resolved = typename resolve_rank<L, PrevRank>::type;
  using type = typename resolve_chain<resolved::out_rank, std::tuple<Done..., resolved>, Rest...>::type;
};

template <std::size_t R>
constexpr bool static_shape_valid(const shape_t<R>& s) {
  for (auto d : s)
    if (d == shape_mismatch) return false;
  return true;
}

// A layer given as written (relu<float>) becomes its resolved type (relu<float, cpu, 3>).
template <class Resolved, class Given>
Resolved convert_layer(Given&& g) {
  if constexpr (std::is_constructible_v<Resolved, Given&&>) return Resolved(std::forward<Given>(g));
  else return Resolved{};
}
}  // namespace detail

template <class... Given>
class sequential {
  static_assert(sizeof...(Given) >= 1, "nn::sequential: needs at least one layer");
  using first_given = std::tuple_element_t<0, std::tuple<Given...>>;
  static_assert(!detail::rank_polymorphic<first_given>,
                "nn::sequential: the first layer must fix the input rank (write e.g. relu<float, cpu, 3>)");

 public:
  using layers_type = typename detail::resolve_chain<first_given::in_rank, std::tuple<>, Given...>::type;
  static constexpr std::size_t size = sizeof...(Given);
  template <std::size_t I>
  using layer_type = std::tuple_element_t<I, layers_type>;
  using value_type = typename layer_type<0>::value_type;
  using backend_type = typename layer_type<0>::backend_type;
  using T = value_type;
  using B = backend_type;
  static constexpr std::size_t in_rank = layer_type<0>::in_rank;
  static constexpr std::size_t out_rank = layer_type<size - 1>::out_rank;

 private:
  template <std::size_t... I>
  static constexpr bool all_layers(std::index_sequence<I...>) {
    return (layer<layer_type<I>> && ...);
  }
  static_assert(all_layers(std::make_index_sequence<size>{}),
                "nn::sequential: every element must satisfy the nn::layer concept (see cantus/nn/layer.hpp)");
  template <std::size_t... I>
  static constexpr bool same_value_types(std::index_sequence<I...>) {
    return (std::is_same_v<typename layer_type<I>::value_type, T> && ...);
  }
  static_assert(same_value_types(std::make_index_sequence<size>{}),
                "nn::sequential: all layers must have the same element type");
  template <std::size_t... I>
  static constexpr bool same_backends(std::index_sequence<I...>) {
    return (std::is_same_v<typename layer_type<I>::backend_type, B> && ...);
  }
  static_assert(same_backends(std::make_index_sequence<size>{}),
                "nn::sequential: all layers must run on the same backend");

  // Static output shape after layer I, for an input whose known extents are `in`.
  template <std::size_t I>
  static constexpr auto shape_after(const shape_t<in_rank>& in) {
    using L = layer_type<I>;
    if constexpr (I == 0) {
      return L::static_output_shape(static_merge(in, L::static_input_shape));
    } else {
      const auto prev = shape_after<I - 1>(in);
      if (!static_compatible(L::static_input_shape, prev)) {
        auto bad = L::static_output_shape(L::static_input_shape);
        for (auto& d : bad) d = shape_mismatch;
        return bad;
      }
      return L::static_output_shape(static_merge(prev, L::static_input_shape));
    }
  }
  template <std::size_t I>
  static constexpr bool link_ok() {
    if constexpr (I == 0) {
      return detail::static_shape_valid(shape_after<0>(layer_type<0>::static_input_shape));
    } else {
      static_assert(layer_type<I>::in_rank == layer_type<I - 1>::out_rank,
                    "nn::sequential: layer I's input rank differs from layer I-1's output rank (see the "
                    "instantiation of link_ok<I> below for I)");
      return detail::static_shape_valid(shape_after<I>(layer_type<0>::static_input_shape));
    }
  }
  template <std::size_t I>
  static constexpr void check_link() {
    static_assert(link_ok<I>(),
                  "nn::sequential: the static shapes of layer I-1's output and layer I's input disagree (see the "
                  "instantiation of check_link<I> below for I)");
  }
  template <std::size_t... I>
  static constexpr bool check_links(std::index_sequence<I...>) {
    (check_link<I>(), ...);
    return true;
  }
  static_assert(check_links(std::make_index_sequence<size>{}));

 public:
  static constexpr shape_t<in_rank> static_input_shape = layer_type<0>::static_input_shape;
  static constexpr shape_t<out_rank> static_output_shape(const shape_t<in_rank>& in) {
    if (!static_compatible(static_input_shape, in)) {
      shape_t<out_rank> bad{};
      for (auto& d : bad) d = shape_mismatch;
      return bad;
    }
    return shape_after<size - 1>(in);
  }
  // Whether an input with these known extents passes every static check of the chain.
  template <index_t... Dims>
  static constexpr bool accepts_static_input() {
    static_assert(sizeof...(Dims) == in_rank, "nn::sequential::accepts_static_input: one extent per input dimension");
    return check_all(shape_t<in_rank>{Dims...}, std::make_index_sequence<size>{});
  }

  sequential() = default;
  // Layers given as values (for run-time configs or hyper-parameters): sequential<...>(conv1d<float>(cfg), ...).
  template <class... Args>
    requires(sizeof...(Args) == size && sizeof...(Args) > 0 &&
             !(sizeof...(Args) == 1 && (std::is_same_v<std::remove_cvref_t<Args>, sequential> || ...)))
  explicit sequential(Args&&... given) : sequential(std::index_sequence_for<Args...>{}, std::forward<Args>(given)...) {}

  template <std::size_t I>
  layer_type<I>& get() { return std::get<I>(layers_); }
  template <std::size_t I>
  const layer_type<I>& get() const { return std::get<I>(layers_); }
  // Output of layer I from the last forward() (I < size - 1; the last output is the caller's y).
  template <std::size_t I>
  const tensor<T, layer_type<I>::out_rank, B>& activation() const {
    static_assert(I + 1 < size, "nn::sequential::activation: the last layer's output is the caller's buffer");
    return std::get<I>(acts_);
  }

  shape_t<out_rank> output_shape(const shape_t<in_rank>& in) const { return shape_through<size - 1>(in); }

  void forward(tensor_view<const T, in_rank, B> x, tensor_view<T, out_rank, B> y, bool training) {
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    forward_all(x, y, training, std::make_index_sequence<size>{});
  }
  void backward(tensor_view<const T, in_rank, B> x, tensor_view<const T, out_rank, B> y, tensor_view<const T, out_rank, B> dy,
                tensor_view<T, in_rank, B> dx) {
    check_buffer_shape(describe(), "output gradient", y.shape(), dy.shape());
    backward_all(x, y, dy, dx, std::make_index_sequence<size>{});
  }

  void parameters(parameter_list<T, B>& out, const std::string& prefix) {
    each([&]<std::size_t I>(auto& l) { l.parameters(out, qualified_name(prefix, std::to_string(I))); });
  }
  void buffers(parameter_list<T, B>& out, const std::string& prefix) {
    each([&]<std::size_t I>(auto& l) { l.buffers(out, qualified_name(prefix, std::to_string(I))); });
  }
  // Layer I draws from rng.split(I): adding a layer at the end leaves the others' weights alone.
  void init(random_stream rng) {
    each([&]<std::size_t I>(auto& l) { l.init(rng.split(I)); });
  }
  // The other numbering, for a chain inside a model: each layer with parameters draws rng.split(k++)
  // in order (a layer that numbers its own parts, with init(rng, k), continues the count), so the
  // model's next part goes on from k.
  void init(random_stream rng, std::uint64_t& k) {
    each([&]<std::size_t I>(auto& l) {
      if constexpr (requires { l.init(rng, k); }) l.init(rng, k);
      else if (!parameters_of(l).empty()) l.init(rng.split(k++));
    });
  }
  void zero_grad() {
    auto ps = parameters_of(*this);
    nn::zero_grad(ps);
  }

  std::string name() const { return "sequential"; }
  std::string describe() const { return detail::concat("sequential(", size, " layers)"); }

  // A torchinfo-like table: index, layer, output shape and parameter count for an input shape.
  std::string summary(const shape_t<in_rank>& input_shape) const {
    auto self = const_cast<sequential*>(this);  // parameters() hands out mutable views; only counted here
    std::ostringstream o;
    char line[256];
    std::snprintf(line, sizeof line, "%-4s %-44s %-24s %12s\n", "#", "Layer", "Output shape", "Param #");
    o << line << std::string(87, '-') << '\n';
    std::snprintf(line, sizeof line, "%-4s %-44s %-24s %12s\n", "", "input", shape_string(input_shape).c_str(), "");
    o << line;
    index_t total = 0;
    self->each([&]<std::size_t I>(auto& l) {
      parameter_list<T, B> ps;
      l.parameters(ps, "");
      const index_t n = parameter_count(ps);
      total += n;
      std::snprintf(line, sizeof line, "%-4zu %-44s %-24s %12lld\n", I, l.describe().c_str(),
                    shape_string(shape_through<I>(input_shape)).c_str(), static_cast<long long>(n));
      o << line;
    });
    o << std::string(87, '-') << '\n' << "Total params: " << total << '\n';
    return o.str();
  }

 private:
  template <std::size_t... I, class... Args>
  sequential(std::index_sequence<I...>, Args&&... given)
      : layers_(detail::convert_layer<layer_type<I>>(std::forward<Args>(given))...) {}

  template <std::size_t... I>
  static constexpr bool check_all(const shape_t<in_rank>& in, std::index_sequence<I...>) {
    return static_compatible(static_input_shape, in) && (detail::static_shape_valid(shape_after<I>(in)) && ...);
  }

  template <class F, std::size_t... I>
  void each_impl(F&& f, std::index_sequence<I...>) {
    (f.template operator()<I>(std::get<I>(layers_)), ...);
  }
  template <class F>
  void each(F&& f) {
    each_impl(f, std::make_index_sequence<size>{});
  }

  // Run-time shape after layer I (each layer validates its input and names itself on failure).
  template <std::size_t I>
  auto shape_through(const shape_t<in_rank>& in) const {
    if constexpr (I == 0) return std::get<0>(layers_).output_shape(in);
    else return std::get<I>(layers_).output_shape(shape_through<I - 1>(in));
  }

  template <std::size_t I>
  tensor_view<const T, layer_type<I>::in_rank, B> input_of(tensor_view<const T, in_rank, B> x) const {
    if constexpr (I == 0) return x;
    else return std::get<I - 1>(acts_).view();
  }

  template <std::size_t... I>
  void forward_all(tensor_view<const T, in_rank, B> x, tensor_view<T, out_rank, B> y, bool training,
                   std::index_sequence<I...>) {
    (forward_one<I>(x, y, training), ...);
  }
  template <std::size_t I>
  void forward_one(tensor_view<const T, in_rank, B> x, tensor_view<T, out_rank, B> y, bool training) {
    auto& l = std::get<I>(layers_);
    const auto in = input_of<I>(x);
    if constexpr (I + 1 == size) {
      l.forward(in, y, training);
    } else {
      auto& a = std::get<I>(acts_);
      const auto s = l.output_shape(in.shape());
      l.forward(in, ensure_shape(a, s).view(), training);
    }
  }

  template <std::size_t... I>
  void backward_all(tensor_view<const T, in_rank, B> x, tensor_view<const T, out_rank, B> y,
                    tensor_view<const T, out_rank, B> dy, tensor_view<T, in_rank, B> dx, std::index_sequence<I...>) {
    (backward_one<size - 1 - I>(x, y, dy, dx), ...);
  }
  template <std::size_t I>
  void backward_one(tensor_view<const T, in_rank, B> x, tensor_view<const T, out_rank, B> y,
                    tensor_view<const T, out_rank, B> dy, tensor_view<T, in_rank, B> dx) {
    auto& l = std::get<I>(layers_);
    const auto in = input_of<I>(x);
    tensor_view<const T, layer_type<I>::out_rank, B> out, dout;
    if constexpr (I + 1 == size) {
      out = y;
      dout = dy;
    } else {
      out = std::get<I>(acts_).view();
      dout = std::get<I>(grads_).view();
    }
    if constexpr (I == 0) {
      l.backward(in, out, dout, dx);
    } else {
      l.backward(in, out, dout, ensure_shape(std::get<I - 1>(grads_), in.shape()).view());
    }
  }

  template <class Tuple>
  struct outputs_of;
  template <class... L>
  struct outputs_of<std::tuple<L...>> {
    using type = std::tuple<tensor<T, L::out_rank, B>...>;
  };

  layers_type layers_;
  typename outputs_of<layers_type>::type acts_, grads_;  // per layer: output, and dLoss/d(output)
};

}  // namespace cantus::nn
