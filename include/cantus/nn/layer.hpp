#pragma once
// The layer contract every building block of cantus::nn follows (dlib / RTNeural style: flat
// classes, no virtual calls, no autograd graph; composition happens at compile time in
// nn::sequential). A layer is a class template on the element type T (float, or double for the
// finite-difference gradient checks) and the backend B (cantus::cpu by default, cantus::cuda), in
// that order, followed by its compile-time sizes: conv1d<float, cpu, 1, 32, 4, 2, 1>. It has:
//
//   using value_type = T;
//   using backend_type = B;
//       Parameters, gradients and every tensor the layer reads or writes live in B's memory. The
//       layer never names a backend: its arithmetic is a call into nn::tt (nn/tt/*.hpp), the thin
//       tensor-tools step whose per-backend implementations live in backend/<B>/nn/.
//   static constexpr std::size_t in_rank, out_rank;
//       Data layout as in PyTorch: [batch, features] (linear), [batch, channels, length] (1-D
//       convolutions), [batch, channels, height, width] (2-D).
//   static constexpr shape_t<in_rank> static_input_shape;
//       What the type alone fixes about the input (`dyn` where data decides), e.g. conv1d<T,1,32,4,2,1>
//       gives {dyn, 1, dyn}. nn::sequential checks neighbours against it at compile time.
//   static constexpr shape_t<out_rank> static_output_shape(const shape_t<in_rank>& in);
//       The same arithmetic as output_shape() on partly known shapes: `dyn` in, `dyn` out; it
//       returns nn::shape_mismatch in every extent where a known extent contradicts the type.
//   shape_t<out_rank> output_shape(const shape_t<in_rank>& in) const;
//       Validates `in` and throws shape_error naming the layer ("conv1d(1->32, k=4, s=2, p=1)"),
//       the expected and the actual shape.
//   void forward(tensor_view<const T, in_rank, B> x, tensor_view<T, out_rank, B> y, bool training);
//       y must have output_shape(x.shape()) and be contiguous. `training` selects batch statistics
//       (BatchNorm) and masking (Dropout); every other layer ignores it.
//   void backward(tensor_view<const T, in_rank, B> x, tensor_view<const T, out_rank, B> y,
//                 tensor_view<const T, out_rank, B> dy, tensor_view<T, in_rank, B> dx);
//       x and y are the arguments and result of the most recent forward(); dy = dLoss/dy.
//       ACCUMULATES (+=) parameter gradients into the layer's gradient storage and OVERWRITES
//       dx = dLoss/dx. An empty dx (default-constructed view, data() == nullptr) means "the input
//       gradient is not needed" (first layer of a model, integer inputs) and is skipped.
//       A layer may keep what it needs from forward() in members (masks, batch statistics,
//       im2col buffers), so one layer object serves one forward/backward pair at a time.
//   void parameters(nn::parameter_list<T, B>& out, const std::string& prefix);
//       Appends views of every trainable tensor and its gradient, named like PyTorch's state_dict
//       ("weight", "bias"; with a prefix "0.weight"). Parameters keep PyTorch's logical shapes and
//       memory order, so torch weights copy in flat.
//   void buffers(nn::parameter_list<T, B>& out, const std::string& prefix);
//       Appends non-trainable state that checkpoints must save (BatchNorm's "running_mean",
//       "running_var", "num_batches_tracked"); grad is an empty view. Optimizers never see these.
//   void init(random_stream rng);
//       PyTorch's default initialisation (nn/init.hpp), deterministic for the stream and the same
//       numbers on every backend (drawn on the host, then copied).
//   std::string name() const;       short type name, "conv1d"
//   std::string describe() const;   one line with the hyper-parameters, "conv1d(1->32, k=4, s=2, p=1)"
//
// Static and dynamic forms (RTNeural's idea): the size template parameters default to `dyn`; when
// given, the layer is default-constructible and its sizes are compile-time constants
// (conv1d<float, cpu, 1, 32, 4, 2, 1>); when left `dyn`, the same class takes a config struct at run
// time (conv1d<float>({.in_channels = 1, .out_channels = 32, .kernel_size = 4, .stride = 2, .padding = 1})).
// Layers without parameters derive from nn::stateless_layer for the empty members.
#include <concepts>
#include <cstddef>
#include <string>

#include "cantus/base/error.hpp"
#include "cantus/core/random.hpp"
#include "cantus/core/tensor.hpp"
#include "cantus/nn/parameter.hpp"

