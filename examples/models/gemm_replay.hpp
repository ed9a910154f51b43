#pragma once
// bench_models --gemm-replay: every product of one training step, logged with its shape and time
// inside the step (backend_ops<cpu>::gemm_flops().record), then run again alone on one thread twice:
// with warm caches (the same call just before) and with cold ones (a buffer larger than the last-level
// cache written just before). The three totals say whether the products lose time inside the step to
// their operands' trips from memory, or are as fast there as alone (then only a faster kernel or fewer
// FLOPs help).
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "bench_models_run.hpp"

namespace bench {

struct replayed_product {
  backend_ops<cpu>::gemm_call call;
  int calls = 0;  // per step
  double in_step = 0, warm = 0, cold = 0;  // seconds per step, summed over the calls
  double torch = 0;  // the same products through torch.matmul, warm (0: not measured)
};

// One step's products in call order, each with the least time it took over `steps` recorded steps
// (at one thread the steps make the same calls in the same order); `step_seconds` gets the fastest
// recorded step.
template <class Model, class Batch>
std::vector<backend_ops<cpu>::gemm_call> record_products(Model& m, const Batch& batch, int steps, double& step_seconds) {
  nn::adam<float, cpu> opt(m.parameters(), {.lr = 1e-3});
  auto& counter = backend_ops<cpu>::gemm_flops();
  std::vector<backend_ops<cpu>::gemm_call> best;
  for (int s = 0; s < steps + 2; ++s) {  // two unrecorded steps first: allocations, first touch
    const bool rec = s >= 2;
    if (rec) {
      counter.log.clear();
      counter.record = true, counter.on = true;
    }
    const auto t0 = std::chrono::steady_clock::now();
    opt.zero_grad();
    m.loss_and_backward(batch, models::step_info{0, 0, s, true});
    opt.step();
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    counter.on = false, counter.record = false;
    if (!rec) continue;
    step_seconds = s == 2 ? took : std::min(step_seconds, took);
    if (best.empty()) {
      best = counter.log;
    } else if (best.size() == counter.log.size()) {
      for (std::size_t i = 0; i < best.size(); ++i) best[i].nanoseconds = std::min(best[i].nanoseconds, counter.log[i].nanoseconds);
    }
  }
  counter.log.clear();
  counter.log.shrink_to_fit();
  return best;
}

// Runs the products again alone: each distinct call (shape, strides, alpha, beta) the least of `reps`
// timings warm and of `reps` after evicting the caches, times the number of such calls in the step;
// summed per shape. (The same call on the same buffers takes the same time whichever of the step's
// calls it stands for; a step of WaveNet makes tens of thousands of calls of a few dozen kinds.)
inline std::vector<replayed_product> replay_products(const std::vector<backend_ops<cpu>::gemm_call>& log, int reps) {
  using clock = std::chrono::steady_clock;
  using call_t = backend_ops<cpu>::gemm_call;
  auto full_key = [](const call_t& c) {
    return std::make_tuple(c.ta, c.tb, c.packed, c.m, c.n, c.k, c.lda, c.ldb, c.ldc, c.alpha, c.beta);
  };
  std::map<decltype(full_key(log.front())), std::pair<call_t, int>> kinds;
  std::map<std::tuple<bool, bool, bool, index_t, index_t, index_t, bool>, replayed_product> rows;
  std::size_t a_size = 1, b_size = 1, c_size = 1;
  for (const auto& c : log) {
    auto& kind = kinds[full_key(c)];
    kind.first = c, kind.second += 1;
    auto& row = rows[{c.ta, c.tb, c.packed, c.m, c.n, c.k, c.beta == 0}];
    row.call = c, row.calls += 1, row.in_step += double(c.nanoseconds) * 1e-9;
    a_size = std::max<std::size_t>(a_size, std::size_t((c.ta ? c.k : c.m) * c.lda));
    b_size = std::max<std::size_t>(b_size, std::size_t(c.packed ? c.k * c.n : (c.tb ? c.n : c.k) * c.ldb));
    c_size = std::max<std::size_t>(c_size, std::size_t(c.m * c.ldc));
  }
  std::vector<float> a(a_size, 0.5f), b(b_size, 0.25f), cbuf(c_size, 1.0f);
  // 128 MiB: more than twice the last-level cache of the machines measured here (48 MiB).
  std::vector<float> evict(std::size_t(32) << 20, 0.f);
  float sink = 0;
  auto flush = [&] {
    for (std::size_t i = 0; i < evict.size(); i += 16) evict[i] += 1.f;
    sink += evict[evict.size() / 2];
  };
  backend_ops<cpu>::packed_b<float> packed;
  for (const auto& [key, kind] : kinds) {
    const auto& [c, count] = kind;
    const transpose ta = c.ta ? transpose::yes : transpose::no, tb = c.tb ? transpose::yes : transpose::no;
    if (c.packed) packed.pack(transpose::no, c.k, c.n, b.data(), c.n);
    auto run = [&] {
      const auto t0 = clock::now();
      if (c.packed)
        backend_ops<cpu>::gemm_packed(ta, c.m, c.n, c.k, float(c.alpha), a.data(), c.lda, packed, float(c.beta), cbuf.data(), c.ldc);
      else
        backend_ops<cpu>::gemm(ta, tb, c.m, c.n, c.k, float(c.alpha), a.data(), c.lda, b.data(), c.ldb, float(c.beta),
                               cbuf.data(), c.ldc);
      return std::chrono::duration<double>(clock::now() - t0).count();
    };
    double warm = 1e30, cold = 1e30;
    run();
    for (int r = 0; r < reps; ++r) warm = std::min(warm, run());
    for (int r = 0; r < reps; ++r) {
      flush();
      cold = std::min(cold, run());
    }
    auto& row = rows[{c.ta, c.tb, c.packed, c.m, c.n, c.k, c.beta == 0}];
    row.warm += warm * count;
    row.cold += cold * count;
  }
  if (sink == 12345.f) std::printf(" ");  // keeps the eviction writes
  std::vector<replayed_product> out;
  for (auto& [key, row] : rows) out.push_back(row);
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.in_step > y.in_step; });
  return out;
}

