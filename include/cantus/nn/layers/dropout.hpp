#pragma once
// dropout: torch.nn.Dropout(p). In training each element is zeroed with probability p and the rest
// scaled by 1 / (1 - p); in evaluation it is the identity. The mask is Philox value i of the stream
// (seed, step): deterministic for a seed whatever the thread count, fresh at every training forward
// (step counts them), and recomputed, not stored, by backward.
#include <string>

#include "cantus/core/random.hpp"
#include "cantus/nn/layer.hpp"
#include "cantus/backend/cpu/nn/im2col.hpp"

namespace cantus::nn {

template <class T, std::size_t Rank = any_rank>
class dropout : public stateless_layer<T> {
 public:
  static constexpr std::size_t in_rank = Rank, out_rank = Rank;
  template <std::size_t R>
  using with_input_rank = dropout<T, R>;
  static constexpr shape_t<Rank> static_input_shape = all_dyn<Rank>();
  static constexpr shape_t<Rank> static_output_shape(const shape_t<Rank>& in) { return in; }

  explicit dropout(double p = 0.5, std::uint64_t seed = 0) : p_(p), seed_(seed) {
    if (!(p >= 0 && p < 1)) throw_value_error("dropout: p must be in [0, 1), got ", p);
  }
  template <std::size_t R2>
  explicit dropout(const dropout<T, R2>& o) : dropout(o.p(), o.seed()) {}

  double p() const { return p_; }
  std::uint64_t seed() const { return seed_; }
  // Training forwards so far; the next one uses mask number step().
  std::uint64_t step() const { return step_; }
  void set_step(std::uint64_t s) { step_ = s; }

  shape_t<Rank> output_shape(const shape_t<Rank>& in) const { return in; }

  void forward(tensor_view<const T, Rank> x, tensor_view<T, Rank> y, bool training) {
    check_buffer_shape(describe(), "output", x.shape(), y.shape());
    last_training_ = training && p_ > 0;
    const T* xs = x.data();
    T* ys = y.data();
    const index_t n = x.size();
    if (!last_training_) {
      std::copy(xs, xs + n, ys);
      return;
    }
    mask_step_ = step_++;
    const random_stream rng = stream(mask_step_);
    const T scale = T(1.0 / (1.0 - p_));
    const float p = float(p_);
#pragma omp parallel for schedule(static) if (detail::worth_parallel(n))
    for (index_t i = 0; i < n; ++i) ys[i] = rng.uniform(std::uint64_t(i)) < p ? T(0) : xs[i] * scale;
  }
  void backward(tensor_view<const T, Rank> x, tensor_view<const T, Rank> /*y*/, tensor_view<const T, Rank> dy,
                tensor_view<T, Rank> dx) {
    if (dx.data() == nullptr) return;
    check_buffer_shape(describe(), "output gradient", x.shape(), dy.shape());
    check_buffer_shape(describe(), "input gradient", x.shape(), dx.shape());
    const T* d = dy.data();
    T* q = dx.data();
    const index_t n = x.size();
    if (!last_training_) {
      std::copy(d, d + n, q);
      return;
    }
    const random_stream rng = stream(mask_step_);
    const T scale = T(1.0 / (1.0 - p_));
    const float p = float(p_);
#pragma omp parallel for schedule(static) if (detail::worth_parallel(n))
    for (index_t i = 0; i < n; ++i) q[i] = rng.uniform(std::uint64_t(i)) < p ? T(0) : d[i] * scale;
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
