#pragma once
// What the docs' C++ fragments take from the sentences around them ("x: [512, 1, 128]", "a model and
// its optimizer"), declared once per page so that the fragment itself compiles as the page shows it
// (tests/docs/extract.cmake). Shapes follow the page; the values are zeros or small random data.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "cantus/audio.hpp"
#include "cantus/cantus.hpp"
#include "cantus/classify.hpp"
#include "cantus/data.hpp"
#include "cantus/models.hpp"
#include "cantus/nn.hpp"
#include "cantus/viz.hpp"

namespace docs {

// A run block runs in a folder of its own under the test's scratch folder (it may write files).
void in_scratch(const std::string& name, void (*block)());

// The names of cantus::models' declarations, as inside that namespace.
namespace models_scope {
using namespace cantus;
using namespace cantus::models;
}  // namespace models_scope

// docs/models.md's interface listing: the members of a model on backend B.
namespace model_members {
using namespace cantus;
using B = cantus::cpu;
using batch_type = cantus::models::step_vae<B>::batch_type;
}  // namespace model_members

// docs/nn.md: the encoder's input and output gradient for a batch of 512 frames of 128 bins.
namespace nn_page {
using namespace cantus;
inline const std::uint64_t seed = 2019;
inline const cantus::tensor<float, 3> x({512, 1, 128}, 0.5f);
inline const cantus::tensor<float, 2> dy({512, 100}, 1e-3f);
}  // namespace nn_page

// docs/training.md: a GRU autoencoder's batch of 4 sequences of 16 samples, hidden size 32.
namespace training_page {
using namespace cantus;
inline const std::uint64_t seed = 2019;
inline const std::int64_t step = 1, epoch = 0;
inline const cantus::tensor<float, 3> x({4, 16, 1}, 0.25f), x_shifted({4, 16, 1}, 0.25f), target({4, 16, 32}, 0.f);
inline cantus::tensor<float, 3> enc_out({4, 16, 32}), dec_out({4, 16, 32});
inline cantus::tensor<float, 2> h({4, 32}), dh({4, 32});
}  // namespace training_page

// docs/training.md's checkpoint lines: a layer, its optimizer and the trainer's counters.
namespace checkpoint_page {
using namespace cantus;
inline const std::filesystem::path path = "ckpt.bin";
inline cantus::nn::linear<float> model({.in_features = 4, .out_features = 2});
inline cantus::nn::adam<float> opt(cantus::nn::parameters_of(model));
inline const std::int64_t s = 10, e = 1;
inline const double b = 0.5;
}  // namespace checkpoint_page

// docs/classify.md: features and labels of a training and a test split, and the genre names.
namespace classify_page {
inline const cantus::classify::row_matrix X_train = cantus::classify::row_matrix::Random(40, 4),
                                          X_test = cantus::classify::row_matrix::Random(20, 4),
                                          X = cantus::classify::row_matrix::Random(120, 4);
inline std::vector<int> alternating(std::size_t n) {
  std::vector<int> labels(n);
  for (std::size_t i = 0; i < n; ++i) labels[i] = static_cast<int>(i % 2);
  return labels;
}
inline const std::vector<int> y_train = alternating(40), y_test = alternating(20), y = alternating(120);
inline const std::vector<std::string> genre_names = {"rock", "jazz"};
}  // namespace classify_page

// docs/models.md's training call: a model, its optimizer, data sets of frames and the process group.
namespace trainer_page {
using namespace cantus;
struct frames {
  using batch_type = cantus::tensor<float, 3>;
  cantus::index_t size() const { return 64; }
  cantus::tensor<float, 3> batch(std::span<const cantus::index_t> rows) const {
    return cantus::tensor<float, 3>({static_cast<cantus::index_t>(rows.size()), 1, 16}, 0.1f);
  }
};
inline cantus::models::step_vae<> model({.n_mels = 16, .channels = {4, 8, 8}, .latent = 4}, 1);
inline cantus::nn::adam<float> adam(model.parameters());
inline cantus::models::optimizer_adapter optimizer(adam);
inline const frames train_set, validation_set;
inline cantus::distributed::single_process world;
}  // namespace trainer_page

}  // namespace docs