// The same shapes through PyTorch (gemm_replay_torch.py) on one thread; false, with the reason on
// stderr, when that cannot run.
inline bool torch_times(std::vector<replayed_product>& rows, const std::string& python, const std::string& script) {
  const auto list = std::filesystem::temp_directory_path() / ("cantus_gemm_replay_" + std::to_string(::getpid()) + ".txt");
  if (std::FILE* f = std::fopen(list.c_str(), "w")) {
    for (const auto& r : rows)
      std::fprintf(f, "%d %d %lld %lld %lld %d %d\n", int(r.call.ta), int(r.call.tb && !r.call.packed), (long long)r.call.m,
                   (long long)r.call.n, (long long)r.call.k, int(r.call.beta == 0), r.calls);
    std::fclose(f);
  } else {
    std::fprintf(stderr, "bench_models: cannot write %s\n", list.c_str());
    return false;
  }
  const std::string cmd = "'" + python + "' '" + script + "' < '" + list.string() + "'";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  bool ok = p != nullptr;
  if (p) {
    char line[256];
    std::size_t i = 0;
    std::string version;
    while (std::fgets(line, sizeof line, p)) {
      if (std::string(line).rfind("torch ", 0) == 0) {
        version = line;
        continue;
      }
      if (i < rows.size()) rows[i++].torch = std::atof(line);
    }
    const int status = ::pclose(p);
    ok = status == 0 && i == rows.size();
    if (ok) std::printf("PyTorch reference: %s", version.c_str());
  }
  std::filesystem::remove(list);
  if (!ok) {
    for (auto& r : rows) r.torch = 0;
    std::fprintf(stderr, "bench_models: the PyTorch side of --gemm-replay did not run (%s); cantus only\n", cmd.c_str());
  }
  return ok;
}

