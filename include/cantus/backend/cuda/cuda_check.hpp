#pragma once
// Errors from the CUDA runtime, cuBLAS and cuDNN become cantus::device_error (or memory_error for
// allocation failures) whose message names the call that failed, where, and the library's reason.
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include "cantus/base/error.hpp"

namespace cantus::cuda_detail {

inline const char* cublas_status_string(cublasStatus_t s) {
  switch (s) {
    case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
    case CUBLAS_STATUS_MAPPING_ERROR: return "CUBLAS_STATUS_MAPPING_ERROR";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
    default: return "unknown cuBLAS status";
  }
}

[[noreturn]] inline void throw_cuda(cudaError_t e, const char* call, const char* file, int line) {
  const std::string msg = detail::concat(call, " failed at ", file, ":", line, ": ", cudaGetErrorName(e), " (",
                                         cudaGetErrorString(e), ")");
  if (e == cudaErrorMemoryAllocation) throw memory_error(msg);
  throw device_error(msg);
}

}  // namespace cantus::cuda_detail

#define CANTUS_CUDA_CHECK(call)                                                              \
  do {                                                                                       \
    const cudaError_t cantus_err_ = (call);                                                  \
    if (cantus_err_ != cudaSuccess) ::cantus::cuda_detail::throw_cuda(cantus_err_, #call, __FILE__, __LINE__); \
  } while (0)

#define CANTUS_CUBLAS_CHECK(call)                                                            \
  do {                                                                                       \
    const cublasStatus_t cantus_st_ = (call);                                                \
    if (cantus_st_ != CUBLAS_STATUS_SUCCESS)                                                 \
      throw ::cantus::device_error(::cantus::detail::concat(#call, " failed at ", __FILE__, ":", __LINE__, ": ", \
                                   ::cantus::cuda_detail::cublas_status_string(cantus_st_))); \
  } while (0)

#define CANTUS_CUDNN_CHECK(call)                                                             \
  do {                                                                                       \
    const cudnnStatus_t cantus_st_ = (call);                                                 \
    if (cantus_st_ != CUDNN_STATUS_SUCCESS)                                                  \
      throw ::cantus::device_error(::cantus::detail::concat(#call, " failed at ", __FILE__, ":", __LINE__, ": ", \
                                   cudnnGetErrorString(cantus_st_)));                        \
  } while (0)
