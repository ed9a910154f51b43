#pragma once
// Included by each dispatch translation unit BEFORE it switches the instruction set on. Everything
// defined here (the standard library, the kernel registry) is then compiled for the baseline, so the
// linker can never merge an AVX-compiled copy of a shared inline function into baseline code. Eigen
// and xsimd are included after the switch under renamed namespaces for the same reason.
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
#include "cantus/core/functors.hpp"
