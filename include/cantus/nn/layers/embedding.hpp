#pragma once
// Class indices (mu-law samples, tokens) into vectors. Indices arrive as values of T in a
// [batch, time] tensor (exact integers up to 2^24 in float) and are checked: a non-integer or
// out-of-range index is a value_error naming the layer, the position and the value.
//   one_hot<T, Classes>:         [batch, time] -> [batch, Classes, time] (channels first, for conv1d;
//                                 F.one_hot(x, C).transpose(1, 2) in PyTorch; no parameters)
//   embedding<T, Num, Dim>:      [batch, time] -> [batch, time, Dim] (torch.nn.Embedding, weight
//                                 [Num, Dim] initialised N(0, 1))
// Indices have no gradient: a requested dx is filled with zeros.
#include <cmath>
#include <string>
#include <vector>

#include "cantus/nn/init.hpp"
#include "cantus/nn/layer.hpp"

namespace cantus::nn {

namespace detail {
template <class T>
index_t checked_index(const std::string& layer, T v, index_t classes, index_t position) {
  if (!(v >= T(0)) || !(v < T(classes)) || v != std::floor(v))
    throw value_error(concat(layer, ": input ", position, " is ", v, ", expected a class index in [0, ", classes, ")"));
  return static_cast<index_t>(v);
}
}  // namespace detail

template <class T, index_t Classes = dyn>
class one_hot : public stateless_layer<T> {
 public:
  static constexpr std::size_t in_rank = 2, out_rank = 3;
  static constexpr bool is_static = Classes != dyn;
  static constexpr shape_t<2> static_input_shape = all_dyn<2>();
  static constexpr shape_t<3> static_output_shape(const shape_t<2>& in) { return {in[0], Classes, in[1]}; }

  one_hot() requires is_static : classes_(Classes) {}
  explicit one_hot(index_t num_classes) : classes_(num_classes) {
    if (is_static && num_classes != Classes) throw_value_error(describe(), ": the class count contradicts the type");
    if (num_classes <= 0) throw_value_error("one_hot: num_classes must be positive, got ", num_classes);
  }

  shape_t<3> output_shape(const shape_t<2>& in) const { return {in[0], classes_, in[1]}; }
  void forward(tensor_view<const T, 2> x, tensor_view<T, 3> y, bool) {
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    const index_t batch = x.extent(0), len = x.extent(1);
    std::fill(y.data(), y.data() + y.size(), T(0));
    for (index_t b = 0; b < batch; ++b)
      for (index_t t = 0; t < len; ++t) {
        const index_t k = detail::checked_index(describe(), x.data()[b * len + t], classes_, b * len + t);
        y.data()[(b * classes_ + k) * len + t] = T(1);
      }
  }
  void backward(tensor_view<const T, 2> x, tensor_view<const T, 3>, tensor_view<const T, 3>, tensor_view<T, 2> dx) {
    if (dx.data() == nullptr) return;
    check_buffer_shape(describe(), "input gradient", x.shape(), dx.shape());
    std::fill(dx.data(), dx.data() + dx.size(), T(0));
  }
  std::string name() const { return "one_hot"; }
  std::string describe() const { return detail::concat("one_hot(", classes_, ")"); }

 private:
  index_t classes_;
};

struct embedding_config {
  index_t num_embeddings = dyn, embedding_dim = dyn;
};

template <class T, index_t Num = dyn, index_t Dim = dyn>
class embedding {
 public:
  using value_type = T;
  static constexpr std::size_t in_rank = 2, out_rank = 3;
  static constexpr bool is_static = Num != dyn && Dim != dyn;
  static constexpr shape_t<2> static_input_shape = all_dyn<2>();
  static constexpr shape_t<3> static_output_shape(const shape_t<2>& in) { return {in[0], in[1], Dim}; }

  embedding() requires is_static : embedding(embedding_config{Num, Dim}) {}
  explicit embedding(const embedding_config& c) : c_(c) {
    if (is_static && (c.num_embeddings != Num || c.embedding_dim != Dim))
      throw_value_error(describe(), ": the config contradicts the sizes fixed by the type");
    if (c.num_embeddings <= 0 || c.embedding_dim <= 0)
      throw_value_error(describe(), ": num_embeddings and embedding_dim must be positive");
    weight_.assign(static_cast<std::size_t>(c.num_embeddings * c.embedding_dim), T(0));
    weight_grad_.assign(weight_.size(), T(0));
    init(random_stream(0));
  }

  shape_t<3> output_shape(const shape_t<2>& in) const { return {in[0], in[1], c_.embedding_dim}; }
  void forward(tensor_view<const T, 2> x, tensor_view<T, 3> y, bool) {
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    const index_t n = x.size(), d = c_.embedding_dim;
    for (index_t i = 0; i < n; ++i) {
      const index_t k = detail::checked_index(describe(), x.data()[i], c_.num_embeddings, i);
      std::copy(weight_.data() + k * d, weight_.data() + (k + 1) * d, y.data() + i * d);
    }
  }
  void backward(tensor_view<const T, 2> x, tensor_view<const T, 3> y, tensor_view<const T, 3> dy,
                tensor_view<T, 2> dx) {
    check_buffer_shape(describe(), "output gradient", y.shape(), dy.shape());
    const index_t n = x.size(), d = c_.embedding_dim;
    for (index_t i = 0; i < n; ++i) {
      const index_t k = detail::checked_index(describe(), x.data()[i], c_.num_embeddings, i);
      T* g = weight_grad_.data() + k * d;
      const T* s = dy.data() + i * d;
      for (index_t j = 0; j < d; ++j) g[j] += s[j];
    }
    if (dx.data() != nullptr) std::fill(dx.data(), dx.data() + dx.size(), T(0));
  }

  void parameters(parameter_list<T>& out, const std::string& prefix) {
    add_parameter<T>(out, prefix, "weight", weight_.data(), weight_grad_.data(), {c_.num_embeddings, c_.embedding_dim});
  }
  void buffers(parameter_list<T>&, const std::string&) {}
  void init(random_stream rng) { init::normal(tensor_view<T, 1>(weight_.data(), {index_t(weight_.size())}), 0.0, 1.0, rng); }

  std::string name() const { return "embedding"; }
  std::string describe() const { return detail::concat("embedding(", c_.num_embeddings, ", ", c_.embedding_dim, ")"); }

 private:
  embedding_config c_;
  std::vector<T> weight_, weight_grad_;
};

}  // namespace cantus::nn
