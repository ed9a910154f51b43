#pragma once
// nn::tt::batch_norm<T, B>: the arithmetic of nn::batch_norm on backend B (see nn/tt/conv1d.hpp for
// nn::tt). Tensors are [batch, C, inner] (inner = the positions of one channel of one sample);
// weight and bias are null when the layer is not affine. The kernel keeps the mean and inverse
// standard deviation its last forward normalised with, for backward.
//
//   void forward(const batch_norm_config& c, index_t batch, index_t inner, const T* x, const T* weight,
//                const T* bias, T* running_mean, T* running_var, bool training, T* y);
//       training: batch statistics, running statistics updated; else the running statistics.
//   void backward(const batch_norm_config& c, index_t batch, index_t inner, const T* x, const T* weight,
//                 const T* dy, T* dweight, T* dbias, T* dx);
//       ACCUMULATES dweight and dbias (when affine), OVERWRITES dx unless it is null.
//   void backward_scattered(..., const T* val, const std::int32_t* pos, index_t per_plane, ...);
//       the same for a dy that is zero except at per_plane entries of each (sample, channel) plane:
//       dy[plane][pos[plane * per_plane + j]] += val[plane * per_plane + j] (what a max-pool sends back).
//       It takes a further last argument `bool distinct_positions` (default false): true promises that
//       no position repeats within a plane (a max-pool whose windows do not overlap), so a kernel may
//       add the pairs in parallel; false, they are added in order.
//   Each takes a last argument `const batch_norm_sync* sync` (null: this batch alone). Given, in
//   training, the batch is one shard of a batch spread over processes (data parallel): the mean and
//   variance are the whole batch's (sync sums the per-channel sums over the processes, with the
//   running mean as the common shift), and backward's mean-correction terms are the whole batch's
//   too (this shard's dy being the gradient of its own mean loss), as torch.nn.SyncBatchNorm.
#include <cstdint>
#include <functional>

#include "cantus/backend/backend.hpp"
#include "cantus/core/tensor.hpp"

namespace cantus::nn {

struct batch_norm_config {
  index_t num_features = dyn;
  double eps = 1e-5, momentum = 0.1;
  bool affine = true;
};

// Sums n doubles element-wise over the processes of a data-parallel group, in place.
using batch_norm_sync = std::function<void(double* values, std::size_t n)>;

namespace tt {
template <class T, class B>
class batch_norm;
}  // namespace tt

}  // namespace cantus::nn

#include "cantus/backend/cpu/nn/batch_norm.inl"
#if CANTUS_CUDA_DECLARE && __has_include("cantus/backend/cuda/nn/batch_norm.cuh")
#include "cantus/backend/cuda/nn/batch_norm.cuh"
#endif
