#pragma once
// backend_ops<cuda>: device memory through the CUDA runtime, GEMM through cuBLAS (row-major via the
// transposition identity C^T = op(B)^T op(A)^T), element-wise kernels and reductions with the same
// functors the CPU backend uses.
//
// Memory and GEMM are host calls, defined here for every compiler. The element-wise kernels and the
// reductions are declared here and defined below for nvcc only (CANTUS_CUDA_DEFINE, base/config.hpp):
// in a build tree they are compiled once, in nn/cuda_compiled.cu, for float and double and the
// functors the library applies; a host-compiled file that maps a functor of its own on cuda needs
// nvcc (or an instantiation of its own).
//
// Reductions use a fixed grid and a fixed tree, so results are reproducible run to run.
#include <cuda_runtime.h>

#include <limits>
#include <vector>

#include "cantus/backend/backend.hpp"
#include "cantus/backend/cuda/device.hpp"
#include "cantus/base/functors.hpp"

namespace cantus {


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
  static void fill(T* x, std::size_t n, T value);
  template <class T, class F>
  static void map(const T* x, T* y, std::size_t n, const F& f);
  template <class T, class F>
  static void zip(const T* a, const T* b, T* y, std::size_t n, const F& f);
  template <class T>
  static void axpy(T alpha, const T* x, T* y, std::size_t n);
  template <class T>
  static T sum(const T* x, std::size_t n);
  template <class T>
  static T dot(const T* a, const T* b, std::size_t n);
  template <class T>
  static T max(const T* x, std::size_t n);

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
  static T reduce(const T* a, const T* b, std::size_t n, T init, Combine combine);
};

}  // namespace cantus

#if CANTUS_CUDA_DEFINE
#include "cantus/backend/cuda/cuda_backend_kernels.cuh"
#endif
