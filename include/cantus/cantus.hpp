#pragma once
// The whole of cantus' header-only core. Finer headers: cantus/base/*.hpp, cantus/backend/*,
// cantus/core/*.hpp, and one umbrella per area (cantus/nn.hpp, cantus/audio.hpp, ...) as they exist.
// Needs Eigen, xsimd and OpenMP only; the xtensor bridges are opt-in (cantus/core/xtensor_interop.hpp).
#include "cantus/base/config.hpp"
#include "cantus/base/error.hpp"
#include "cantus/base/functors.hpp"
#include "cantus/backend/backend.hpp"
#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/core/atomic_file.hpp"
#include "cantus/core/directories.hpp"
#include "cantus/core/interop.hpp"
#include "cantus/core/npy.hpp"
#include "cantus/core/progress.hpp"
#include "cantus/core/random.hpp"
#include "cantus/core/sealed_file.hpp"
#include "cantus/core/tensor.hpp"
#include "cantus/core/tensor_ops.hpp"
#if CANTUS_CUDA_DECLARE
#include "cantus/backend/cuda/cuda_backend.hpp"
#endif
