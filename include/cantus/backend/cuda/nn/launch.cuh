#pragma once
// Launching the bodies of element_bodies.hpp on the device: one thread per index (grid-stride), sums
// in double and minima of index checks per block, the blocks combined on the host in block order (so a
// result does not depend on scheduling). Every launch is checked; a failure throws cuda_error naming
// the kernel's body.
#include <cuda_runtime.h>

#include <typeinfo>
#include <vector>

#include "cantus/backend/cuda/cuda_backend.hpp"
#include "cantus/backend/cuda/nn/element_bodies.hpp"
#include "cantus/core/tensor.hpp"

namespace cantus::nn::tt::cuda_launch {

inline constexpr int threads = 256;
inline constexpr int max_blocks = 1024;

inline int blocks_for(index_t n) {
  const index_t b = (n + threads - 1) / threads;
  return static_cast<int>(b < 1 ? 1 : (b > max_blocks ? max_blocks : b));
}

template <class Body>
__global__ void for_each_kernel(index_t n, Body body) {
  for (index_t i = blockIdx.x * index_t(blockDim.x) + threadIdx.x; i < n; i += index_t(gridDim.x) * blockDim.x) body(i);
}

struct sum_combine {
  __device__ static double identity() { return 0.0; }
  __device__ static double combine(double a, double b) { return a + b; }
};
struct min_combine {
  __device__ static index_t identity() { return cuda_bodies::none; }
  __device__ static index_t combine(index_t a, index_t b) { return a < b ? a : b; }
};

template <class R, class Combine, class Body>
__global__ void reduce_kernel(index_t n, Body body, R* partial) {
  __shared__ R s[threads];
  R acc = Combine::identity();
  for (index_t i = blockIdx.x * index_t(blockDim.x) + threadIdx.x; i < n; i += index_t(gridDim.x) * blockDim.x)
    acc = Combine::combine(acc, body(i));
  s[threadIdx.x] = acc;
  __syncthreads();
  for (int w = threads / 2; w > 0; w /= 2) {
    if (threadIdx.x < w) s[threadIdx.x] = Combine::combine(s[threadIdx.x], s[threadIdx.x + w]);
    __syncthreads();
  }
  if (threadIdx.x == 0) partial[blockIdx.x] = s[0];
}

inline void check_launch(const char* body) {
  const cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess) cuda_detail::throw_cuda(e, body, __FILE__, __LINE__);
}

// body(i) for i in [0, n).
template <class Body>
void for_each(index_t n, const Body& body) {
  if (n <= 0) return;
  for_each_kernel<<<blocks_for(n), threads>>>(n, body);
  check_launch(typeid(Body).name());
}

template <class R, class Combine, class Body, class HostCombine>
R reduce(index_t n, const Body& body, R init, HostCombine host_combine) {
  if (n <= 0) return init;
  const int blocks = blocks_for(n);
  R* partial = backend_ops<cuda>::allocate<R>(static_cast<std::size_t>(blocks));
  reduce_kernel<R, Combine><<<blocks, threads>>>(n, body, partial);
  const cudaError_t e = cudaGetLastError();
  std::vector<R> host(static_cast<std::size_t>(blocks));
  if (e == cudaSuccess) backend_ops<cuda>::download(host.data(), partial, host.size());
  backend_ops<cuda>::deallocate(partial);
  if (e != cudaSuccess) cuda_detail::throw_cuda(e, typeid(Body).name(), __FILE__, __LINE__);
  R r = init;
  for (const R& p : host) r = host_combine(r, p);
  return r;
}

// The sum of body(i) over [0, n), in double.
template <class Body>
double sum(index_t n, const Body& body) {
  return reduce<double, sum_combine>(n, body, 0.0, [](double a, double b) { return a + b; });
}

// The smallest body(i) over [0, n): the first position an index check rejects, or cuda_bodies::none.
template <class Body>
index_t first_bad(index_t n, const Body& body) {
  return reduce<index_t, min_combine>(n, body, cuda_bodies::none, [](index_t a, index_t b) { return a < b ? a : b; });
}

// out[j] += the sum over rows and positions of column j of x [rows, cols, positions] (bias gradients;
// element_bodies.hpp's partial_column_sum says how).
template <class T>
void add_column_sums(index_t rows, index_t cols, index_t positions, const T* x, T* out) {
  const index_t per_column = rows * positions;
  if (cols <= 0 || per_column <= 0) return;
  const index_t chunk = cuda_bodies::column_sum_chunk(per_column, cols), chunks = (per_column + chunk - 1) / chunk;
  tensor<double, 1, cuda> partial({cols * chunks});
  for_each(cols * chunks, cuda_bodies::partial_column_sum<T>{cols, positions, per_column, chunk, chunks, x, partial.data()});
  for_each(cols, cuda_bodies::add_partials<T>{chunks, partial.data(), out});
}

// One element of device memory, for an error message.
template <class T>
T element(const T* p, index_t i) {
  T v{};
  backend_ops<cuda>::download(&v, p + i, 1);
  return v;
}

}  // namespace cantus::nn::tt::cuda_launch
