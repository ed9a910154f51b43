#pragma once
// What the five model classes share: their state as a checkpoint sees it (parameters, then buffers
// such as BatchNorm's running statistics), and small element-wise helpers for the glue between
// building blocks (reshapes are free: every activation is a contiguous tensor).
#include <cmath>
#include <istream>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "cantus/core/tensor.hpp"
#include "cantus/models/trainer.hpp"
#include "cantus/nn/parameter.hpp"

// nn's layer headers spell cantus::detail::concat as detail::concat inside cantus::nn, which breaks
// when cantus::nn::detail is declared first; make the name visible there too (harmless if it is).
namespace cantus::nn::detail {
using cantus::detail::concat;
}

namespace cantus::models {
// Save/load a model's parameters followed by its buffers (names and sizes checked on load).
template <class Model>
void save_model_state(Model& m, std::ostream& o) {
  save_parameters(o, m.parameters());
  save_parameters(o, m.buffers());
}
template <class Model>
void load_model_state(Model& m, std::istream& i, const std::string& where) {
  auto ps = m.parameters();
  load_parameters(i, ps, where + " parameters");
  auto bs = m.buffers();
  load_parameters(i, bs, where + " buffers");
}

namespace detail {

// A contiguous view of `t` with another shape (same element count).
template <std::size_t R2, class T, std::size_t R, class B>
tensor_view<T, R2, B> as_shape(tensor<T, R, B>& t, const shape_t<R2>& s) {
  return t.view().template reshape<R2>(s);
}
template <std::size_t R2, class T, std::size_t R, class B>
tensor_view<const T, R2, B> as_shape(const tensor<T, R, B>& t, const shape_t<R2>& s) {
  return t.view().template reshape<R2>(s);
}

using cantus::ensure_shape;  // core/tensor.hpp

template <class T, std::size_t R, class B>
tensor<T, R, B> zeros_like(const tensor<T, R, B>& t) {
  return tensor<T, R, B>(t.shape(), T(0));
}

template <class T, std::size_t R, class B>
tensor_view<const T, R, B> cview(const tensor<T, R, B>& t) {
  return t.view();
}

// How many layers before position I of Chain take a Cfg: the stage a convolution at I belongs to.
template <class Chain, class Cfg, std::size_t I>
constexpr std::size_t stage_of() {
  return []<std::size_t... J>(std::index_sequence<J...>) {
    return (std::size_t(std::is_constructible_v<typename Chain::template layer_type<J>, Cfg>) + ... + std::size_t(0));
  }(std::make_index_sequence<I>{});
}
// Builds Chain with make(stage) for each layer that takes a Cfg, default-constructs the rest.
template <class Chain, class Cfg, class Make>
Chain build_stages(Make&& make) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return Chain([&]() {
      using L = typename Chain::template layer_type<I>;
      if constexpr (std::is_constructible_v<L, Cfg>) return L(make(stage_of<Chain, Cfg, I>()));
      else return L{};
    }()...);
  }(std::make_index_sequence<Chain::size>{});
}
// A model's config after its validate() (which throws value_error naming the field): for
// member initialisers that need a valid config before the layers are built from it.
template <class Config>
Config validated(Config c) {
  c.validate();
  return c;
}

// Whether every element is finite (a device tensor is checked on a host copy).
template <class T, std::size_t R, class B>
bool all_finite(const tensor<T, R, B>& t) {
  if constexpr (B::host_accessible) {
    return all_finite(t.data(), t.size());
  } else {
    const auto host = t.to_vector();
    return all_finite(host.data(), t.size());
  }
}

// Throws training_diverged naming the model and what became non-finite (cheap: one pass).
inline void require_finite(const char* model, const char* what, const float* p, index_t n) {
  for (index_t i = 0; i < n; ++i)
    if (!std::isfinite(p[i]))
      throw training_diverged(cantus::detail::concat(model, ": ", what, " is not finite (", p[i], " at element ", i,
                                                     "); lower the learning rate or check the input features"));
}

}  // namespace detail
}  // namespace cantus::models
