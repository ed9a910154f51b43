#pragma once
// global_avg_pool: the mean over every dimension after the channels, [batch, C, ...] -> [batch, C]
// (x.mean(dim=(2, 3)) in the CNN baseline, torch.nn.AdaptiveAvgPool*(1) + flatten).
#include <string>

#include "cantus/nn/layer.hpp"
#include "cantus/nn/tt/pooling.hpp"

namespace cantus::nn {

template <class T, class B = cpu, std::size_t Rank = any_rank>
class global_avg_pool : public stateless_layer<T, B> {
 public:
  static constexpr std::size_t in_rank = Rank, out_rank = 2;
  template <std::size_t R>
  using with_input_rank = global_avg_pool<T, B, R>;
  static constexpr shape_t<Rank> static_input_shape = all_dyn<Rank>();
  static constexpr shape_t<2> static_output_shape(const shape_t<Rank>& in) { return {in[0], in[1]}; }

  global_avg_pool() = default;
  template <std::size_t R2>
  explicit global_avg_pool(const global_avg_pool<T, B, R2>&) {}

  shape_t<2> output_shape(const shape_t<Rank>& in) const {
    static_assert(Rank >= 3, "global_avg_pool: input is [batch, channels, positions...]");
    for (std::size_t d = 2; d < Rank; ++d)
      if (in[d] <= 0)
        throw shape_error(detail::concat(describe(), ": input has no positions to average, shape ", shape_string(in)));
    return {in[0], in[1]};
  }

  void forward(tensor_view<const T, Rank, B> x, tensor_view<T, 2, B> y, bool /*training*/) {
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    const index_t rows = y.size();
    tt::pooling<T, B>::mean_rows(rows, x.size() / std::max<index_t>(rows, 1), x.data(), y.data());
  }
  void backward(tensor_view<const T, Rank, B> x, tensor_view<const T, 2, B> y, tensor_view<const T, 2, B> dy,
                tensor_view<T, Rank, B> dx) {
    if (dx.data() == nullptr) return;
    check_buffer_shape(describe(), "output gradient", y.shape(), dy.shape());
    check_buffer_shape(describe(), "input gradient", x.shape(), dx.shape());
    const index_t rows = y.size();
    tt::pooling<T, B>::spread_rows(rows, x.size() / std::max<index_t>(rows, 1), dy.data(), dx.data());
  }

  std::string name() const { return "global_avg_pool"; }
  std::string describe() const { return "global_avg_pool"; }
};

}  // namespace cantus::nn
