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
#include <string>

#include "cantus/backend/backend.hpp"
#include "cantus/core/config.hpp"

namespace cantus::nn::tt {
template <class T, class B>
struct indexing;
}  // namespace cantus::nn::tt

#include "cantus/backend/cpu/nn/indexing.inl"
#if defined(__CUDACC__) && __has_include("cantus/backend/cuda/nn/indexing.cuh")
#include "cantus/backend/cuda/nn/indexing.cuh"
#endif
