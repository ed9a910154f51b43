#include <limits>
// Data-parallel training over MPI. Run by CTest under `mpirun -np 2` (test_distributed_mpi2); run as
// one process (test_distributed) only the checks that need no second rank run, the others say
// "skipped: needs 2 MPI ranks".
//
// Each check trains the paper models (quick sizes, cut down further) on synthetic rows: once on the
// two ranks together, and once on every rank alone (the reference, the same global batches in one
// process), then compares the losses of every step and the final weights.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "cantus/distributed/group.hpp"
#include "cantus/distributed/mpi.hpp"
#include "cantus/models/optimizer_adapter.hpp"
#include "cantus/models/trainer.hpp"
#include "cantus/nn/optim/adam.hpp"
#include "app/registry.hpp"
#include "app/synthetic_rows.hpp"
#include "distributed_fixture.hpp"

namespace fs = std::filesystem;
using namespace cantus;
using cantus::distributed::process_group;

namespace {

template <class Entry>
typename Entry::model::config_type small_config() {
  auto c = Entry::config(/*quick=*/true);
  if constexpr (requires { c.chunk_samples; c.hidden; }) c.chunk_samples = 64;  // the naive GRU
  if constexpr (requires { c.genres; }) c.genres = 4;
  if constexpr (requires { c.stacks; }) {  // WaveNet: short chunks
    c.chunk_samples = 2 * c.hop_length;
  }
  return c;
}

struct run_result {
  std::vector<double> losses;  // per step (one-step epochs)
  std::vector<float> weights;
  double communication_seconds = 0;
};

// Trains `steps` one-batch epochs of global batch `batch` over `group` (null: this process alone).
template <class Entry>
run_result train_entry(process_group* group, std::int64_t steps, index_t batch, const fs::path& ckpt = {},
                       std::int64_t resume_to = 0, bool nudge = false) {
  const auto cfg = small_config<Entry>();
  typename Entry::model m(cfg, 7);
  if (nudge)  // every initial weight one ulp up: how far rounding alone carries the run
    for (auto& p : m.parameters())
      for (auto& v : std::span<float>(p.value.data(), p.value.size())) v = std::nextafter(v, std::numeric_limits<float>::infinity());
  const paper::synthetic_rows<Entry> data(cfg, 5 * batch, 11);
  nn::adam<float> opt(m.parameters(), {.lr = 1e-3});
  models::optimizer_adapter ad(opt);
  auto t = cantus::testing::short_run(Entry::name, group, 5);
  t.training.epochs = resume_to > 0 ? resume_to : steps;
  t.training.batch_size = batch;
  t.training.steps_per_epoch = 1;
  t.training.validation_batches = 1;
  t.checkpoint_dir = ckpt;
  t.training.drop_last = !m.buffers().empty();
  const auto r = models::train(m, ad, data, &data, t);
  run_result out;
  for (const auto& h : r.history) out.losses.push_back(h.train_loss);
  for (auto& p : m.parameters()) {
    // A convolution's bias right before a BatchNorm has no effect on the loss: its gradient is zero
    // but for rounding, which Adam turns into steps of +-lr in any direction. Left out of the weights
    // compared.
    if (p.name.rfind("body.", 0) == 0 && p.name.size() > 5 && p.name.ends_with(".bias") &&
        std::stoi(p.name.substr(5)) % 4 == 0 && std::string(Entry::name) == "supervised_cnn")
      continue;
    out.weights.insert(out.weights.end(), p.value.data(), p.value.data() + p.value.size());
  }
  out.communication_seconds = r.communication_seconds;
  return out;
}

double relative(double a, double b) { return std::abs(a - b) / std::max({std::abs(a), std::abs(b), 1e-30}); }

template <class Entry>
void check_same_as_one_process(process_group& world) {
  BOOST_TEST_MESSAGE(Entry::name);
  const auto parallel = train_entry<Entry>(&world, 6, 8);
  const auto alone = train_entry<Entry>(nullptr, 6, 8);
  BOOST_REQUIRE_EQUAL(parallel.losses.size(), alone.losses.size());
  for (std::size_t s = 0; s < alone.losses.size(); ++s)
    BOOST_TEST(relative(parallel.losses[s], alone.losses[s]) < 1e-5, Entry::name << " step " << s + 1 << ": "
                                                                             << parallel.losses[s] << " on "
                                                                             << world.size() << " ranks, "
                                                                             << alone.losses[s] << " alone");
  double worst = 0, scale = 0, self = 0;
  const auto nudged = train_entry<Entry>(nullptr, 6, 8, {}, 0, true);
  for (std::size_t i = 0; i < alone.weights.size(); ++i) {
    worst = std::max(worst, double(std::abs(parallel.weights[i] - alone.weights[i])));
    self = std::max(self, double(std::abs(nudged.weights[i] - alone.weights[i])));
    scale = std::max(scale, double(std::abs(alone.weights[i])));
  }
  // Adam divides by the gradients' running RMS, so rounding in small gradients moves weights more
  // than it moves the loss: a gradient that is zero but for rounding takes steps of +-lr whose sign
  // the summation order decides. Two ranks sum in another order than one process, so they may differ
  // by 1e-4 of the largest weight, or by three times what a one-ulp nudge of the initial weights
  // moves the single process's own result, whichever is larger.
  BOOST_TEST(worst <= std::max(1e-4 * scale, 3 * self), Entry::name << ": weights differ by " << worst << " (largest weight "
                                                                     << scale << ", a one-ulp nudge moves them by " << self << ")");
  const auto again = train_entry<Entry>(&world, 6, 8);
  BOOST_TEST(again.losses == parallel.losses, Entry::name << ": two runs on the same ranks gave other losses");
  BOOST_TEST(again.weights == parallel.weights, Entry::name << ": two runs on the same ranks gave other weights");
}

}  // namespace

