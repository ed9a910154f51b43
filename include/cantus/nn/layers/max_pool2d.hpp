#pragma once
// max_pool2d: torch.nn.MaxPool2d(kernel_size, stride = kernel_size, padding = 0) over
// [batch, channels, height, width] (floor mode, padding counts as -inf). forward remembers where
// each maximum came from (the first one on ties, as PyTorch's CPU kernel); backward routes dy there.
#include <limits>
#include <string>
#include <vector>

#include "cantus/nn/layer.hpp"
#include "cantus/backend/cpu/nn/im2col.hpp"

namespace cantus::nn {

struct max_pool2d_config {
  index_t kernel_size = 2, stride = dyn, padding = 0;  // stride dyn: = kernel_size
};

template <class T, index_t K = dyn, index_t S = K, index_t P = 0>
class max_pool2d : public stateless_layer<T> {
 public:
  static constexpr std::size_t in_rank = 4, out_rank = 4;
  static constexpr bool is_static = K != dyn;
  static constexpr shape_t<4> static_input_shape = all_dyn<4>();
  static constexpr shape_t<4> static_output_shape(const shape_t<4>& in) {
    auto pooled = [](index_t n) { return n == dyn || K == dyn ? dyn : (n + 2 * P - K) / S + 1; };
    return {in[0], in[1], pooled(in[2]), pooled(in[3])};
  }

  max_pool2d() requires is_static : max_pool2d(max_pool2d_config{K, S, P}) {}
  explicit max_pool2d(max_pool2d_config c) : c_(c) {
    if (c_.stride == dyn) c_.stride = c_.kernel_size;
    if (is_static && (c_.kernel_size != K || c_.stride != S || c_.padding != P))
      throw_value_error(describe(), ": the config contradicts the sizes fixed by the type");
    if (c_.kernel_size <= 0 || c_.stride <= 0 || c_.padding < 0 || 2 * c_.padding > c_.kernel_size)
      throw_value_error(describe(), ": kernel_size and stride must be positive and padding at most half the kernel");
  }

  shape_t<4> output_shape(const shape_t<4>& in) const {
    check_input_shape(describe(), all_dyn<4>(), in);
    const index_t h = (in[2] + 2 * c_.padding - c_.kernel_size), w = (in[3] + 2 * c_.padding - c_.kernel_size);
    if (h < 0 || w < 0)
      throw shape_error(detail::concat(describe(), ": input shape ", shape_string(in), " is smaller than the kernel"));
    return {in[0], in[1], h / c_.stride + 1, w / c_.stride + 1};
  }

  void forward(tensor_view<const T, 4> x, tensor_view<T, 4> y, bool /*training*/) {
    check_buffer_shape(describe(), "output", output_shape(x.shape()), y.shape());
    const index_t planes = x.extent(0) * x.extent(1), H = x.extent(2), W = x.extent(3), OH = y.extent(2),
                  OW = y.extent(3);
    argmax_.resize(static_cast<std::size_t>(y.size()));
    const T* xs = x.data();
    T* ys = y.data();
    std::int32_t* am = argmax_.data();
    const index_t k = c_.kernel_size, s = c_.stride, p = c_.padding;
    if (k == 2 && s == 2 && p == 0) {
      forward_2x2(xs, ys, am, planes, H, W, OH, OW);
      last_shape_ = x.shape();
      return;
    }
#pragma omp parallel for schedule(static) if (detail::worth_parallel(x.size()))
    for (index_t pl = 0; pl < planes; ++pl) {
      const T* in = xs + pl * H * W;
      for (index_t oh = 0; oh < OH; ++oh)
        for (index_t ow = 0; ow < OW; ++ow) {
          T best = -std::numeric_limits<T>::infinity();
          index_t where = -1;
          for (index_t i = 0; i < k; ++i) {
            const index_t ih = oh * s - p + i;
            if (ih < 0 || ih >= H) continue;
            for (index_t j = 0; j < k; ++j) {
              const index_t iw = ow * s - p + j;
              if (iw < 0 || iw >= W) continue;
              const T v = in[ih * W + iw];
              // NaN wins and stays, as in PyTorch (a NaN input is never silently dropped).
              if (where < 0 || v > best || (std::isnan(v) && !std::isnan(best))) {
                best = v;
                where = ih * W + iw;
              }
            }
          }
          ys[(pl * OH + oh) * OW + ow] = best;
          am[(pl * OH + oh) * OW + ow] = static_cast<std::int32_t>(where);
        }
    }
    last_shape_ = x.shape();
  }

