#pragma once
// Included first by each dispatch translation unit. Known limit of per-file -m flags (xsimd's own
// recommended dispatch technique has it too): an inline standard-library function instantiated in
// such a file is compiled for that instruction set, and the linker may keep that copy. The kernels
// therefore use nothing from the standard library beyond constexpr helpers, and Eigen and xsimd are
// included under renamed namespaces (see simd_avx2.cpp), which removes the risk for them.
// Eigen never threads a product in these kernels: callers that want threads split their products
// into blocks fixed by the problem size and run them on OpenMP threads (nn::detail::gemm_by_columns,
// rnn_detail::gemm_row_blocks). Eigen's own threading spin-waits in lock-step and picks its blocking
// by thread count: small products at top level (the --quick models) ran 40x slower with 2 threads
// than with 1, and results changed bits with the thread count.
#define EIGEN_DONT_PARALLELIZE
#include <algorithm>
#include <array>
#include <cassert>
#include <cfloat>
#include <climits>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iosfwd>
#include <iostream>
#include <limits>
#include <memory>
#include <new>
#include <numeric>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>
#include <omp.h>

#include "cantus/backend/cpu/kernel_table.hpp"
#include "cantus/base/functors.hpp"
