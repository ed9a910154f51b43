#pragma once
// How a model of the paper programs trains: the library's training settings (batch size, learning
// rate and schedule, epochs, early stopping: models::training_settings, what train() reads) and how
// many windows of each track the model reads. The presets (app/presets.hpp) hold a quick and a full
// plan per model; --config FILE and the flags change any field, and a run records the plan it used.
#include <cstdint>
#include <cstdio>
#include <string>

#include "cantus/base/config.hpp"
#include "cantus/base/error.hpp"
#include "cantus/data/checksum.hpp"
#include "cantus/models/training_settings.hpp"

namespace paper {

using namespace cantus;  // the application is written in the library's terms
using models::lr_schedule;

struct training_plan {
  models::training_settings training;  // its seed is the run's (--seed), set when the trainer is called
  index_t train_windows = 0;           // windows per track read for training (0: all)
  index_t embed_windows = 0;           // windows per track averaged into its embedding (0: all)

  // Every field of the plan that decides the trained weights, as text: batches, rate and schedule,
  // clipping, training windows, validation batches, epochs, patience and what counts as an
  // improvement (which epoch's weights are kept). A run resumes only a checkpoint written under the
  // same key (paper::run_key adds the model, preset, seed, backend and corpus), so a run with fewer
  // --epochs does not pick up a longer one's weights. embed_windows is not here: it decides the
  // embeddings, not the weights, and the embeddings' stamp records it.
  std::string run_key() const {
    const auto& t = training;
    char b[320];
    std::snprintf(b, sizeof b, "s%lld b%lld lr%.9g %s c%.9g w%lld v%lld e%lld p%lld d%.9g r%d", static_cast<long long>(t.steps_per_epoch),
                  static_cast<long long>(t.batch_size), t.learning_rate, t.schedule.str().c_str(), t.clip_norm,
                  static_cast<long long>(train_windows), static_cast<long long>(t.validation_batches), static_cast<long long>(t.epochs),
                  static_cast<long long>(t.patience), t.min_delta, t.restore_best ? 1 : 0);
    return b;
  }
  void validate(const std::string& where) const {
    if (train_windows < 0 || embed_windows < 0)
      throw value_error(cantus::detail::concat(where, ": train_windows and embed_windows must be >= 0 (got ", train_windows, ", ",
                                               embed_windows, ")"));
    training.validate(where);
  }
  bool operator==(const training_plan&) const = default;
};

// A run key's data::checksum as 8 hex digits: names a run's checkpoint directory.
inline std::string short_hash(const std::string& s) {
  char b[17];
  std::snprintf(b, sizeof b, "%08llx", static_cast<unsigned long long>(data::checksum(s) & 0xffffffffULL));
  return b;
}

}  // namespace paper
