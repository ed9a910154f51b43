// Compiled by nvcc: every nn layer satisfies the layer contract on the cuda backend, so a model
// typedef written for `cuda` compiles. Compile-time only; the kernels' definitions are the CUDA
// implementation's (a program that runs a layer before they exist fails to link, naming the kernel).
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

// Naming the members instantiates their bodies: training, validation and embedding of every model
// compile for cuda down to the nn::tt kernels. Never called (nothing is emitted that needs them).
template <class M>
[[maybe_unused]] static void instantiate_model_members() {
  [[maybe_unused]] auto train = &M::loss_and_backward;
  [[maybe_unused]] auto validate = &M::validation_loss;
  [[maybe_unused]] tensor<float, 2, cuda> (M::*encode)(const typename M::batch_type&) = &M::encode;
  [[maybe_unused]] auto params = &M::parameters;
}
[[maybe_unused]] static void instantiate_models() {
  instantiate_model_members<models::naive_seq2seq<cuda>>();
  instantiate_model_members<models::seq2seq_mel<cuda>>();
  instantiate_model_members<models::step_vae<cuda>>();
  instantiate_model_members<models::supervised_cnn<cuda>>();
  instantiate_model_members<models::wavenet<cuda>>();
}
}  // namespace cantus::cuda_test
