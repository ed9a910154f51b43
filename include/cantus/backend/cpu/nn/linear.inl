// The CPU implementation of nn::tt::linear (contract in nn/tt/linear.hpp, which includes this file):
// GEMMs by blocks of rows (samples), weight gradients summed per block in block order.
#include <algorithm>
#include <vector>

#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/backend/cpu/nn/im2col.hpp"

namespace cantus::nn::tt {

template <class T>
class linear<T, cpu> {
 public:
  void forward(index_t rows, index_t in, index_t out, const T* x, const T* w, const T* bias, T* y) {
    if (bias)
      for (index_t r = 0; r < rows; ++r) std::copy(bias, bias + out, y + r * out);
    detail::gemm_by_rows(transpose::yes, rows, out, in, T(1), x, in, w, in, bias ? T(1) : T(0), y, out);
  }
  void backward(index_t rows, index_t in, index_t out, const T* x, const T* w, const T* dy, T* dw, T* dbias, T* dx) {
    detail::gemm_tn_accumulate(out, in, rows, dy, out, x, in, dw, in, partial_);
    if (dbias)
      for (index_t r = 0; r < rows; ++r) {
        const T* d = dy + r * out;
        for (index_t j = 0; j < out; ++j) dbias[j] += d[j];
      }
    if (dx) detail::gemm_by_rows(transpose::no, rows, in, out, T(1), dy, out, w, in, T(0), dx, in);
  }

 private:
  std::vector<T> partial_;  // per-block weight-gradient sums
};

}  // namespace cantus::nn::tt
