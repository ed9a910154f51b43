// AVX-512 (F, BW, DQ, CD, VL) kernels for run-time dispatch; see simd_avx2.cpp for the technique.
#include "cantus/backend/cpu/dispatch/isa_prelude.hpp"

#pragma GCC push_options
#pragma GCC target("avx,avx2,fma,f16c,sse3,ssse3,sse4.1,sse4.2,popcnt,avx512f,avx512bw,avx512dq,avx512cd,avx512vl")
#define __SSE3__ 1
#define __SSSE3__ 1
#define __SSE4_1__ 1
#define __SSE4_2__ 1
#define __AVX__ 1
#define __AVX2__ 1
#define __FMA__ 1
#define __AVX512F__ 1
#define __AVX512BW__ 1
#define __AVX512DQ__ 1
#define __AVX512CD__ 1
#define __AVX512VL__ 1
#define Eigen cantus_eigen_avx512
#define xsimd cantus_xsimd_avx512
#define CANTUS_ISA_NS isa_avx512
#include "cantus/backend/cpu/isa_kernels.inl"
#pragma GCC pop_options

namespace {
[[maybe_unused]] const bool cantus_avx512_registered =
    cantus::cpu_kernels::register_isa(cantus::cpu_kernels::isa::avx512, cantus::cpu_kernels::isa_avx512::tables());
}
