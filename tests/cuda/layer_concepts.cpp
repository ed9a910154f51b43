// Every nn layer satisfies the layer contract on the cuda backend, so a model typedef written for
// `cuda` compiles, with the host compiler (the kernels are compiled once: nn/cuda_compiled.cu).
// Compile-time only.
#include "cantus/backend/cuda/cuda_backend.hpp"
#include "layer_concepts.hpp"

namespace cantus::cuda_test {
static_assert(cantus::testing::every_layer_satisfies_the_contract<cuda>());
static_assert(cantus::testing::every_layer_satisfies_the_contract<cpu>());
}  // namespace cantus::cuda_test

// The paper's models are typedefs over these layers: the same declarations name a CUDA model.
#include "cantus/models/naive_seq2seq.hpp"
#include "cantus/models/seq2seq_mel.hpp"
#include "cantus/models/step_vae.hpp"
#include "cantus/models/supervised_cnn.hpp"
#include "cantus/models/wavenet.hpp"

namespace cantus::cuda_test {
static_assert(sizeof(models::naive_seq2seq<cuda>) > 0 && sizeof(models::seq2seq_mel<cuda>) > 0);
static_assert(sizeof(models::step_vae<cuda>) > 0 && sizeof(models::supervised_cnn<cuda>) > 0);
static_assert(sizeof(models::wavenet<cuda>) > 0);
static_assert(std::is_same_v<models::step_vae<cuda>::batch_type, tensor<float, 3, cuda>>);

// The bodies of every model's training, validation, encode and parameters on cuda are instantiated
// (and run, where there is a device) by parity.cpp.
}  // namespace cantus::cuda_test
