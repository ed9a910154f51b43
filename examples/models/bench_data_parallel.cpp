// Data-parallel training throughput of the paper's models: run it once as one process and once under
// `mpiexec -n N` (one thread per rank: --threads 1), and compare items/s; the all-reduce's share of a
// step is what the ranks pay for talking (docs/scaling.md).
//   [mpiexec -n N] bench_data_parallel [--models a,b] [--steps S (8)] [--threads T (1)] [--quick]
//                                      [--batch B (the model's)] [--json FILE]
// Each model trains S steps of its global batch (synthetic rows, the anchor sizes unless --quick)
// after one warm-up step; rank 0 prints one line per model and, with --json, writes them.
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cantus/distributed/group.hpp"
#include "cantus/models/optimizer_adapter.hpp"
#include "cantus/models/trainer.hpp"
#include "cantus/nn/optim/adam.hpp"
#include "app/synthetic_rows.hpp"
#if CANTUS_WITH_MPI
#include "cantus/distributed/mpi.hpp"
#include "cli.hpp"
#endif

using namespace cantus;

namespace {

struct settings {
  std::vector<std::string> models = paper::model_names();
  std::int64_t steps = 8;
  int threads = 1;
  bool quick = false;
  index_t batch = 0;
  std::string json;
};

struct figures {
  std::string model;
  index_t batch = 0;
  std::size_t parameters = 0;
  double step_ms = 0, items_per_second = 0, all_reduce_ms = 0;
};

template <class Entry>
figures bench(const settings& s, distributed::process_group& world) {
  auto cfg = Entry::config(s.quick);
  if constexpr (requires { cfg.genres; }) cfg.genres = 8;
  const index_t batch = s.batch > 0 ? s.batch : Entry::plan(s.quick).training.batch_size;
  typename Entry::model m(cfg, 1);
  const paper::synthetic_rows<Entry> data(cfg, batch * (s.steps + 1), 3);
  nn::adam<float> opt(m.parameters(), {.lr = 1e-4});
  models::optimizer_adapter ad(opt);
  models::trainer_options t;
  t.training.batch_size = batch;
  t.training.patience = 0;
  t.training.restore_best = false;
  t.training.seed = 9;
  t.threads = s.threads;
  t.verbose = false;
  t.group = &world;
  t.label = Entry::name;
  t.training.drop_last = !m.buffers().empty();
  // Epoch 1: one warm-up step (allocations, first touch); epoch 2: the timed steps. The trainer
  // times each epoch, and the all-reduce time is the difference of its running total.
  t.training.epochs = 1;
  t.training.steps_per_epoch = 1;
  const auto warm = models::train(m, ad, data, static_cast<const decltype(data)*>(nullptr), t);
  world.barrier();
  t.training.epochs = 1;
  t.training.steps_per_epoch = s.steps;
  t.training.seed = 10;
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = models::train(m, ad, data, static_cast<const decltype(data)*>(nullptr), t);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  world.all_reduce_max(&wall, 1);  // the job is as slow as its slowest rank
  figures f;
  f.model = Entry::name;
  f.batch = batch;
  for (auto& p : m.parameters()) f.parameters += static_cast<std::size_t>(p.value.size());
  f.step_ms = 1e3 * wall / static_cast<double>(s.steps);
  f.items_per_second = static_cast<double>(batch * s.steps) / wall;
  double comm = r.communication_seconds;
  world.all_reduce_max(&comm, 1);
  f.all_reduce_ms = 1e3 * comm / static_cast<double>(s.steps);
  (void)warm;
  return f;
}

}  // namespace

int main(int argc, char** argv) {
#if CANTUS_WITH_MPI
  distributed::mpi_environment env(&argc, &argv);
  distributed::process_group& world = env.world();
#else
  distributed::single_process alone;
  distributed::process_group& world = alone;
#endif
  settings s;
  cli::app app{"Data-parallel training throughput at 1 and N ranks ([mpiexec -n N] bench_data_parallel).", "bench_data_parallel"};
  cli::list(app, "--models", s.models, "the models to time");
  cli::integer<std::int64_t>(app, "--steps", s.steps, 1, 1000000, "steps per measurement (default 8)");
  cli::threads(app, s.threads, false, "threads per rank (default 1)");
  cli::integer<index_t>(app, "--batch", s.batch, 1, index_t{1} << 20, "global batch size (default: the model's)");
  app.add_flag("--quick", s.quick, "the quick preset's model sizes");
  app.add_option("--json", s.json, "also write the figures as JSON")->type_name("FILE");
  cli::parse_or_exit(app, argc, argv);
  omp_set_num_threads(s.threads);
  std::vector<figures> all;
  try {
    for (const auto& name : s.models) {
      all.push_back(paper::visit_model(name, [&](auto e) { return bench<decltype(e)>(s, world); }));
      const auto& f = all.back();
      if (world.root())
        std::printf("%-15s %s, %d thread(s) each: batch %lld, %zu parameters: %.1f ms/step, %.1f items/s, all-reduce %.2f ms/step (%.1f %%)\n",
                    f.model.c_str(), world.description().c_str(), s.threads, static_cast<long long>(f.batch), f.parameters,
                    f.step_ms, f.items_per_second, f.all_reduce_ms, 100.0 * f.all_reduce_ms / f.step_ms);
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    if (world.size() > 1) world.abort(std::string("bench_data_parallel: ") + e.what());
    std::fprintf(stderr, "bench_data_parallel: %s\n", e.what());
    return 1;
  }
  if (world.root() && !s.json.empty()) {
    std::ofstream j(s.json);
    j << "{\"ranks\": " << world.size() << ", \"threads_per_rank\": " << s.threads << ", \"quick\": " << (s.quick ? "true" : "false")
      << ", \"models\": [\n";
    for (std::size_t i = 0; i < all.size(); ++i)
      j << "  {\"model\": \"" << all[i].model << "\", \"batch\": " << all[i].batch << ", \"parameters\": " << all[i].parameters
        << ", \"step_ms\": " << all[i].step_ms << ", \"items_per_second\": " << all[i].items_per_second
        << ", \"all_reduce_ms\": " << all[i].all_reduce_ms << "}" << (i + 1 < all.size() ? ",\n" : "\n");
    j << "]}\n";
  }
  return 0;
}
