// The CPU implementation of nn::tt::dropout (contract in nn/tt/dropout.hpp, which includes this file).
#include <omp.h>

#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/backend/cpu/nn/im2col.hpp"

namespace cantus::nn::tt {

template <class T>
struct dropout<T, cpu> {
  static void apply(index_t n, const T* xs, T* ys, const random_stream& rng, float p, T scale) {
#pragma omp parallel for schedule(static) if (detail::worth_parallel(n))
    for (index_t i = 0; i < n; ++i) ys[i] = rng.uniform(std::uint64_t(i)) < p ? T(0) : xs[i] * scale;
  }
};

}  // namespace cantus::nn::tt
