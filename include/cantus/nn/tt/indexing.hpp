#pragma once
// nn::tt::indexing<T, B>: class indices held as values of T, checked and turned into vectors, on
// backend B (see nn/tt/conv1d.hpp for nn::tt). A non-integer or out-of-range index is a value_error
// naming `layer`, the position and the value.
//   static void one_hot(const std::string& layer, index_t batch, index_t len, index_t classes, const T* x, T* y);
//       y [batch, classes, len] = one_hot(x [batch, len]) (overwritten)
//   static void gather_rows(const std::string& layer, index_t n, index_t rows, index_t dim, const T* x,
//                           const T* table, T* y);          y[i] = table[x[i]]  (rows of `dim` values)
//   static void scatter_add_rows(const std::string& layer, index_t n, index_t rows, index_t dim,
//                                const T* x, const T* dy, T* dtable);   dtable[x[i]] += dy[i]
// A lookup with integer indices, laid out as a 1x1 convolution over one-hot vectors sees it (WaveNet's
// input layer): `q` is [batch, q_stride] of which the first `len` of each row are read, `table` is
// [dim, classes], y and dy are [batch, dim, len]. An index outside [0, classes) is a value_error
// naming `layer`, the index and its (batch, time) position.
//   template <class I> static void gather_columns(const std::string& layer, index_t batch, index_t len,
//       index_t q_stride, index_t classes, index_t dim, const I* q, const T* table, const T* bias, T* y);
//       y[n, r, t] = table[r, q[n, t]] + bias[r]
//   template <class I> static void scatter_add_columns(index_t batch, index_t len, index_t q_stride,
//       index_t classes, index_t dim, const I* q, const T* dy, T* dtable, T* dbias);
//       dtable[r, q[n, t]] += dy[n, r, t]; dbias[r] += dy[n, r, t]  (indices already checked by the gather)
#include <string>

#include "cantus/backend/backend.hpp"
#include "cantus/base/config.hpp"

namespace cantus::nn::tt {
template <class T, class B>
struct indexing;
}  // namespace cantus::nn::tt

#include "cantus/backend/cpu/nn/indexing.inl"
#if CANTUS_CUDA_DECLARE && __has_include("cantus/backend/cuda/nn/indexing.cuh")
#include "cantus/backend/cuda/nn/indexing.cuh"
#endif
