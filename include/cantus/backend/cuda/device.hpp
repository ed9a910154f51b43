#pragma once
// CUDA device discovery and the per-thread library handles (cuBLAS, cuDNN) the backend uses.
#include <cstdint>
#include <string>

#include "cantus/backend/cuda/cuda_check.hpp"

namespace cantus::cuda_detail {

// True when a usable CUDA device is present; never throws (no driver, no device -> false).
inline bool device_available() {
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no device" error
    return false;
  }
  return n > 0;
}

inline std::string device_name() {
  cudaDeviceProp p{};
  int dev = 0;
  CANTUS_CUDA_CHECK(cudaGetDevice(&dev));
  CANTUS_CUDA_CHECK(cudaGetDeviceProperties(&p, dev));
  return p.name;
}

class cublas_handle {
 public:
  cublas_handle() { CANTUS_CUBLAS_CHECK(cublasCreate(&h_)); }
  ~cublas_handle() { cublasDestroy(h_); }
  cublas_handle(const cublas_handle&) = delete;
  cublas_handle& operator=(const cublas_handle&) = delete;
  operator cublasHandle_t() const { return h_; }

 private:
  cublasHandle_t h_{};
};

class cudnn_handle {
 public:
  cudnn_handle() { CANTUS_CUDNN_CHECK(cudnnCreate(&h_)); }
  ~cudnn_handle() { cudnnDestroy(h_); }
  cudnn_handle(const cudnn_handle&) = delete;
  cudnn_handle& operator=(const cudnn_handle&) = delete;
  operator cudnnHandle_t() const { return h_; }

 private:
  cudnnHandle_t h_{};
};

// The current device's default memory pool, set on first use to keep what is freed (the backend's
// allocate() gives it back only when an allocation fails).
inline cudaMemPool_t memory_pool() {
  thread_local int configured = -1;
  thread_local cudaMemPool_t pool{};
  int dev = 0;
  CANTUS_CUDA_CHECK(cudaGetDevice(&dev));
  if (dev != configured) {
    CANTUS_CUDA_CHECK(cudaDeviceGetDefaultMemPool(&pool, dev));
    std::uint64_t keep = ~std::uint64_t(0);
    CANTUS_CUDA_CHECK(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep));
    configured = dev;
  }
  return pool;
}

// One handle per host thread: cuBLAS and cuDNN handles must not be shared across threads.
inline cublasHandle_t cublas() {
  thread_local cublas_handle h;
  return h;
}
inline cudnnHandle_t cudnn() {
  thread_local cudnn_handle h;
  return h;
}

}  // namespace cantus::cuda_detail
