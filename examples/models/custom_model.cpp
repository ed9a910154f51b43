// A model of your own is a typedef (deep_vae.hpp: a beta-VAE with five convolution stages instead of
// the paper's three), trained by the same trainer, embedded per track and classified. Synthetic "genres"
// (a spectral bump at each genre's band, tracks tilted at random) keep it self-contained; to run it on
// real music in table1, give it an entry of a few lines in examples/paper/app/registry.hpp
// (docs/models.md, "Adding a model").
#include <cstdio>
#include "cantus/classify/logistic_regression.hpp"
#include "cantus/models.hpp"
#include "cantus/nn/optim/adam.hpp"
#include "cli.hpp"
#include "deep_vae.hpp"

using namespace cantus;
using custom::deep_vae;
struct frames {  // 4 genres x 24 tracks x 32 frames of 64 mel bins; a batch is [rows, 1, 64]
  using batch_type = tensor<float, 3>;
  index_t tracks = 96, per_track = 32, bins = 64;
  index_t size() const { return tracks * per_track; }
  batch_type batch(std::span<const index_t> rows) const {
    batch_type x({index_t(rows.size()), 1, bins});
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const index_t track = rows[i] / per_track;
      const random_stream r(7, std::uint64_t(track));
      for (index_t f = 0; f < bins; ++f) {
        const float d = float(f - 8 - 16 * (track % 4)) / 5.0f, tilt = 0.02f * float(r.normal(0)) * float(f - 32);
        x(index_t(i), 0, f) = 3.0f * std::exp(-d * d) + tilt + 0.3f * float(r.normal(std::uint64_t(1 + rows[i] * bins + f)));
      }
    }
    return x;
  }
};
int main(int argc, char** argv) {
  cli::app app{"A model of your own (a five-stage beta-VAE) trained, embedded and classified on synthetic genres.", "custom_model"};
  cli::parse_or_exit(app, argc, argv);  // no options: --help, and anything else refused
  const frames data;
  deep_vae<> vae({.n_mels = 64, .channels = {8, 16, 16, 32, 32}, .latent = 8, .capacity_anneal_steps = 300}, 1);
  nn::adam<float> adam(vae.parameters());
  models::optimizer_adapter opt(adam);
  models::train(vae, opt, data, &data,
                {.training = {.epochs = 4, .steps_per_epoch = 50, .batch_size = 64, .learning_rate = 1e-3}, .label = "deep_vae"});
  std::vector<std::int64_t> ids, genres;
  for (index_t t = 0; t < data.tracks; ++t) ids.push_back(t), genres.push_back(t % 4);
  const auto emb = models::embed_tracks(ids, genres, [&](index_t t) {
    std::vector<index_t> rows(static_cast<std::size_t>(data.per_track));
    for (index_t i = 0; i < data.per_track; ++i) rows[std::size_t(i)] = t * data.per_track + i;
    return vae.encode(data.batch(rows));
  });
  classify::row_matrix X(emb.size(), emb.dim());
  for (index_t i = 0; i < emb.size(); ++i)
    for (index_t j = 0; j < emb.dim(); ++j) X(i, j) = emb.latents(i, j);
  const std::vector<int> y(genres.begin(), genres.end());
  classify::logistic_regression lr;
  lr.fit(X.topRows(64), std::span<const int>(y.data(), 64));
  std::printf("deep_vae: %lld parameters; genre accuracy on 32 held-out tracks %.3f (chance 0.25)\n",
              static_cast<long long>(nn::parameter_count(vae.parameters())), lr.score(X.bottomRows(32), std::span<const int>(y.data() + 64, 32)));
}
