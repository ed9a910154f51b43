#pragma once
// What the distributed tests share: the job's ranks (MPI when launched by mpirun, else this process
// alone), a scratch directory made afresh by rank 0, and the "skipped:" line.
#include <cstdio>
#include <filesystem>
#include <string>

#include "cantus/distributed/group.hpp"
#include "cantus/models/trainer.hpp"

namespace cantus::testing {

cantus::distributed::process_group& world();  // main.cpp

inline void skip(const std::string& why) {
  if (world().rank() == 0) std::printf("skipped: %s\n", why.c_str());
}

// CANTUS_TEST_SCRATCH_DIR/distributed/<name>, emptied by rank 0 while the others wait.
inline std::filesystem::path scratch(const std::string& name) {
  const auto dir = std::filesystem::path(CANTUS_TEST_SCRATCH_DIR) / "distributed" / name;
  if (world().rank() == 0) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  world().barrier();
  return dir;
}

// Trainer options for the tests' short runs over `group`: no early stopping, the last weights kept,
// one thread, silent.
inline models::trainer_options short_run(const std::string& label, distributed::process_group* group, std::uint64_t seed) {
  models::trainer_options t;
  t.training.patience = 0;
  t.training.restore_best = false;
  t.training.seed = seed;
  t.threads = 1;
  t.verbose = false;
  t.label = label;
  t.group = group;
  return t;
}

}  // namespace cantus::testing
