#pragma once
// The backend trait. Code above this line (tensors, layers, models) is written once against
// `backend_ops<B>` and the concept `backend`; a backend is a tag type:
//   cantus::cpu   — Eigen GEMM + xsimd kernels dispatched at run time + OpenMP   (backend/cpu)
//   cantus::cuda  — cuBLAS + CUDA kernels compiled from headers by nvcc          (backend/cuda)
//
// Contract of backend_ops<B> (all pointers are in B's memory space, sizes in elements):
//   allocate<T>(n) / deallocate(p)            aligned storage; failure throws memory_error
//   upload(dst, host_src, n) / download(host_dst, src, n) / copy(dst, src, n)
//   fill(x, n, value)
//   map(x, y, n, f)          y[i] = f(x[i])            (f: a functor of base/functors.hpp or any like it)
//   zip(a, b, y, n, f)       y[i] = f(a[i], b[i])
//   axpy(alpha, x, y, n)     y += alpha * x
//   sum(x, n), dot(a, b, n), max(x, n)                reductions, deterministic for a thread count
//   gemm(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc)               row-major C = αop(A)op(B) + βC
//   gemm_strided_batched(..., stride_a, stride_b, stride_c, batch)           the same for `batch` matrices
//   synchronize()
#include <concepts>
#include <cstddef>

#include "cantus/base/config.hpp"

namespace cantus {

struct cpu {
  static constexpr const char* name = "cpu";
  static constexpr bool host_accessible = true;
};
struct cuda {
  static constexpr const char* name = "cuda";
  static constexpr bool host_accessible = false;
};

enum class transpose : bool { no = false, yes = true };

template <class B>
struct backend_ops;  // specialised in backend/cpu/cpu_backend.hpp and backend/cuda/cuda_backend.hpp

template <class B>
concept backend = requires(float* p, const float* cp, std::size_t n) {
  { B::name } -> std::convertible_to<const char*>;
  { backend_ops<B>::template allocate<float>(n) } -> std::same_as<float*>;
  backend_ops<B>::deallocate(p);
  backend_ops<B>::upload(p, cp, n);
  backend_ops<B>::download(p, cp, n);
  backend_ops<B>::copy(p, cp, n);
  backend_ops<B>::fill(p, n, 0.0f);
  { backend_ops<B>::sum(cp, n) } -> std::same_as<float>;
  { backend_ops<B>::dot(cp, cp, n) } -> std::same_as<float>;
  backend_ops<B>::gemm(transpose::no, transpose::no, 1, 1, 1, 1.0f, cp, 1, cp, 1, 0.0f, p, 1);
};

}  // namespace cantus
