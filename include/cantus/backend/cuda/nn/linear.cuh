// nn::tt::linear on CUDA (contract in nn/tt/linear.hpp): cuBLAS GEMMs (backend_ops<cuda>::gemm) and a
// chunked column sum for the bias gradient (cuda_launch::add_column_sums).
#include "cantus/backend/cuda/cuda_backend.hpp"
#if CANTUS_CUDA_DEFINE
#include "cantus/backend/cuda/nn/launch.cuh"
#endif

namespace cantus::nn::tt {

template <class T>
class linear<T, cuda> {
 public:
  void forward(index_t rows, index_t in, index_t out, const T* x, const T* w, const T* bias, T* y);
  void backward(index_t rows, index_t in, index_t out, const T* x, const T* w, const T* dy, T* dw, T* dbias, T* dx);
};

#if CANTUS_CUDA_DEFINE
template <class T>
void linear<T, cuda>::forward(index_t rows, index_t in, index_t out, const T* x, const T* w, const T* bias, T* y) {
  if (bias) cuda_launch::for_each(rows * out, cuda_bodies::broadcast_row<T>{out, bias, y});
  backend_ops<cuda>::gemm(transpose::no, transpose::yes, rows, out, in, T(1), x, in, w, in, bias ? T(1) : T(0), y, out);
}
template <class T>
void linear<T, cuda>::backward(index_t rows, index_t in, index_t out, const T* x, const T* w, const T* dy, T* dw,
                               T* dbias, T* dx) {
  backend_ops<cuda>::gemm(transpose::yes, transpose::no, out, in, rows, T(1), dy, out, x, in, T(1), dw, in);
  if (dbias) cuda_launch::add_column_sums(rows, out, index_t(1), dy, dbias);
  if (dx) backend_ops<cuda>::gemm(transpose::no, transpose::no, rows, in, out, T(1), dy, out, w, in, T(0), dx, in);
}
#endif

}  // namespace cantus::nn::tt
