#pragma once
// dropout: torch.nn.Dropout(p). In training each element is zeroed with probability p and the rest
// scaled by 1 / (1 - p); in evaluation it is the identity. The mask is Philox value i of the stream
// (seed, step): deterministic for a seed whatever the thread count, fresh at every training forward
// (step counts them), and recomputed, not stored, by backward.
#include <string>

#include "cantus/core/random.hpp"
#include "cantus/nn/layer.hpp"
#include "cantus/nn/tt/dropout.hpp"

namespace cantus::nn {

template <class T, class B = cpu, std::size_t Rank = any_rank>
class dropout : public stateless_layer<T, B> {
 public:
  static constexpr std::size_t in_rank = Rank, out_rank = Rank;
  template <std::size_t R>
  using with_input_rank = dropout<T, B, R>;
  static constexpr shape_t<Rank> static_input_shape = all_dyn<Rank>();
  static constexpr shape_t<Rank> static_output_shape(const shape_t<Rank>& in) { return in; }

  explicit dropout(double p = 0.5, std::uint64_t seed = 0) : p_(p), seed_(seed) {
    if (!(p >= 0 && p < 1)) throw_value_error("dropout: p must be in [0, 1), got ", p);
  }
  template <std::size_t R2>
  explicit dropout(const dropout<T, B, R2>& o) : dropout(o.p(), o.seed()) {}

  double p() const { return p_; }
  std::uint64_t seed() const { return seed_; }
  // Training forwards so far; the next one uses mask number step().
  std::uint64_t step() const { return step_; }
  void set_step(std::uint64_t s) { step_ = s; }

  shape_t<Rank> output_shape(const shape_t<Rank>& in) const { return in; }

  void forward(tensor_view<const T, Rank, B> x, tensor_view<T, Rank, B> y, bool training) {
    check_buffer_shape(describe(), "output", x.shape(), y.shape());
    last_training_ = training && p_ > 0;
    const auto n = static_cast<std::size_t>(x.size());
    if (!last_training_) return backend_ops<B>::copy(y.data(), x.data(), n);
    mask_step_ = step_++;
    tt::dropout<T, B>::apply(x.size(), x.data(), y.data(), stream(mask_step_), float(p_), T(1.0 / (1.0 - p_)));
  }
  void backward(tensor_view<const T, Rank, B> x, tensor_view<const T, Rank, B> /*y*/, tensor_view<const T, Rank, B> dy,
                tensor_view<T, Rank, B> dx) {
    if (dx.data() == nullptr) return;
    check_buffer_shape(describe(), "output gradient", x.shape(), dy.shape());
    check_buffer_shape(describe(), "input gradient", x.shape(), dx.shape());
    const auto n = static_cast<std::size_t>(x.size());
    if (!last_training_) return backend_ops<B>::copy(dx.data(), dy.data(), n);
    tt::dropout<T, B>::apply(x.size(), dy.data(), dx.data(), stream(mask_step_), float(p_), T(1.0 / (1.0 - p_)));
  }

  std::string name() const { return "dropout"; }
  std::string describe() const { return detail::concat("dropout(p=", p_, ")"); }

 private:
  random_stream stream(std::uint64_t step) const { return random_stream(seed_, 0x64726f70ull).split(step); }
  double p_;
  std::uint64_t seed_, step_ = 0, mask_step_ = 0;
  bool last_training_ = false;
};

}  // namespace cantus::nn
