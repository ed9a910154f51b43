// AVX2 + FMA kernels for run-time dispatch (see cantus/backend/cpu/kernel_table.hpp).
// GCC's target pragma lets this one translation unit use AVX2 without compiling the rest of the
// program for it; xsimd and Eigen read the __AVX2__-style macros, which the pragma does not set.
#include "cantus/backend/cpu/dispatch/isa_prelude.hpp"

#pragma GCC push_options
#pragma GCC target("avx,avx2,fma,f16c,sse3,ssse3,sse4.1,sse4.2,popcnt")
#define __SSE3__ 1
#define __SSSE3__ 1
#define __SSE4_1__ 1
#define __SSE4_2__ 1
#define __AVX__ 1
#define __AVX2__ 1
#define __FMA__ 1
#define Eigen cantus_eigen_avx2
#define xsimd cantus_xsimd_avx2
#define CANTUS_ISA_NS isa_avx2
#include "cantus/backend/cpu/isa_kernels.inl"
#pragma GCC pop_options

namespace {
[[maybe_unused]] const bool cantus_avx2_registered =
    cantus::cpu_kernels::register_isa(cantus::cpu_kernels::isa::avx2, cantus::cpu_kernels::isa_avx2::tables());
}