BOOST_AUTO_TEST_CASE(shards_cover_a_batch_once_and_evenly) {
  for (int size : {1, 2, 3, 7})
    for (std::size_t n : {0u, 1u, 5u, 8u, 13u}) {
      std::size_t next = 0;
      for (int r = 0; r < size; ++r) {
        const auto s = distributed::shard_of(n, r, size);
        BOOST_TEST(s.begin == next);
        BOOST_TEST(s.size() <= n / static_cast<std::size_t>(size) + 1);
        BOOST_TEST(s.size() >= n / static_cast<std::size_t>(size));
        next = s.end;
      }
      BOOST_TEST(next == n);
    }
}

// Losses of every step to 1e-5 relative against one process, identical bits from run to run; the
// CNN's BatchNorm takes the whole batch's statistics over the ranks (SyncBatchNorm).
BOOST_AUTO_TEST_CASE(two_ranks_train_as_one_process_does) {
  auto& world = cantus::testing::world();
  if (world.size() < 2) {
    cantus::testing::skip("needs 2 MPI ranks (CTest runs it as test_distributed_mpi2)");
    return;
  }
  check_same_as_one_process<paper::naive_seq2seq_entry>(world);
  check_same_as_one_process<paper::step_vae_entry>(world);
  check_same_as_one_process<paper::seq2seq_mel_entry>(world);
  check_same_as_one_process<paper::wavenet_entry>(world);
  check_same_as_one_process<paper::supervised_cnn_entry>(world);
}

// A run checkpointed on 2 ranks and resumed by one process (and the other way round) ends where an
// uninterrupted run ends.
BOOST_AUTO_TEST_CASE(resume_with_another_number_of_ranks) {
  auto& world = cantus::testing::world();
  if (world.size() < 2) {
    cantus::testing::skip("needs 2 MPI ranks (CTest runs it as test_distributed_mpi2)");
    return;
  }
  using E = paper::step_vae_entry;
  const fs::path dir = cantus::testing::scratch("resume_ranks");
  const auto whole = train_entry<E>(&world, 6, 8);
  // 3 steps on 2 ranks, then 3 more on rank 0 alone.
  train_entry<E>(&world, 3, 8, dir / "a");
  world.barrier();
  if (world.rank() == 0) {
    const auto resumed = train_entry<E>(nullptr, 3, 8, dir / "a", 6);
    BOOST_REQUIRE_EQUAL(resumed.losses.size(), whole.losses.size());
    for (std::size_t s = 0; s < whole.losses.size(); ++s) BOOST_TEST(relative(resumed.losses[s], whole.losses[s]) < 1e-5);
  }
  // 3 steps on rank 0 alone, then 3 more on both ranks.
  if (world.rank() == 0) train_entry<E>(nullptr, 3, 8, dir / "b");
  world.barrier();
  const auto resumed = train_entry<E>(&world, 3, 8, dir / "b", 6);
  BOOST_REQUIRE_EQUAL(resumed.losses.size(), whole.losses.size());
  for (std::size_t s = 0; s < whole.losses.size(); ++s) BOOST_TEST(relative(resumed.losses[s], whole.losses[s]) < 1e-5);
}

// Ranks that would train different things stop at the start with a message naming the rank (the
// check aborts the job, so it is exercised by a separate CTest run: test_distributed_mismatch).
