#pragma once
// The runs that end a job on purpose (main.cpp's CANTUS_TEST_MODE), on the tiny linear regression of
// the trainer's own tests: every rank must stop, and the launcher's message must name the rank.
#include <csignal>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "../models/tiny_models.hpp"
#include "cantus/models/trainer.hpp"
#include "distributed_fixture.hpp"

namespace cantus::testing {

// The regression model, dying (SIGKILL, as the kernel's OOM killer or a scheduler would end it) when
// rank `victim` reaches step `at`.
struct mortal_regression : linear_regression {
  int rank = 0, victim = -1;
  std::int64_t at = -1;
  using linear_regression::linear_regression;
  double loss_and_backward(const regression_data::batch_type& b, models::step_info s) {
    if (rank == victim && s.step == at) {
      std::fprintf(stderr, "rank %d: killing itself at step %lld (as the test asks)\n", rank, static_cast<long long>(at));
      std::fflush(stderr);
      std::raise(SIGKILL);
    }
    return linear_regression::loss_and_backward(b, s);
  }
};

inline models::training_result regression_run(distributed::process_group* group, index_t rows, std::int64_t epochs,
                                              const std::filesystem::path& ckpt, int victim, std::vector<float>* weights) {
  regression_data data(rows, 4, 3);
  mortal_regression m(4);
  m.rank = group ? group->rank() : 0;
  m.victim = victim;
  m.at = 9;  // epoch 3 of 4 batches per epoch
  momentum_sgd opt(m.parameters(), 0.05f);
  auto t = short_run("regression", group, 1);
  t.training.epochs = epochs;
  t.training.batch_size = 16;
  t.checkpoint_dir = ckpt;
  auto r = models::train(m, opt, data, &data, t);
  if (weights) {
    weights->clear();
    for (auto& p : m.parameters()) weights->insert(weights->end(), p.value.data(), p.value.data() + p.value.size());
  }
  return r;
}

inline int run_mode(const std::string& mode) {
  auto& w = world();
  const auto dir = std::filesystem::path(CANTUS_TEST_SCRATCH_DIR) / "distributed" / "fault";
  if (mode == "mismatch") {  // rank r holds 64 + r rows: another corpus
    regression_run(&w, 64 + w.rank(), 2, {}, -1, nullptr);
    std::printf("mismatch: the ranks trained although their data differ\n");
    return 1;
  }
  if (mode == "kill") {
    scratch("fault");
    regression_run(&w, 64, 6, dir, 1, nullptr);
    std::printf("kill: rank 1 survived\n");
    return 1;
  }
  if (mode == "resume") {
    std::vector<float> resumed, whole;
    const auto r = regression_run(&w, 64, 6, dir, -1, &resumed);
    if (w.rank() != 0) return 0;
    regression_run(nullptr, 64, 6, {}, -1, &whole);
    double worst = 0;
    for (std::size_t i = 0; i < whole.size(); ++i) worst = std::max(worst, double(std::abs(resumed[i] - whole[i])));
    std::printf("resume: continued after epoch %lld; largest weight difference to an uninterrupted run %.3g\n",
                static_cast<long long>(r.resumed_from_epoch), worst);
    if (r.resumed_from_epoch != 2 || worst > 1e-5) return 1;
    std::printf("resume: ok\n");
    return 0;
  }
  std::fprintf(stderr, "unknown CANTUS_TEST_MODE '%s' (mismatch, kill, resume)\n", mode.c_str());
  return 2;
}

}  // namespace cantus::testing
