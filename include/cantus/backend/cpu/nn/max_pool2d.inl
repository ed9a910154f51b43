// The CPU implementation of nn::tt::max_pool2d (contract in nn/tt/max_pool2d.hpp, which includes
// this file).
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/backend/cpu/nn/im2col.hpp"

namespace cantus::nn::tt {

template <class T>
struct max_pool2d<T, cpu> {
  static void forward(const max_pool2d_config& c, index_t planes, index_t H, index_t W, index_t OH, index_t OW,
                      const T* xs, T* ys, std::int32_t* am) {
    const index_t k = c.kernel_size, s = c.stride, p = c.padding;
    if (k == 2 && s == 2 && p == 0) return forward_2x2(xs, ys, am, planes, H, W, OH, OW);
#pragma omp parallel for schedule(static) if (detail::worth_parallel(planes * H * W))
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
  }

  static void backward(index_t planes, index_t HW, index_t OHW, const std::int32_t* am, const T* dys, T* dxs) {
#pragma omp parallel for schedule(static) if (detail::worth_parallel(planes * HW))
    for (index_t pl = 0; pl < planes; ++pl) {
      T* d = dxs + pl * HW;
      std::fill(d, d + HW, T(0));
      for (index_t o = 0; o < OHW; ++o) d[am[pl * OHW + o]] += dys[pl * OHW + o];
    }
  }

 private:
  // The common 2x2, stride 2 case without bounds tests, through the dispatched SIMD kernel: the same
  // first-maximum and NaN rule as the general loop, over the window in the same order.
  static void forward_2x2(const T* xs, T* ys, std::int32_t* am, index_t planes, index_t H, index_t W, index_t OH,
                          index_t OW) {
    const auto row = cpu_kernels::active_kernels<T>().max_pool_2x2_row;
#pragma omp parallel for schedule(static) if (detail::worth_parallel(planes * H * W))
    for (index_t pl = 0; pl < planes; ++pl) {
      const T* in = xs + pl * H * W;
      for (index_t oh = 0; oh < OH; ++oh)
        row(in + 2 * oh * W, in + (2 * oh + 1) * W, OW, static_cast<std::int32_t>(2 * oh * W),
            static_cast<std::int32_t>(W), ys + (pl * OH + oh) * OW, am + (pl * OH + oh) * OW);
    }
  }
};

}  // namespace cantus::nn::tt
