#pragma once
// Class indices (mu-law samples, tokens) into vectors. Indices arrive as values of T in a
// [batch, time] tensor (exact integers up to 2^24 in float) and are checked: a non-integer or
// out-of-range index is a value_error naming the layer, the position and the value.
//   one_hot<T, B, Classes>:         [batch, time] -> [batch, Classes, time] (channels first, for conv1d;
//                                 F.one_hot(x, C).transpose(1, 2) in PyTorch; no parameters)
//   embedding<T, B, Num, Dim>:      [batch, time] -> [batch, time, Dim] (torch.nn.Embedding, weight
//                                 [Num, Dim] initialised N(0, 1))
// Indices have no gradient: a requested dx is filled with zeros.
#include <string>

#include "cantus/nn/init.hpp"
#include "cantus/nn/layer.hpp"
#include "cantus/nn/tt/indexing.hpp"

namespace cantus::nn {

template <class T, class B = cpu, index_t Classes = dyn>
class one_hot : public stateless_layer<T, B> {
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
  void forward(tensor_view<const T, 2, B> x, tensor_view<T, 3, B> y, bool) {
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    tt::indexing<T, B>::one_hot(describe(), x.extent(0), x.extent(1), classes_, x.data(), y.data());
  }
  void backward(tensor_view<const T, 2, B> x, tensor_view<const T, 3, B>, tensor_view<const T, 3, B>,
                tensor_view<T, 2, B> dx) {
    if (dx.data() == nullptr) return;
    check_buffer_shape(describe(), "input gradient", x.shape(), dx.shape());
    backend_ops<B>::fill(dx.data(), static_cast<std::size_t>(dx.size()), T(0));
  }
  std::string name() const { return "one_hot"; }
  std::string describe() const { return detail::concat("one_hot(", classes_, ")"); }

 private:
  index_t classes_;
};

struct embedding_config {
  index_t num_embeddings = dyn, embedding_dim = dyn;
};

template <class T, class B = cpu, index_t Num = dyn, index_t Dim = dyn>
class embedding {
 public:
  using value_type = T;
  using backend_type = B;
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
    weight_ = trainable<T, B>(c.num_embeddings * c.embedding_dim);
    init(random_stream(0));
  }

  shape_t<3> output_shape(const shape_t<2>& in) const { return {in[0], in[1], c_.embedding_dim}; }
  void forward(tensor_view<const T, 2, B> x, tensor_view<T, 3, B> y, bool) {
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    tt::indexing<T, B>::gather_rows(describe(), x.size(), c_.num_embeddings, c_.embedding_dim, x.data(), weight_.data(),
                                    y.data());
  }
  void backward(tensor_view<const T, 2, B> x, tensor_view<const T, 3, B> y, tensor_view<const T, 3, B> dy,
                tensor_view<T, 2, B> dx) {
    check_buffer_shape(describe(), "output gradient", y.shape(), dy.shape());
    tt::indexing<T, B>::scatter_add_rows(describe(), x.size(), c_.num_embeddings, c_.embedding_dim, x.data(), dy.data(),
                                         weight_.grad_data());
    if (dx.data() != nullptr) backend_ops<B>::fill(dx.data(), static_cast<std::size_t>(dx.size()), T(0));
  }

  void parameters(parameter_list<T, B>& out, const std::string& prefix) {
    add_parameter(out, prefix, "weight", weight_, {c_.num_embeddings, c_.embedding_dim});
  }
  void buffers(parameter_list<T, B>&, const std::string&) {}
  void init(random_stream rng) {
    weight_.set_from_host([&](tensor_view<T, 1> w) { init::normal(w, 0.0, 1.0, rng); });
  }

  std::string name() const { return "embedding"; }
  std::string describe() const { return detail::concat("embedding(", c_.num_embeddings, ", ", c_.embedding_dim, ")"); }

 private:
  embedding_config c_;
  trainable<T, B> weight_;
};

}  // namespace cantus::nn
