#pragma once
// How long a model of the paper programs trains and how many windows per track it sees (one per
// registry entry, cantus/paper/registry.hpp).
#include <cstdint>

#include "cantus/core/config.hpp"

namespace cantus::paper {

struct training_plan {
  std::int64_t epochs, batches_per_epoch, patience;
  index_t train_cap, embed_cap;  // windows per track (0: all)
};

}  // namespace cantus::paper
