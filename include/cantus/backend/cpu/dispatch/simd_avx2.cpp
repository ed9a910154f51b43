// AVX2 + FMA kernels for run-time dispatch (see cantus/backend/cpu/kernel_table.hpp). Compiled with
// -mavx2 -mfma (cmake/CantusSimdDispatch.cmake). Eigen and xsimd are included under renamed
// namespaces so none of their inline functions, compiled here for AVX2, can be merged by the linker
// into baseline code; the standard library comes from the prelude.
#include "cantus/backend/cpu/dispatch/isa_prelude.hpp"

#define Eigen cantus_eigen_avx2
#define xsimd cantus_xsimd_avx2
#define CANTUS_ISA_NS isa_avx2
#include "cantus/backend/cpu/isa_kernels.inl"

namespace {
[[maybe_unused]] const bool cantus_avx2_registered =
    cantus::cpu_kernels::register_isa(cantus::cpu_kernels::isa::avx2, &cantus::cpu_kernels::isa_avx2::tables);
}
