// The CUDA backend's kernels, compiled once for the build tree (here, in nn/, the lowest layer that
// sees every kernel class and the activation kinds): every nn::tt::X<float, cuda> and the
// element-wise and reduction members of backend_ops<cuda>, for the types and functors the library
// uses. cmake/CantusCuda.cmake compiles this file into the object library cantus_cuda_objects and gives
// cantus::cuda's users CANTUS_CUDA_COMPILED, under which they see declarations only (base/config.hpp):
// a program that trains on cuda compiles with the host compiler, and nvcc compiles each kernel once.
// An installed cantus has no such objects; its .cu files compile the definitions themselves.
#define CANTUS_CUDA_DEFINITIONS 1
#if !defined(CANTUS_CUDA_COMPILED)
#define CANTUS_CUDA_COMPILED 1
#endif

#include <cstdint>

#include "cantus/backend/cuda/cuda_backend.hpp"
#include "cantus/base/functors.hpp"
#include "cantus/nn/layers/activations.hpp"
#include "cantus/nn/tt/activations.hpp"
#include "cantus/nn/tt/batch_norm.hpp"
#include "cantus/nn/tt/conv1d.hpp"
#include "cantus/nn/tt/conv2d.hpp"
#include "cantus/nn/tt/conv_transpose1d.hpp"
#include "cantus/nn/tt/dropout.hpp"
#include "cantus/nn/tt/gru.hpp"
#include "cantus/nn/tt/indexing.hpp"
#include "cantus/nn/tt/linear.hpp"
#include "cantus/nn/tt/losses.hpp"
#include "cantus/nn/tt/lstm.hpp"
#include "cantus/nn/tt/max_pool2d.hpp"
#include "cantus/nn/tt/optimizers.hpp"
#include "cantus/nn/tt/pooling.hpp"
#include "cantus/nn/tt/reparameterize.hpp"

namespace cantus {

#define CANTUS_CUDA_STORAGE_OPS(T) template void backend_ops<cuda>::fill<T>(T*, std::size_t, T);
CANTUS_CUDA_STORAGE_OPS(float)
CANTUS_CUDA_STORAGE_OPS(double)
CANTUS_CUDA_STORAGE_OPS(std::int32_t)
CANTUS_CUDA_STORAGE_OPS(std::int64_t)
CANTUS_CUDA_STORAGE_OPS(std::uint8_t)

#define CANTUS_CUDA_ARITHMETIC_OPS(T)                                              \
  template void backend_ops<cuda>::axpy<T>(T, const T*, T*, std::size_t);          \
  template T backend_ops<cuda>::sum<T>(const T*, std::size_t);                     \
  template T backend_ops<cuda>::dot<T>(const T*, const T*, std::size_t);           \
  template T backend_ops<cuda>::max<T>(const T*, std::size_t);
CANTUS_CUDA_ARITHMETIC_OPS(float)
CANTUS_CUDA_ARITHMETIC_OPS(double)

// The functors the library maps on cuda: the activations' forward passes, gradient scaling and
// clipping, BatchNorm's batch counter, and base/functors.hpp's arithmetic for tensor_ops.
#define CANTUS_CUDA_MAP(T, F) template void backend_ops<cuda>::map<T, F>(const T*, T*, std::size_t, const F&);
#define CANTUS_CUDA_ZIP(T, F) \
  template void backend_ops<cuda>::zip<T, F>(const T*, const T*, T*, std::size_t, const F&);
CANTUS_CUDA_MAP(float, ops::relu)
CANTUS_CUDA_MAP(float, ops::leaky_relu<float>)
CANTUS_CUDA_MAP(float, ops::tanh_fn)
CANTUS_CUDA_MAP(float, ops::sigmoid)
CANTUS_CUDA_MAP(float, ops::scale_by<float>)
CANTUS_CUDA_MAP(float, ops::add_scalar<float>)
CANTUS_CUDA_ZIP(float, ops::plus)
CANTUS_CUDA_ZIP(float, ops::minus)
CANTUS_CUDA_ZIP(float, ops::multiplies)

}  // namespace cantus

namespace cantus::nn::tt {

template struct activations<float, cuda>;
template void activations<float, cuda>::backward(const activation_kind::relu&, index_t, const float*, const float*,
                                                 const float*, float*);
template void activations<float, cuda>::backward(const activation_kind::leaky_relu<float>&, index_t, const float*,
                                                 const float*, const float*, float*);
template void activations<float, cuda>::backward(const activation_kind::tanh&, index_t, const float*, const float*,
                                                 const float*, float*);
template void activations<float, cuda>::backward(const activation_kind::sigmoid&, index_t, const float*, const float*,
                                                 const float*, float*);
template class batch_norm<float, cuda>;
template class conv1d<float, cuda>;
template class conv2d<float, cuda>;
template class conv_transpose1d<float, cuda>;
template struct dropout<float, cuda>;
template class cuda_rnn::recurrent_steps<float>;
template class gru<float, cuda>;
template class lstm<float, cuda>;
template struct indexing<float, cuda>;
template void indexing<float, cuda>::gather_columns(const std::string&, index_t, index_t, index_t, index_t, index_t,
                                                    const index_t*, const float*, const float*, float*);
template void indexing<float, cuda>::scatter_add_columns(index_t, index_t, index_t, index_t, index_t, const index_t*,
                                                         const float*, float*, float*);
template class linear<float, cuda>;
template struct losses<float, cuda>;
template double losses<float, cuda>::cross_entropy(index_t, index_t, index_t, const float*, const index_t*, index_t, bool,
                                                   float*, index_t&);
template struct max_pool2d<float, cuda>;
template struct optimizers<float, cuda>;
template struct pooling<float, cuda>;
template struct reparameterize<float, cuda>;

}  // namespace cantus::nn::tt
