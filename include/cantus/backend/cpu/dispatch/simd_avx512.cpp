// AVX-512 (F, BW, DQ, CD, VL) kernels for run-time dispatch, compiled with the matching -m flags;
// see simd_avx2.cpp for the technique.
#include "cantus/backend/cpu/dispatch/isa_prelude.hpp"

#define Eigen cantus_eigen_avx512
#define xsimd cantus_xsimd_avx512
#define CANTUS_ISA_NS isa_avx512
#include "cantus/backend/cpu/isa_kernels.inl"

namespace {
[[maybe_unused]] const bool cantus_avx512_registered =
    cantus::cpu_kernels::register_isa(cantus::cpu_kernels::isa::avx512, &cantus::cpu_kernels::isa_avx512::tables);
}
