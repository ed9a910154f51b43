#pragma once
// Element-wise operations as small functor types. One definition serves scalars (float, double),
// xsimd batches on the CPU (found by argument-dependent lookup) and CUDA device code, so a kernel is
// written once for every backend. The backends recognise the functors listed in `unary_ops` and
// `binary_ops` and run them through their run-time dispatched SIMD tables; any other functor works
// too, through the generic path.
#include <cmath>
#include <type_traits>

#include "cantus/base/config.hpp"

// nvcc would warn when a host-only instantiation (an xsimd batch on the CPU) of a __host__ __device__
// template calls host functions; the pragma tells it that is intended.
#if defined(__CUDACC__)
#define CANTUS_FUNCTOR_CALL _Pragma("nv_exec_check_disable") template <class V> CANTUS_INLINE_HD
#else
#define CANTUS_FUNCTOR_CALL template <class V> CANTUS_INLINE_HD
#endif

namespace cantus::ops {

// Scalar overloads; xsimd's overloads for batches are found by ADL at instantiation.
#define CANTUS_SCALAR_MATH(name, fexpr, dexpr)                                  \
  CANTUS_INLINE_HD float name(float x) { return fexpr; }                         \
  CANTUS_INLINE_HD double name(double x) { return dexpr; }
#if defined(__CUDACC__)  // CUDA's math functions exist on host and device
CANTUS_SCALAR_MATH(exp, ::expf(x), ::exp(x))
CANTUS_SCALAR_MATH(log, ::logf(x), ::log(x))
CANTUS_SCALAR_MATH(tanh, ::tanhf(x), ::tanh(x))
CANTUS_SCALAR_MATH(sqrt, ::sqrtf(x), ::sqrt(x))
CANTUS_SCALAR_MATH(abs, ::fabsf(x), ::fabs(x))
#else
CANTUS_SCALAR_MATH(exp, std::exp(x), std::exp(x))
CANTUS_SCALAR_MATH(log, std::log(x), std::log(x))
CANTUS_SCALAR_MATH(tanh, std::tanh(x), std::tanh(x))
CANTUS_SCALAR_MATH(sqrt, std::sqrt(x), std::sqrt(x))
CANTUS_SCALAR_MATH(abs, std::fabs(x), std::fabs(x))
#endif
#undef CANTUS_SCALAR_MATH
template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
CANTUS_INLINE_HD T max(T a, T b) { return a > b ? a : b; }
template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
CANTUS_INLINE_HD T min(T a, T b) { return a < b ? a : b; }
// Scalars only: a batch's comparison is a batch_bool, and ADL finds xsimd::select for it.
template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
CANTUS_INLINE_HD T select(bool c, T a, T b) { return c ? a : b; }

// ---- unary ---------------------------------------------------------------------------------------
struct identity { CANTUS_FUNCTOR_CALL V operator()(V x) const { return x; } };
struct negate { CANTUS_FUNCTOR_CALL V operator()(V x) const { return -x; } };
struct absolute { CANTUS_FUNCTOR_CALL V operator()(V x) const { return abs(x); } };
struct square { CANTUS_FUNCTOR_CALL V operator()(V x) const { return x * x; } };
struct square_root { CANTUS_FUNCTOR_CALL V operator()(V x) const { return sqrt(x); } };
struct exponential { CANTUS_FUNCTOR_CALL V operator()(V x) const { return exp(x); } };
struct logarithm { CANTUS_FUNCTOR_CALL V operator()(V x) const { return log(x); } };
struct tanh_fn { CANTUS_FUNCTOR_CALL V operator()(V x) const { return tanh(x); } };
struct sigmoid {
  CANTUS_FUNCTOR_CALL V operator()(V x) const { return V(1) / (V(1) + exp(-x)); }
};
struct relu { CANTUS_FUNCTOR_CALL V operator()(V x) const { return max(x, V(0)); } };

// Parameterised unary functors carry their parameter as a member.
template <class T>
struct scale_by {
  T a;
  CANTUS_FUNCTOR_CALL V operator()(V x) const { return x * V(a); }
};
template <class T>
struct add_scalar {
  T a;
  CANTUS_FUNCTOR_CALL V operator()(V x) const { return x + V(a); }
};
template <class T>
struct leaky_relu {
  T slope;
  CANTUS_FUNCTOR_CALL V operator()(V x) const { return max(x, V(0)) + V(slope) * min(x, V(0)); }
};

// ---- binary --------------------------------------------------------------------------------------
struct plus { CANTUS_FUNCTOR_CALL V operator()(V a, V b) const { return a + b; } };
struct minus { CANTUS_FUNCTOR_CALL V operator()(V a, V b) const { return a - b; } };
struct multiplies { CANTUS_FUNCTOR_CALL V operator()(V a, V b) const { return a * b; } };
struct divides { CANTUS_FUNCTOR_CALL V operator()(V a, V b) const { return a / b; } };
struct maximum { CANTUS_FUNCTOR_CALL V operator()(V a, V b) const { return max(a, b); } };
struct minimum { CANTUS_FUNCTOR_CALL V operator()(V a, V b) const { return min(a, b); } };
// ReLU's backward pass from its output: dy where y > 0, else 0. A select rather than dy * (y > 0),
// so a NaN in dy survives only where the unit was active, as in PyTorch.
struct relu_grad { CANTUS_FUNCTOR_CALL V operator()(V y, V dy) const { return select(y > V(0), dy, V(0)); } };

template <class... Fs>
struct op_list {
  static constexpr std::size_t size = sizeof...(Fs);
  template <class F>
  static constexpr int index_of() {
    int i = 0, found = -1;
    ((std::is_same_v<F, Fs> ? (found = i, ++i) : ++i), ...);
    return found;
  }
};

// The functors the SIMD tables carry pre-compiled for every instruction set.
using unary_ops = op_list<identity, negate, absolute, square, square_root, exponential, logarithm, tanh_fn,
                          sigmoid, relu>;
using binary_ops = op_list<plus, minus, multiplies, divides, maximum, minimum, relu_grad>;

}  // namespace cantus::ops
