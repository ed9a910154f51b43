#pragma once
// The kernels of backend_ops<cuda> (declared in cuda_backend.hpp) and the member definitions that
// launch them: nvcc only, included by cuda_backend.hpp where CANTUS_CUDA_DEFINE says (base/config.hpp).
#include <cuda_runtime.h>

#include <limits>
#include <vector>

namespace cantus {
namespace cuda_kernels {

inline constexpr int threads = 256;
inline constexpr int reduce_blocks = 256;

inline int grid_for(std::size_t n) {
  const std::size_t blocks = (n + threads - 1) / threads;
  return static_cast<int>(blocks < 65535 * 16 ? (blocks ? blocks : 1) : 65535 * 16);
}

template <class T>
__global__ void fill(T* x, std::size_t n, T v) {
  for (std::size_t i = blockIdx.x * std::size_t(blockDim.x) + threadIdx.x; i < n; i += std::size_t(gridDim.x) * blockDim.x) x[i] = v;
}
template <class T, class F>
__global__ void map(const T* x, T* y, std::size_t n, F f) {
  for (std::size_t i = blockIdx.x * std::size_t(blockDim.x) + threadIdx.x; i < n; i += std::size_t(gridDim.x) * blockDim.x) y[i] = f(x[i]);
}
template <class T, class F>
__global__ void zip(const T* a, const T* b, T* y, std::size_t n, F f) {
  for (std::size_t i = blockIdx.x * std::size_t(blockDim.x) + threadIdx.x; i < n; i += std::size_t(gridDim.x) * blockDim.x) y[i] = f(a[i], b[i]);
}
template <class T>
__global__ void axpy(T alpha, const T* x, T* y, std::size_t n) {
  for (std::size_t i = blockIdx.x * std::size_t(blockDim.x) + threadIdx.x; i < n; i += std::size_t(gridDim.x) * blockDim.x) y[i] += alpha * x[i];
}

struct sum_op {
  template <class T> __device__ static T identity() { return T(0); }
  template <class T> __device__ static T combine(T a, T b) { return a + b; }
  template <class T> __device__ static T load(const T* a, const T*, std::size_t i) { return a[i]; }
};
struct dot_op {
  template <class T> __device__ static T identity() { return T(0); }
  template <class T> __device__ static T combine(T a, T b) { return a + b; }
  template <class T> __device__ static T load(const T* a, const T* b, std::size_t i) { return a[i] * b[i]; }
};
struct max_op {
  template <class T> __device__ static T identity() { return -INFINITY; }
  template <class T> __device__ static T combine(T a, T b) { return a > b ? a : b; }
  template <class T> __device__ static T load(const T* a, const T*, std::size_t i) { return a[i]; }
};

// One partial result per block: a grid-stride loop then a shared-memory tree.
template <class Op, class T>
__global__ void reduce_partial(const T* a, const T* b, std::size_t n, T* partial) {
  __shared__ T s[threads];
  T acc = Op::template identity<T>();
  for (std::size_t i = blockIdx.x * std::size_t(blockDim.x) + threadIdx.x; i < n; i += std::size_t(gridDim.x) * blockDim.x)
    acc = Op::combine(acc, Op::load(a, b, i));
  s[threadIdx.x] = acc;
  __syncthreads();
  for (int w = threads / 2; w > 0; w /= 2) {
    if (threadIdx.x < w) s[threadIdx.x] = Op::combine(s[threadIdx.x], s[threadIdx.x + w]);
    __syncthreads();
  }
  if (threadIdx.x == 0) partial[blockIdx.x] = s[0];
}

}  // namespace cuda_kernels

template <class T>
void backend_ops<cuda>::fill(T* x, std::size_t n, T value) {
  if (!n) return;
  cuda_kernels::fill<<<cuda_kernels::grid_for(n), cuda_kernels::threads>>>(x, n, value);
  CANTUS_CUDA_CHECK(cudaGetLastError());
}
template <class T, class F>
void backend_ops<cuda>::map(const T* x, T* y, std::size_t n, const F& f) {
  if (!n) return;
  cuda_kernels::map<<<cuda_kernels::grid_for(n), cuda_kernels::threads>>>(x, y, n, f);
  CANTUS_CUDA_CHECK(cudaGetLastError());
}
template <class T, class F>
void backend_ops<cuda>::zip(const T* a, const T* b, T* y, std::size_t n, const F& f) {
  if (!n) return;
  cuda_kernels::zip<<<cuda_kernels::grid_for(n), cuda_kernels::threads>>>(a, b, y, n, f);
  CANTUS_CUDA_CHECK(cudaGetLastError());
}
template <class T>
void backend_ops<cuda>::axpy(T alpha, const T* x, T* y, std::size_t n) {
  if (!n) return;
  cuda_kernels::axpy<<<cuda_kernels::grid_for(n), cuda_kernels::threads>>>(alpha, x, y, n);
  CANTUS_CUDA_CHECK(cudaGetLastError());
}

template <class T>
T backend_ops<cuda>::sum(const T* x, std::size_t n) {
  return reduce<cuda_kernels::sum_op>(x, static_cast<const T*>(nullptr), n, T(0), [](T a, T b) { return a + b; });
}
template <class T>
T backend_ops<cuda>::dot(const T* a, const T* b, std::size_t n) {
  return reduce<cuda_kernels::dot_op>(a, b, n, T(0), [](T p, T q) { return p + q; });
}
template <class T>
T backend_ops<cuda>::max(const T* x, std::size_t n) {
  if (n == 0) throw value_error("cuda backend: max of an empty range");
  return reduce<cuda_kernels::max_op>(x, static_cast<const T*>(nullptr), n, -std::numeric_limits<T>::infinity(),
                                      [](T a, T b) { return a > b ? a : b; });
}

template <class Op, class T, class Combine>
T backend_ops<cuda>::reduce(const T* a, const T* b, std::size_t n, T init, Combine combine) {
  if (n == 0) return init;
  T* partial = allocate<T>(cuda_kernels::reduce_blocks);
  cuda_kernels::reduce_partial<Op><<<cuda_kernels::reduce_blocks, cuda_kernels::threads>>>(a, b, n, partial);
  std::vector<T> host(cuda_kernels::reduce_blocks);
  const cudaError_t e = cudaGetLastError();
  if (e == cudaSuccess) download(host.data(), partial, host.size());
  deallocate(partial);
  if (e != cudaSuccess) cuda_detail::throw_cuda(e, "reduce_partial<<<>>>", __FILE__, __LINE__);
  T r = host[0];
  for (std::size_t i = 1; i < host.size(); ++i) r = combine(r, host[i]);
  return r;
}

}  // namespace cantus
