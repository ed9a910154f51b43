#pragma once
// What decides a training run's weights, in one type: models::train reads it (trainer_options::training),
// programs fill it from their presets and flags and record it with the run. Nothing else holds a batch
// size or a learning rate: model configurations describe architecture only.
//
// The path of a setting is one pass down, e.g. the learning rate: a program's --lr -> its plan's
// training_settings::learning_rate -> train() -> optimizer.set_lr(learning_rate * schedule.factor(step))
// before every step (docs/architecture.md, "One home per setting").
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numbers>
#include <string>

#include "cantus/base/config.hpp"
#include "cantus/base/error.hpp"

namespace cantus::models {

// The learning rate over a run, as a factor on the base rate: "constant", "cosine" (from the base to 0
// over the whole run, per optimizer step) or "step:E:G" (multiplied by G every E epochs). A function of
// the step alone, so a resumed run continues the schedule exactly.
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

struct training_settings {
  std::int64_t epochs = 10;
  std::int64_t steps_per_epoch = 0;     // optimizer steps per epoch; 0: one pass over every training row
  std::int64_t patience = 5;            // epochs without a better validation loss before stopping; 0: never
  double min_delta = 0.0;               // an improvement must lower the validation loss by more than this
  bool restore_best = true;             // end with the weights of the best validation epoch
  index_t batch_size = 32;
  double learning_rate = 0;             // the base rate the trainer sets before every step; 0: the optimizer's own, untouched
  lr_schedule schedule;                 // applied to learning_rate (needs learning_rate > 0 unless constant)
  double clip_norm = 0;                 // clip the gradients' global norm to this before each step (0: never)
  std::int64_t validation_batches = 0;  // batches of the validation set per epoch, of rows spread over it (0: all)
  bool drop_last = false;               // skip a final partial batch (e.g. BatchNorm with one row)
  std::uint64_t seed = 0;               // batch order and every random stream a model keys by step

  // `where` names the source in the message (a flag, a config file, "train").
  void validate(const std::string& where) const {
    if (epochs < 0 || steps_per_epoch < 0 || patience < 0 || validation_batches < 0)
      throw value_error(cantus::detail::concat(where, ": epochs, steps_per_epoch, patience and validation_batches must be >= 0 (got ",
                                               epochs, ", ", steps_per_epoch, ", ", patience, ", ", validation_batches, ")"));
    if (batch_size < 1) throw value_error(cantus::detail::concat(where, ": batch_size must be >= 1, got ", batch_size));
    if (!(learning_rate >= 0) || !std::isfinite(learning_rate))
      throw value_error(cantus::detail::concat(where, ": learning_rate must be a finite number >= 0, found ", learning_rate));
    if (learning_rate == 0 && schedule.kind != "constant")
      throw value_error(cantus::detail::concat(where, ": the learning-rate schedule '", schedule.str(),
                                               "' needs a base learning_rate > 0"));
    if (!(clip_norm >= 0) || !std::isfinite(clip_norm))
      throw value_error(cantus::detail::concat(where, ": clip_norm must be a finite number >= 0, found ", clip_norm));
    if (!(min_delta >= 0) || !std::isfinite(min_delta))
      throw value_error(cantus::detail::concat(where, ": min_delta must be a finite number >= 0, found ", min_delta));
  }
  // The rate of optimizer step `step` when `steps_per_epoch` steps make an epoch.
  double rate_at(std::int64_t step, std::int64_t steps) const { return learning_rate * schedule.factor(step, steps, epochs); }
  bool operator==(const training_settings&) const = default;
};

}  // namespace cantus::models
