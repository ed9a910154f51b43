#pragma once
// How a model of the paper programs trains: length, optimiser settings and how many windows of each
// track it reads. Each registry entry (cantus/paper/registry.hpp) holds its two presets, quick and
// full; the programs' flags and --config FILE change any field, and a run records the plan it used.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numbers>
#include <string>

#include "cantus/core/config.hpp"
#include "cantus/core/error.hpp"
#include "cantus/data/checksum.hpp"

namespace cantus::paper {

// The learning rate over a run: "constant", "cosine" (from the base to 0 over the whole run, per
// optimizer step) or "step:E:G" (multiplied by G every E epochs).
struct lr_schedule {
  std::string kind = "constant";
  std::int64_t step_epochs = 0;
  double gamma = 1;

  static lr_schedule parse(const std::string& s, const std::string& where) {
    lr_schedule r;
    if (s == "constant" || s == "cosine") {
      r.kind = s;
      return r;
    }
    long long e = 0;
    double g = 0;
    int used = 0;
    if (std::sscanf(s.c_str(), "step:%lld:%lf%n", &e, &g, &used) == 2 && used == static_cast<int>(s.size()) && e > 0 &&
        g > 0 && std::isfinite(g)) {
      r.kind = "step";
      r.step_epochs = e;
      r.gamma = g;
      return r;
    }
    throw value_error(cantus::detail::concat(where, ": expected constant, cosine or step:EPOCHS:GAMMA (e.g. step:10:0.5), found '", s, "'"));
  }
  std::string str() const {
    if (kind != "step") return kind;
    char b[64];
    std::snprintf(b, sizeof b, "step:%lld:%.17g", static_cast<long long>(step_epochs), gamma);
    return b;
  }
  // The factor on the base rate at optimizer step `step` of a run of `epochs` epochs of
  // `steps_per_epoch` steps.
  double factor(std::int64_t step, std::int64_t steps_per_epoch, std::int64_t epochs) const {
    if (kind == "cosine") {
      const double total = static_cast<double>(std::max<std::int64_t>(1, steps_per_epoch * epochs));
      return 0.5 * (1 + std::cos(std::numbers::pi * std::min(1.0, static_cast<double>(step) / total)));
    }
    if (kind == "step") return std::pow(gamma, static_cast<double>(step / std::max<std::int64_t>(1, steps_per_epoch) / step_epochs));
    return 1;
  }
  bool operator==(const lr_schedule&) const = default;
};

struct training_plan {
  std::int64_t epochs = 10;
  std::int64_t steps_per_epoch = 0;     // optimizer steps per epoch; 0: all (one pass over every training window)
  std::int64_t patience = 3;            // epochs without a better validation loss before stopping; 0: never
  index_t train_windows = 0;            // windows per track read for training (0: all)
  index_t embed_windows = 0;            // windows per track averaged into its embedding (0: all)
  index_t batch_size = 0;               // 0: the model configuration's
  double learning_rate = 0;             // 0: the model configuration's
  lr_schedule schedule;
  double clip_norm = 0;                 // clip the gradients' global norm to this (0: no clipping)
  std::int64_t validation_batches = 0;  // batches of the validation split per epoch, spread over it (0: all)

  // What decides the trained weights (not epochs and patience, unless the schedule spans the run): two
  // plans with the same key train the same run, so a longer run resumes a shorter one's checkpoint.
  std::string run_key() const {
    char b[256];
    std::snprintf(b, sizeof b, "s%lld b%lld lr%.9g %s c%.9g w%lld v%lld e%lld", static_cast<long long>(steps_per_epoch),
                  static_cast<long long>(batch_size), learning_rate, schedule.str().c_str(), clip_norm,
                  static_cast<long long>(train_windows), static_cast<long long>(validation_batches),
                  static_cast<long long>(schedule.kind == "cosine" ? epochs : 0));
    return b;
  }
  void validate(const std::string& where) const {
    if (epochs < 0 || steps_per_epoch < 0 || patience < 0 || train_windows < 0 || embed_windows < 0 || batch_size < 0 ||
        validation_batches < 0)
      throw value_error(cantus::detail::concat(where, ": epochs, steps_per_epoch, patience, windows, batch_size and "
                                                      "validation_batches must be >= 0"));
    if (!(learning_rate >= 0) || !std::isfinite(learning_rate))
      throw value_error(cantus::detail::concat(where, ": learning_rate must be a finite number >= 0, found ", learning_rate));
    if (!(clip_norm >= 0) || !std::isfinite(clip_norm))
      throw value_error(cantus::detail::concat(where, ": clip_norm must be a finite number >= 0, found ", clip_norm));
  }
  bool operator==(const training_plan&) const = default;
};

// A run key's data::checksum as 8 hex digits: names a run's checkpoint directory.
inline std::string short_hash(const std::string& s) {
  char b[17];
  std::snprintf(b, sizeof b, "%08llx", static_cast<unsigned long long>(data::checksum(s) & 0xffffffffULL));
  return b;
}

}  // namespace cantus::paper
