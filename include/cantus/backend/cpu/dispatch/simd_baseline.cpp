// The baseline kernel table, compiled once per project with the project's own flags (no -m flags,
// the including program's Eigen settings) and linked into every program, like the AVX levels.
// cpu_backend.hpp declares these instantiations extern wherever CANTUS_SIMD_DISPATCH is set.
#define CANTUS_ISA_NS isa_baseline
#include "cantus/backend/cpu/isa_kernels.inl"

namespace cantus::cpu_kernels::isa_baseline {
template const kernel_table<float>& table<float>();
template const kernel_table<double>& table<double>();
}  // namespace cantus::cpu_kernels::isa_baseline
