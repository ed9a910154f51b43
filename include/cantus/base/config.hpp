#pragma once
// Compiler portability: the same element-wise functors run on the host (scalars and xsimd batches)
// and inside CUDA kernels.
#include <cstddef>
#include <cstdint>

#if defined(__CUDACC__)
#define CANTUS_HD __host__ __device__
#define CANTUS_DEVICE __device__
#else
#define CANTUS_HD
#define CANTUS_DEVICE
#endif

// Element-wise functors are always inlined into the kernel that applies them. Besides speed this is
// required for run-time dispatch: a functor defined outside an AVX translation-unit region and called
// out of line with a 256/512-bit vector would be compiled for the baseline ABI.
#if defined(__CUDACC__)
#define CANTUS_INLINE_HD __forceinline__ __host__ __device__
#elif defined(__GNUC__)
#define CANTUS_INLINE_HD inline __attribute__((always_inline))
#else
#define CANTUS_INLINE_HD inline
#endif

// Who sees what of the CUDA backend. Its classes (backend_ops<cuda>, nn::tt::X<T, cuda>) are declared
// wherever nvcc compiles, and wherever the host compiler does in a build tree whose cantus::cuda
// carries the kernels compiled once (CANTUS_CUDA_COMPILED: nn/cuda_compiled.cu, for float): a
// program that trains on cuda is then an ordinary C++ file. Their member definitions, which launch
// kernels, are compiled by nvcc only: in that one unit (CANTUS_CUDA_DEFINITIONS), or in every .cu file
// of an installed cantus, which has no compiled kernels and keeps the header-only way.
#if defined(__CUDACC__) || defined(CANTUS_CUDA_COMPILED)
#define CANTUS_CUDA_DECLARE 1
#else
#define CANTUS_CUDA_DECLARE 0
#endif
#if defined(__CUDACC__) && (!defined(CANTUS_CUDA_COMPILED) || defined(CANTUS_CUDA_DEFINITIONS))
#define CANTUS_CUDA_DEFINE 1
#else
#define CANTUS_CUDA_DEFINE 0
#endif

#if defined(_MSC_VER)
#define CANTUS_RESTRICT __restrict
#else
#define CANTUS_RESTRICT __restrict__
#endif

namespace cantus {
using index_t = std::int64_t;

// CPU storage alignment: one cache line, which is also the widest SIMD register (AVX-512).
inline constexpr std::size_t cpu_alignment = 64;

inline constexpr const char* version = "0.1.0";
}  // namespace cantus