// Prints the table for one model: the `top` shapes by time inside the step, the rest summed, totals.
inline void print_replay(const std::string& name, const std::vector<replayed_product>& rows, double peak, double step_seconds,
                         std::size_t top = 12) {
  auto gflops = [](const backend_ops<cpu>::gemm_call& c) { return 2.0 * double(c.m) * double(c.n) * double(c.k) / 1e9; };
  auto rate = [&](double fl, double s) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f (%.0f %%)", fl / s, 100.0 * fl / s / peak);
    return std::string(buf);
  };
  std::printf("\n%s: one step %.1f ms at 1 thread; its products alone, warm and after evicting the caches "
              "(GFLOP/s, share of the %.1f GFLOP/s peak)\n\n",
              name.c_str(), 1e3 * step_seconds, peak);
  const bool torch = !rows.empty() && rows.front().torch > 0;
  std::printf("| product (op(A) m x k, op(B) k x n) | calls/step | in the step ms | warm ms | cold ms | in the step | warm | cold |%s\n"
              "|---|---|---|---|---|---|---|---|%s\n",
              torch ? " PyTorch warm ms | PyTorch warm |" : "", torch ? "---|---|" : "");
  double fl_all = 0, in_all = 0, warm_all = 0, cold_all = 0, fl_rest = 0, in_rest = 0, warm_rest = 0, cold_rest = 0;
  double torch_all = 0, torch_rest = 0;
  auto torch_cells = [&](double fl, double s) {
    if (!torch) return std::string();
    char buf[32];
    std::snprintf(buf, sizeof buf, " %.2f | ", 1e3 * s);
    return buf + rate(fl, s) + " |";
  };
  int calls_all = 0, calls_rest = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const double fl = gflops(r.call) * r.calls;
    fl_all += fl, in_all += r.in_step, warm_all += r.warm, cold_all += r.cold, calls_all += r.calls, torch_all += r.torch;
    if (i >= top) {
      fl_rest += fl, in_rest += r.in_step, warm_rest += r.warm, cold_rest += r.cold, calls_rest += r.calls;
      torch_rest += r.torch;
      continue;
    }
    std::printf("| %s%s%s %lld x %lld x %lld%s | %d | %.2f | %.2f | %.2f | %s | %s | %s |%s\n", r.call.ta ? "A^T " : "",
                r.call.tb ? "B^T " : "", r.call.packed ? "packed B " : "", (long long)r.call.m, (long long)r.call.n,
                (long long)r.call.k, r.call.beta == 0 ? "" : ", C +=", r.calls, 1e3 * r.in_step, 1e3 * r.warm,
                1e3 * r.cold, rate(fl, r.in_step).c_str(), rate(fl, r.warm).c_str(), rate(fl, r.cold).c_str(),
                torch_cells(fl, r.torch).c_str());
  }
  if (calls_rest > 0)
    std::printf("| %zu other shapes | %d | %.2f | %.2f | %.2f | %s | %s | %s |%s\n", rows.size() - top, calls_rest, 1e3 * in_rest,
                1e3 * warm_rest, 1e3 * cold_rest, rate(fl_rest, in_rest).c_str(), rate(fl_rest, warm_rest).c_str(),
                rate(fl_rest, cold_rest).c_str(), torch_cells(fl_rest, torch_rest).c_str());
  std::printf("| **all %.3f GFLOP** | %d | **%.2f** | **%.2f** | **%.2f** | %s | %s | %s |%s\n", fl_all, calls_all, 1e3 * in_all,
              1e3 * warm_all, 1e3 * cold_all, rate(fl_all, in_all).c_str(), rate(fl_all, warm_all).c_str(),
              rate(fl_all, cold_all).c_str(), torch_cells(fl_all, torch_all).c_str());
  std::fflush(stdout);
}

// The whole of --gemm-replay for one model, at one thread.
inline void gemm_replay(const std::string& name, double peak, const std::string& python, const std::string& torch_script,
                        int reps = 3) {
  omp_set_num_threads(1);
  with_entry(name, [&](auto e) {
    using E = decltype(e);
    const auto cfg = E::config(/*quick=*/false);
    typename E::template model_on<cpu> m(cfg);
    const auto batch = models::to_backend<cpu>(E::synthetic_batch(cfg, E::plan(false).training.batch_size, 1));
    double step_seconds = 0;
    const auto log = record_products(m, batch, 3, step_seconds);
    auto rows = replay_products(log, reps);
    if (!torch_script.empty()) torch_times(rows, python, torch_script);
    print_replay(name, rows, peak, step_seconds);
    return 0;
  });
}

}  // namespace bench