namespace cantus::nn {

namespace detail {
using cantus::detail::concat;  // nn::detail would otherwise hide it
}

// Marks an extent that static shape propagation found contradictory (see static_output_shape).
inline constexpr index_t shape_mismatch = -2;

// Rank-polymorphic layers (activations, dropout, flatten, ...) are written relu<float> and take the
// rank of whatever precedes them in an nn::sequential. Their Rank parameter defaults to any_rank and
// they provide `template <std::size_t R> using with_input_rank = ...` for the container to resolve;
// used on their own they are given the rank explicitly: relu<float, cpu, 3>.
inline constexpr std::size_t any_rank = 0;

template <class L>
concept layer = requires(L& l, const L& cl, random_stream rng,
                         parameter_list<typename L::value_type, typename L::backend_type>& ps,
                         const std::string& prefix, const shape_t<L::in_rank>& in,
                         tensor_view<const typename L::value_type, L::in_rank, typename L::backend_type> x,
                         tensor_view<const typename L::value_type, L::out_rank, typename L::backend_type> y,
                         tensor_view<typename L::value_type, L::out_rank, typename L::backend_type> y_out,
                         tensor_view<typename L::value_type, L::in_rank, typename L::backend_type> dx) {
  typename L::value_type;
  requires backend<typename L::backend_type>;
  { L::in_rank } -> std::convertible_to<std::size_t>;
  { L::out_rank } -> std::convertible_to<std::size_t>;
  { L::static_input_shape } -> std::convertible_to<shape_t<L::in_rank>>;
  { L::static_output_shape(in) } -> std::same_as<shape_t<L::out_rank>>;
  { cl.output_shape(in) } -> std::same_as<shape_t<L::out_rank>>;
  l.forward(x, y_out, true);
  l.backward(x, y, y, dx);
  l.parameters(ps, prefix);
  l.buffers(ps, prefix);
  l.init(rng);
  { cl.name() } -> std::convertible_to<std::string>;
  { cl.describe() } -> std::convertible_to<std::string>;
};

// "prefix.name", or "name" at the top level.
inline std::string qualified_name(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

// Appends a parameter (or buffer: pass an empty grad) with PyTorch's logical shape.
template <class T, class B>
void add_parameter(parameter_list<T, B>& out, const std::string& prefix, const std::string& name, T* value, T* grad,
                   std::vector<index_t> shape) {
  index_t n = 1;
  for (auto d : shape) n *= d;
  out.push_back(parameter<T, B>{qualified_name(prefix, name), tensor_view<T, 1, B>(value, {n}),
                                grad ? tensor_view<T, 1, B>(grad, {n}) : tensor_view<T, 1, B>(), std::move(shape)});
}
// The same for a trainable tensor (nn/parameter.hpp); an empty one (a layer without bias) adds nothing.
template <class T, class B>
void add_parameter(parameter_list<T, B>& out, const std::string& prefix, const std::string& name,
                   trainable<T, B>& t, std::vector<index_t> shape) {
  if (!t.empty()) add_parameter<T, B>(out, prefix, name, t.value.data(), t.grad.data(), std::move(shape));
}

// Empty parameters/buffers/init for layers without state.
template <class T, class B = cpu>
struct stateless_layer {
  using value_type = T;
  using backend_type = B;
  void parameters(parameter_list<T, B>&, const std::string&) {}
  void buffers(parameter_list<T, B>&, const std::string&) {}
  void init(random_stream) {}
};

// Is a (partly static) shape `s` compatible with the static expectation `expected`?
template <std::size_t R>
constexpr bool static_compatible(const shape_t<R>& expected, const shape_t<R>& s) {
  for (std::size_t i = 0; i < R; ++i) {
    if (s[i] == shape_mismatch || expected[i] == shape_mismatch) return false;
    if (expected[i] != dyn && s[i] != dyn && expected[i] != s[i]) return false;
  }
  return true;
}
// The more specific of two compatible static shapes.
template <std::size_t R>
constexpr shape_t<R> static_merge(const shape_t<R>& a, const shape_t<R>& b) {
  shape_t<R> r{};
  for (std::size_t i = 0; i < R; ++i) r[i] = a[i] == dyn ? b[i] : a[i];
  return r;
}
template <std::size_t R>
constexpr shape_t<R> all_dyn() {
  shape_t<R> r{};
  for (auto& d : r) d = dyn;
  return r;
}

// Run-time check of an input shape against what the layer expects (`dyn` matches anything).
// Throws shape_error: "<layer>: input expected shape [?, 1, ?] but found [8, 3, 128]".
template <std::size_t R>
void check_input_shape(const std::string& layer_description, const shape_t<R>& expected, const shape_t<R>& found) {
  for (std::size_t i = 0; i < R; ++i)
    if ((expected[i] != dyn && expected[i] != found[i]) || found[i] < 0) {
      std::array<std::string, R> e;
      for (std::size_t j = 0; j < R; ++j) e[j] = expected[j] == dyn ? "?" : std::to_string(expected[j]);
      throw_shape_mismatch(layer_description, "input", e, found);
    }
}
// forward()/backward() are given buffers by the caller: their shapes are checked too.
template <std::size_t R>
void check_buffer_shape(const std::string& layer_description, const char* what, const shape_t<R>& expected,
                        const shape_t<R>& found) {
  if (expected != found) throw_shape_mismatch(layer_description, what, expected, found);
}

// Convenience: allocate the output and run forward.
template <layer L>
tensor<typename L::value_type, L::out_rank, typename L::backend_type> forward(
    L& l, tensor_view<const typename L::value_type, L::in_rank, typename L::backend_type> x, bool training = false) {
  tensor<typename L::value_type, L::out_rank, typename L::backend_type> y(l.output_shape(x.shape()));
  l.forward(x, y.view(), training);
  return y;
}

// Every parameter (or buffer) of a layer or model, named like torch's state_dict.
template <layer L>
parameter_list<typename L::value_type, typename L::backend_type> parameters_of(L& l, const std::string& prefix = "") {
  parameter_list<typename L::value_type, typename L::backend_type> ps;
  l.parameters(ps, prefix);
  return ps;
}
template <layer L>
parameter_list<typename L::value_type, typename L::backend_type> buffers_of(L& l, const std::string& prefix = "") {
  parameter_list<typename L::value_type, typename L::backend_type> ps;
  l.buffers(ps, prefix);
  return ps;
}

// A contiguous input and output, or shape_error naming the layer.
template <class V1, class V2>
void require_contiguous(const std::string& layer_description, const V1& a, const V2& b) {
  if (!a.is_contiguous() || !b.is_contiguous()) throw shape_error(layer_description + ": tensors must be contiguous");
}

}  // namespace cantus::nn
