// nn::tt::indexing on CUDA (contract in nn/tt/indexing.hpp). Indices are checked on the device first
// (the CPU backend's messages); gathers take a thread per output element; scatter-adds take a thread
// per output row or column and add in the CPU's order, so table gradients are the CPU's bits and need
// no atomics.
#include <string>

#include "cantus/backend/cuda/cuda_backend.hpp"
#include "cantus/base/error.hpp"
#if CANTUS_CUDA_DEFINE
#include "cantus/backend/cuda/nn/launch.cuh"
#endif

namespace cantus::nn::tt {

template <class T>
struct indexing<T, cuda> {
  static void check_values(const std::string& layer, index_t n, index_t classes, const T* x);
  static void one_hot(const std::string& layer, index_t batch, index_t len, index_t classes, const T* x, T* y);
  static void gather_rows(const std::string& layer, index_t n, index_t rows, index_t dim, const T* x, const T* table, T* y);
  static void scatter_add_rows(const std::string& layer, index_t n, index_t rows, index_t dim, const T* x, const T* dy,
                               T* dtable);
  template <class I>
  static void gather_columns(const std::string& layer, index_t batch, index_t len, index_t q_stride, index_t classes,
                             index_t dim, const I* q, const T* table, const T* bias, T* y);
  template <class I>
  static void scatter_add_columns(index_t batch, index_t len, index_t q_stride, index_t classes, index_t dim, const I* q,
                                  const T* dy, T* dtable, T* dbias);
};

#if CANTUS_CUDA_DEFINE
template <class T>
void indexing<T, cuda>::check_values(const std::string& layer, index_t n, index_t classes, const T* x) {
  const index_t i = cuda_launch::first_bad(n, cuda_bodies::bad_class_value<T>{x, classes});
  if (i != cuda_bodies::none)
    throw value_error(cantus::detail::concat(layer, ": input ", i, " is ", cuda_launch::element(x, i),
                                             ", expected a class index in [0, ", classes, ")"));
}
template <class T>
void indexing<T, cuda>::one_hot(const std::string& layer, index_t batch, index_t len, index_t classes, const T* x, T* y) {
  check_values(layer, batch * len, classes, x);
  backend_ops<cuda>::fill(y, static_cast<std::size_t>(batch * classes * len), T(0));
  cuda_launch::for_each(batch * len, cuda_bodies::one_hot<T>{len, classes, x, y});
}
template <class T>
void indexing<T, cuda>::gather_rows(const std::string& layer, index_t n, index_t rows, index_t dim, const T* x,
                                    const T* table, T* y) {
  check_values(layer, n, rows, x);
  cuda_launch::for_each(n * dim, cuda_bodies::gather_row<T>{dim, x, table, y});
}
template <class T>
void indexing<T, cuda>::scatter_add_rows(const std::string& layer, index_t n, index_t rows, index_t dim, const T* x,
                                         const T* dy, T* dtable) {
  check_values(layer, n, rows, x);
  cuda_launch::for_each(dim, cuda_bodies::scatter_add_column<T>{n, dim, x, dy, dtable});
}
template <class T>
template <class I>
void indexing<T, cuda>::gather_columns(const std::string& layer, index_t batch, index_t len, index_t q_stride,
                                       index_t classes, index_t dim, const I* q, const T* table, const T* bias, T* y) {
  const index_t i = cuda_launch::first_bad(batch * len, cuda_bodies::bad_class_index<I>{q, len, q_stride, classes});
  if (i != cuda_bodies::none) {
    const index_t n = i / len, t = i % len;
    throw value_error(cantus::detail::concat(layer, ": input class ",
                                             static_cast<index_t>(cuda_launch::element(q, n * q_stride + t)), " at (", n,
                                             ", ", t, ") outside [0, ", classes, ")"));
  }
  cuda_launch::for_each(batch * dim * len, cuda_bodies::gather_column<T, I>{len, q_stride, classes, dim, q, table, bias, y});
}
template <class T>
template <class I>
void indexing<T, cuda>::scatter_add_columns(index_t batch, index_t len, index_t q_stride, index_t classes, index_t dim,
                                            const I* q, const T* dy, T* dtable, T* dbias) {
  cuda_launch::for_each(dim, cuda_bodies::scatter_add_row_of_table<T, I>{batch, len, q_stride, classes, dim, q, dy,
                                                                         dtable, dbias});
}
#endif

}  // namespace cantus::nn::tt
