#pragma once
// backend_ops<cuda>: device memory through the CUDA runtime, GEMM through cuBLAS (row-major via the
// transposition identity C^T = op(B)^T op(A)^T), element-wise kernels and reductions compiled from
// this header by nvcc with the same functors the CPU backend uses.
//
// Reductions use a fixed grid and a fixed tree, so results are reproducible run to run.
#if !defined(__CUDACC__)
#error "cantus/backend/cuda/cuda_backend.hpp holds CUDA kernels: compile this translation unit with nvcc (link cantus::cuda)"
#endif

#include <cuda_runtime.h>

#include <vector>

#include "cantus/backend/backend.hpp"
#include "cantus/backend/cuda/device.hpp"
#include "cantus/base/functors.hpp"

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

template <>
struct backend_ops<cuda> {
  // Device memory comes from the device's stream-ordered pool (cudaMallocAsync on the legacy stream,
  // which every kernel, cuBLAS and cuDNN call of this backend uses): a training step creates and drops
  // hundreds of temporaries, and plain cudaMalloc/cudaFree cost tens of microseconds each and cudaFree
  // waits for the whole device. The pool keeps freed memory for reuse (release threshold: never); when
  // an allocation fails, the pool's unused memory is given back and the allocation tried once more.
  template <class T>
  static T* allocate(std::size_t n) {
    if (n == 0) return nullptr;
    const std::size_t bytes = n * sizeof(T);
    cudaMemPool_t pool = cuda_detail::memory_pool();
    void* p = nullptr;
    cudaError_t e = cudaMallocAsync(&p, bytes, nullptr);
    if (e == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      cudaDeviceSynchronize();
      cudaMemPoolTrimTo(pool, 0);
      e = cudaMallocAsync(&p, bytes, nullptr);
    }
    if (e != cudaSuccess) {
      cudaGetLastError();
      throw memory_error(detail::concat("cudaMallocAsync(", bytes, " bytes) failed: ", cudaGetErrorString(e)));
    }
    return static_cast<T*>(p);
  }
  template <class T>
  static void deallocate(T* p) noexcept { if (p) cudaFreeAsync(p, nullptr); }

  template <class T>
  static void upload(T* dst, const T* host_src, std::size_t n) {
    if (n) CANTUS_CUDA_CHECK(cudaMemcpy(dst, host_src, n * sizeof(T), cudaMemcpyHostToDevice));
  }
  template <class T>
  static void download(T* host_dst, const T* src, std::size_t n) {
    if (n) CANTUS_CUDA_CHECK(cudaMemcpy(host_dst, src, n * sizeof(T), cudaMemcpyDeviceToHost));
  }
  template <class T>
  static void copy(T* dst, const T* src, std::size_t n) {
    if (n) CANTUS_CUDA_CHECK(cudaMemcpy(dst, src, n * sizeof(T), cudaMemcpyDeviceToDevice));
  }
  template <class T>
  static void fill(T* x, std::size_t n, T value) {
    if (!n) return;
    cuda_kernels::fill<<<cuda_kernels::grid_for(n), cuda_kernels::threads>>>(x, n, value);
    CANTUS_CUDA_CHECK(cudaGetLastError());
  }
  template <class T, class F>
  static void map(const T* x, T* y, std::size_t n, const F& f) {
    if (!n) return;
    cuda_kernels::map<<<cuda_kernels::grid_for(n), cuda_kernels::threads>>>(x, y, n, f);
    CANTUS_CUDA_CHECK(cudaGetLastError());
  }
  template <class T, class F>
  static void zip(const T* a, const T* b, T* y, std::size_t n, const F& f) {
    if (!n) return;
    cuda_kernels::zip<<<cuda_kernels::grid_for(n), cuda_kernels::threads>>>(a, b, y, n, f);
    CANTUS_CUDA_CHECK(cudaGetLastError());
  }
  template <class T>
  static void axpy(T alpha, const T* x, T* y, std::size_t n) {
    if (!n) return;
    cuda_kernels::axpy<<<cuda_kernels::grid_for(n), cuda_kernels::threads>>>(alpha, x, y, n);
    CANTUS_CUDA_CHECK(cudaGetLastError());
  }

  template <class T>
  static T sum(const T* x, std::size_t n) { return reduce<cuda_kernels::sum_op>(x, static_cast<const T*>(nullptr), n, T(0), [](T a, T b) { return a + b; }); }
  template <class T>
  static T dot(const T* a, const T* b, std::size_t n) { return reduce<cuda_kernels::dot_op>(a, b, n, T(0), [](T p, T q) { return p + q; }); }
  template <class T>
  static T max(const T* x, std::size_t n) {
    if (n == 0) throw value_error("cuda backend: max of an empty range");
    return reduce<cuda_kernels::max_op>(x, static_cast<const T*>(nullptr), n, -std::numeric_limits<T>::infinity(), [](T a, T b) { return a > b ? a : b; });
  }

  template <class T>
  static void gemm(transpose ta, transpose tb, index_t m, index_t n, index_t k, T alpha, const T* a, index_t lda,
                   const T* b, index_t ldb, T beta, T* c, index_t ldc) {
    const auto opa = ta == transpose::yes ? CUBLAS_OP_T : CUBLAS_OP_N;
    const auto opb = tb == transpose::yes ? CUBLAS_OP_T : CUBLAS_OP_N;
    if constexpr (std::is_same_v<T, float>)
      CANTUS_CUBLAS_CHECK(cublasSgemm(cuda_detail::cublas(), opb, opa, int(n), int(m), int(k), &alpha, b, int(ldb), a,
                                      int(lda), &beta, c, int(ldc)));
    else
      CANTUS_CUBLAS_CHECK(cublasDgemm(cuda_detail::cublas(), opb, opa, int(n), int(m), int(k), &alpha, b, int(ldb), a,
                                      int(lda), &beta, c, int(ldc)));
  }
  template <class T>
  static void gemm_strided_batched(transpose ta, transpose tb, index_t m, index_t n, index_t k, T alpha, const T* a,
                                   index_t lda, index_t stride_a, const T* b, index_t ldb, index_t stride_b, T beta,
                                   T* c, index_t ldc, index_t stride_c, index_t batch) {
    const auto opa = ta == transpose::yes ? CUBLAS_OP_T : CUBLAS_OP_N;
    const auto opb = tb == transpose::yes ? CUBLAS_OP_T : CUBLAS_OP_N;
    if constexpr (std::is_same_v<T, float>)
      CANTUS_CUBLAS_CHECK(cublasSgemmStridedBatched(cuda_detail::cublas(), opb, opa, int(n), int(m), int(k), &alpha, b,
                                                    int(ldb), stride_b, a, int(lda), stride_a, &beta, c, int(ldc),
                                                    stride_c, int(batch)));
    else
      CANTUS_CUBLAS_CHECK(cublasDgemmStridedBatched(cuda_detail::cublas(), opb, opa, int(n), int(m), int(k), &alpha, b,
                                                    int(ldb), stride_b, a, int(lda), stride_a, &beta, c, int(ldc),
                                                    stride_c, int(batch)));
  }

  static void synchronize() { CANTUS_CUDA_CHECK(cudaDeviceSynchronize()); }

 private:
  template <class Op, class T, class Combine>
  static T reduce(const T* a, const T* b, std::size_t n, T init, Combine combine) {
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
};

}  // namespace cantus