  void backward(tensor_view<const T, 4> x, tensor_view<const T, 4> y, tensor_view<const T, 4> dy,
                tensor_view<T, 4> dx) {
    if (dx.data() == nullptr) return;
    check_buffer_shape(describe(), "output gradient", y.shape(), dy.shape());
    check_buffer_shape(describe(), "input gradient", x.shape(), dx.shape());
    if (x.shape() != last_shape_ || argmax_.size() != static_cast<std::size_t>(y.size()))
      throw value_error(describe() + ": backward() without a matching forward()");
    const index_t planes = x.extent(0) * x.extent(1), HW = x.extent(2) * x.extent(3), OHW = y.extent(2) * y.extent(3);
    const T* dys = dy.data();
    T* dxs = dx.data();
    const std::int32_t* am = argmax_.data();
#pragma omp parallel for schedule(static) if (detail::worth_parallel(x.size()))
    for (index_t pl = 0; pl < planes; ++pl) {
      T* d = dxs + pl * HW;
      std::fill(d, d + HW, T(0));
      for (index_t o = 0; o < OHW; ++o) d[am[pl * OHW + o]] += dys[pl * OHW + o];
    }
  }

  // Where each output of the last forward() came from: the index within its input plane (H * W),
  // one per output element in output order. For fused backward passes (batch_norm::backward_scattered).
  const std::vector<std::int32_t>& argmax() const { return argmax_; }

  std::string name() const { return "max_pool2d"; }
  std::string describe() const {
    auto s = detail::concat("max_pool2d(k=", c_.kernel_size);
    if (c_.stride != c_.kernel_size) s += detail::concat(", s=", c_.stride);
    if (c_.padding) s += detail::concat(", p=", c_.padding);
    return s + ")";
  }

 private:
  // The common 2x2, stride 2 case without bounds tests: the same first-maximum and NaN rule as the
  // general loop, over the window in the same order.
  static void forward_2x2(const T* xs, T* ys, std::int32_t* am, index_t planes, index_t H, index_t W, index_t OH,
                          index_t OW) {
#pragma omp parallel for schedule(static) if (detail::worth_parallel(planes * H * W))
    for (index_t pl = 0; pl < planes; ++pl) {
      const T* in = xs + pl * H * W;
      T* out = ys + pl * OH * OW;
      std::int32_t* where = am + pl * OH * OW;
      for (index_t oh = 0; oh < OH; ++oh) {
        const T *r0 = in + 2 * oh * W, *r1 = r0 + W;
        const index_t base = 2 * oh * W;
        for (index_t ow = 0; ow < OW; ++ow) {
          const index_t c = 2 * ow;
          T best = r0[c];
          index_t w = base + c;
          auto take = [&](T v, index_t at) {  // selects, not branches: the data decide at random
            const bool m = (v > best) | ((v != v) & (best == best));
            best = m ? v : best;
            w = m ? at : w;
          };
          take(r0[c + 1], base + c + 1);
          take(r1[c], base + W + c);
          take(r1[c + 1], base + W + c + 1);
          out[oh * OW + ow] = best;
          where[oh * OW + ow] = static_cast<std::int32_t>(w);
        }
      }
    }
  }

  max_pool2d_config c_;
  std::vector<std::int32_t> argmax_;
  shape_t<4> last_shape_{};
};

}  // namespace cantus::nn
