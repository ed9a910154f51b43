#pragma once
// bench_models' timing of one model on backend B (bench_models.cpp for the CPU, bench_models_cuda.cpp
// for cuda where the CUDA backend is built).
#include <chrono>
#include <string>
#include <tuple>

#include <optional>

#include "cantus/core/thread_share.hpp"
#include "cantus/models.hpp"
#include "cantus/nn/optim/adam.hpp"
#include "app/registry.hpp"

namespace bench {
using namespace cantus;

struct measured {
  double steps_per_second = 0;
  double loss = 0;
  double gemm_flops = 0;  // of one step, counted in backend_ops<cpu>::gemm (CPU only; 0 elsewhere)
  double gemm_thread_seconds = 0;  // of that step, inside GEMMs, summed over threads
  double counted_step_seconds = 0;  // that step's wall time
};

// adapt: the thread count follows the free cores as in models::train (thread_governor).
template <class Model, class Batch>
measured time_steps(Model& m, const Batch& batch, double seconds, bool adapt = true) {
  using B = typename Model::backend_type;
  std::optional<thread_governor> threads;
  if (adapt) threads.emplace(omp_get_max_threads(), std::chrono::milliseconds(500));
  nn::adam<float, B> opt(m.parameters(), {.lr = 1e-3});
  double loss = 0;
  std::int64_t step = 0;
  double flops = 0, gemm_seconds = 0, counted_seconds = 0;
  // Warm-up (allocations, first-touch), then steps whose GEMM FLOPs and time are counted; the
  // fastest of those gives the split between the products and the rest.
  [[maybe_unused]] auto& counter = backend_ops<cpu>::gemm_flops();
  for (int w = 0; w < 4; ++w, ++step) {
    if constexpr (std::is_same_v<B, cpu>)
      if (w >= 1) counter.flops = 0, counter.nanoseconds = 0, counter.on = true;
    const auto s0 = std::chrono::steady_clock::now();
    opt.zero_grad();
    loss = m.loss_and_backward(batch, models::step_info{0, 0, step, true});
    opt.step();
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
    if constexpr (std::is_same_v<B, cpu>)
      if (w >= 1) {
        counter.on = false;
        if (counted_seconds == 0 || took < counted_seconds) {
          counted_seconds = took;
          flops = static_cast<double>(counter.flops.load());
          gemm_seconds = static_cast<double>(counter.nanoseconds.load()) * 1e-9;
        }
      }
  }
  const auto t0 = std::chrono::steady_clock::now();
  std::int64_t n = 0;
  double elapsed = 0;
  do {
    if (threads) threads->poll();
    opt.zero_grad();
    loss = m.loss_and_backward(batch, models::step_info{0, 0, step++, true});
    opt.step();
    ++n;
    if constexpr (!B::host_accessible) backend_ops<B>::synchronize();  // the step's last kernels are asynchronous
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  } while (elapsed < seconds);
  return {n / elapsed, loss, flops, gemm_seconds, counted_seconds};
}

// The registry entry named `name`, by type; the reference script's names (gru_seq2seq, cnn, ...) are
// accepted too.
template <class F>
auto with_entry(const std::string& name, F&& f) {
  std::string entry = name;
  std::apply([&](auto... e) { ((decltype(e)::reference == name ? void(entry = decltype(e)::name) : void()), ...); },
             paper::model_entries{});
  return paper::visit_model(entry, f);
}

// One step = forward + backward + Adam on the entry's synthetic batch at the full configuration.
template <class B>
measured run_cantus_on(const std::string& name, double seconds, bool adapt = true) {
  return with_entry(name, [&](auto e) {
    using E = decltype(e);
    const auto cfg = E::config(/*quick=*/false);
    typename E::template model_on<B> m(cfg);
    return time_steps(m, models::to_backend<B>(E::synthetic_batch(cfg, E::plan(false).training.batch_size, 1)), seconds, adapt);
  });
}
// The cuda instantiation and whether it can run here (bench_models_cuda.cpp; bench_models.cpp says why
// not when the CUDA backend is not built).
measured run_cantus_cuda(const std::string& name, double seconds);
bool cuda_usable(std::string& why);

}  // namespace bench
