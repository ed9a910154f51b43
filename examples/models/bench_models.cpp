// Training-step throughput of the paper's models at their full (anchor) sizes, with the PyTorch
// reference (anchor_models.py, docs/performance.md) run in the same invocation, model by model and
// alternately (cantus, PyTorch, cantus, ...), so machine drift hits both sides alike. The models, their
// shapes and batches come from the registry (cantus/paper/registry.hpp); --models takes either the
// registry's names or the reference script's (gru_seq2seq, lstm_seq2seq, cnn).
//   bench_models [--seconds S (6)] [--rounds R (1)] [--threads N[,M...] (2)] [--models a,b] [--reference PATH|none]
//   bench_models --scaling --threads 2 --rounds 3     (1 against 2 threads, alternating, best of 3 each)
//                [--python PATH]  (default $CANTUS_PYTHON, else /usr/bin/python3 with Debian's python3-torch)
//                [--competitor]  (instead: each model alone, then beside one busy process with the thread count
//                following the free cores (the default in training) and with it fixed: the slowdowns)
//                [--backend cpu|cuda]  (cuda: the models on the GPU, and by default PyTorch on the same GPU
//                through examples/models/torch_gpu_reference.py, which runs the reference script's models there)
//   bench_models --gemm-replay [--models a,b] [--python PATH] [--reference none]  (one thread: each step's products in
//                the step, then alone with warm and with cold caches, per shape, beside the same shapes through
//                torch.matmul (gemm_replay_torch.py) unless --reference none; gemm_replay.hpp)
// One step = forward + backward + Adam update on a fixed random batch. Prints a table per thread count
// with the ratio cantus/PyTorch (> 1: cantus is faster), the step's GEMM FLOPs (counted in the CPU
// backend) and their rate as a share of the machine's FMA peak measured at that thread count
// (fma_peak.cpp); then how the step splits: the share of its thread-time spent inside GEMMs, and the
// GEMMs' own rate against the peak (what a faster GEMM could still win, and what lies elsewhere).
#include <omp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <tuple>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_models_run.hpp"
#include "gemm_replay.hpp"
#include "cli.hpp"

using namespace cantus;
using bench::measured;
using bench::with_entry;

namespace bench {
double fma_peak_gflops(int threads, double seconds, const char** isa);
}
#if !CANTUS_EXAMPLE_HAVE_CUDA
namespace bench {
bool cuda_usable(std::string& why) {
  why = "this build has no CUDA backend (configure with -DCANTUS_CUDA=ON on a machine with nvcc and cuDNN 9)";
  return false;
}
measured run_cantus_cuda(const std::string&, double) { return {}; }
}  // namespace bench
#endif

namespace {

std::string reference_name(const std::string& name) {
  return with_entry(name, [](auto e) { return std::string(decltype(e)::reference); });
}
index_t batch_items(const std::string& name) {
  return with_entry(name, [](auto e) {
    using E = decltype(e);
    return E::plan(/*quick=*/false).training.batch_size;
  });
}

// Runs the PyTorch reference for one model; 0 when it cannot run (reported).
double run_reference(const std::string& python, const std::string& script, const std::string& name, int threads,
                     double seconds, const std::string& extra_args) {
  const std::string cmd = "'" + python + "' '" + script + "' --threads " + std::to_string(threads) + " --seconds " +
                          std::to_string(seconds) + " --models " + name + extra_args + " 2>&1";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return 0;
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  const int rc = ::pclose(p);
  const auto k = out.find("steps/s=");
  if (rc != 0 || k == std::string::npos) {
    std::fprintf(stderr,
                 "bench_models: reference failed for %s (exit %d): %s\n"
                 "  (PyTorch 2 from PyPI in a virtual environment: python3 -m venv VENV && VENV/bin/pip install torch, or\n"
                 "  bash ../shared/bench/setup-torch2-venv.sh VENV; then --python VENV/bin/python)\n",
                 name.c_str(), rc, out.c_str());
    return 0;
  }
  return std::atof(out.c_str() + k + 8);
}

// A process that keeps one core busy until killed (the competitor of --competitor).
pid_t busy_process() {
  const pid_t pid = ::fork();
  if (pid == 0) {
    volatile unsigned long x = 0;
    for (;;) x = x + 1;
  }
  return pid;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// "median (min-max)" of the rounds, or the one value, or "-".
std::string spread(const std::vector<double>& v, int digits) {
  if (v.empty()) return "-";
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  char b[96];
  if (v.size() == 1)
    std::snprintf(b, sizeof b, "%.*f", digits, v.front());
  else
    std::snprintf(b, sizeof b, "%.*f (%.*f-%.*f)", digits, median(v), digits, *lo, digits, *hi);
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 6;
  int rounds = 1, threads = 2;
  std::vector<int> thread_counts{2};
  std::vector<std::string> names;
  std::apply([&](auto... e) { (names.push_back(decltype(e)::reference), ...); }, paper::model_entries{});
  std::string reference = std::string(CANTUS_SOURCE_DIR) + "/../shared/anchor_models.py";
  // The interpreter with PyTorch: $CANTUS_PYTHON, else Debian's (python3-torch, as ../shared/anchors.md).
  std::string python = std::getenv("CANTUS_PYTHON") ? std::getenv("CANTUS_PYTHON") : "/usr/bin/python3";
  std::string backend = "cpu";
  bool reference_given = false, competitor = false, scaling = false, replay = false;
  cli::app app{"Training-step throughput of the paper's models at their anchor sizes beside the PyTorch reference.", "bench_models"};
  cli::real(app, "--seconds", seconds, 0.001, 3600, "least time per measurement (default 6)");
  cli::integer(app, "--rounds", rounds, 1, 1000, "rounds, alternating cantus and PyTorch (default 1)");
  cli::value_option(app, "--threads", "thread counts, one table each (default 2)", "N[,M...]", [&](const std::string& f, const std::string& t) {
    const auto items = cli::split_list(t);
    if (items.empty()) throw cli::bad_value(f, "a comma-separated list of 1 to 1024 threads", t);
    thread_counts.clear();
    for (const auto& x : items) thread_counts.push_back(cli::parse_integer(f, x, 1, 1024, "1 to 1024 threads"));
    threads = thread_counts.front();
  });
  auto* reference_option = app.add_option("--reference", reference, "the PyTorch reference script, or none")->type_name("PATH|none");
  cli::choice(app, "--backend", backend, {"cpu", "cuda"}, "where the models run (default cpu)");
  app.add_flag("--competitor", competitor, "each model alone, then beside one busy process");
  app.add_flag("--scaling", scaling, "1 thread against the largest --threads count, alternating, best of --rounds each");
  app.add_flag("--gemm-replay", replay, "one thread: every product of a step, timed in the step, alone warm and alone cold");
  app.add_option("--python", python, "the interpreter with PyTorch (default $CANTUS_PYTHON or /usr/bin/python3)")->type_name("PATH");
  cli::list(app, "--models", names, "registry or reference names (default: every model)");
  cli::parse_or_exit(app, argc, argv);
  reference_given = reference_option->count() > 0;
  if (std::string why; backend == "cuda" && !bench::cuda_usable(why)) {
    std::fprintf(stderr, "bench_models: --backend cuda: %s\n", why.c_str());
    return 2;
  }
  // On the GPU the reference is PyTorch on the same GPU: the reference script's models moved there.
  std::string reference_args;
  if (backend == "cuda") {
    if (!reference_given) reference = std::string(CANTUS_SOURCE_DIR) + "/examples/models/torch_gpu_reference.py";
    reference_args = " --device cuda";
  }
  omp_set_num_threads(threads);
  if (replay) {
    if (backend != "cpu") {
      std::fprintf(stderr, "bench_models: --gemm-replay measures the CPU backend\n");
      return 2;
    }
    // PyTorch's side: the same shapes through torch.matmul (--reference none: cantus only).
    const std::string replay_script = std::string(CANTUS_SOURCE_DIR) + "/examples/models/gemm_replay_torch.py";
    const char* isa = "";
    const double peak = bench::fma_peak_gflops(1, 1.0, &isa);
    std::printf("1 thread: measured FMA peak %.1f GFLOP/s (%s, float)\n", peak, isa);
    for (const auto& name : names) {
      try {
        bench::gemm_replay(name, peak, python, reference == "none" ? std::string() : replay_script);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_models: %s: %s\n", name.c_str(), e.what());
        return 1;
      }
    }
    return 0;
  }
  if (competitor) {
    if (backend != "cpu") {
      std::fprintf(stderr, "bench_models: --competitor measures the CPU backend\n");
      return 2;
    }
    std::printf("| model | alone steps/s | beside a busy process, adaptive threads | slowdown | with %d fixed threads | slowdown |\n"
                "|---|---|---|---|---|---|\n", threads);
    std::fflush(stdout);
    for (const auto& name : names) {
      try {
        const double alone = bench::run_cantus_on<cpu>(name, seconds, true).steps_per_second;
        const pid_t pid = busy_process();
        if (pid < 0) throw std::runtime_error("fork failed");
        omp_set_num_threads(threads);
        const double adaptive = bench::run_cantus_on<cpu>(name, seconds, true).steps_per_second;
        omp_set_num_threads(threads);
        const double fixed = bench::run_cantus_on<cpu>(name, seconds, false).steps_per_second;
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        std::printf("| %s | %.3f | %.3f | %.2fx | %.3f | %.2fx |\n", name.c_str(), alone, adaptive, alone / adaptive, fixed, alone / fixed);
        std::fflush(stdout);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_models: %s: %s\n", name.c_str(), e.what());
        return 1;
      }
    }
    return 0;
  }
  if (scaling) {
    if (backend != "cpu") {
      std::fprintf(stderr, "bench_models: --scaling measures the CPU backend\n");
      return 2;
    }
    // Other tenants of a shared machine only ever slow a run down, so the best of several
    // alternating rounds is the figure least disturbed by them, for both counts alike.
    const int many = *std::max_element(thread_counts.begin(), thread_counts.end());
    std::printf("| model | 1 thread steps/s | %d threads steps/s | scaling |\n|---|---|---|---|\n", many);
    std::fflush(stdout);
    for (const auto& name : names) {
      double one = 0, all = 0;
      try {
        for (int r = 0; r < rounds; ++r) {
          omp_set_num_threads(1);
          one = std::max(one, bench::run_cantus_on<cpu>(name, seconds).steps_per_second);
          omp_set_num_threads(many);
          all = std::max(all, bench::run_cantus_on<cpu>(name, seconds).steps_per_second);
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_models: %s: %s\n", name.c_str(), e.what());
        return 1;
      }
      std::printf("| %s | %.3f | %.3f | %.2fx |\n", name.c_str(), one, all, all / one);
      std::fflush(stdout);
    }
    return 0;
  }
  const bool with_reference = reference != "none" && std::filesystem::exists(reference);
  if (!with_reference) std::fprintf(stderr, "bench_models: no PyTorch reference (%s): cantus only\n", reference.c_str());
  for (const int t : thread_counts) {
    omp_set_num_threads(t);
    double peak = 0;
    const char* isa = "";
    if (backend == "cpu") {
      peak = bench::fma_peak_gflops(t, 1.0, &isa);
      std::printf("\n%d thread%s: measured FMA peak %.1f GFLOP/s (%s, float)\n\n", t, t == 1 ? "" : "s", peak, isa);
    }
    // Both sides at t fixed threads (cantus does not follow the free cores here); with --rounds R, each
    // figure is the median of R alternating rounds with its range, the ratio the median of the rounds'
    // ratios.
    std::printf("| model | cantus steps/s | PyTorch steps/s | ratio cantus/PyTorch | cantus items/s | GEMM GFLOP/step | GEMM GFLOP/s | share of peak | time in GEMM | GEMM kernels' share of peak | cantus loss |\n"
                "|---|---|---|---|---|---|---|---|---|---|---|\n");
    std::fflush(stdout);
    for (const auto& name : names) {
      std::vector<double> ours, theirs, ratios;
      double loss = 0, flops = 0, in_gemm = 0, kernel_share = 0;
      try {
        for (int r = 0; r < rounds; ++r) {
          omp_set_num_threads(t);
          const auto m = backend == "cuda" ? bench::run_cantus_cuda(name, seconds) : bench::run_cantus_on<cpu>(name, seconds, false);
          ours.push_back(m.steps_per_second);
          loss = m.loss;
          flops = m.gemm_flops;
          // Of the counted step: the share of thread-time inside GEMMs, and the products' own rate
          // per thread-second against one thread's share of the peak.
          if (m.gemm_thread_seconds > 0 && m.counted_step_seconds > 0 && peak > 0) {
            in_gemm = m.gemm_thread_seconds / (m.counted_step_seconds * t);
            kernel_share = m.gemm_flops / m.gemm_thread_seconds / 1e9 / (peak / t);
          }
          if (with_reference) {
            theirs.push_back(run_reference(python, reference, reference_name(name), t, seconds, reference_args));
            if (theirs.back() > 0) ratios.push_back(ours.back() / theirs.back());
          }
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_models: %s: %s\n", name.c_str(), e.what());
        return 1;
      }
      const double a = median(ours), b = median(theirs), rate = flops * a / 1e9;
      const auto percent = [](double x) { return x > 0 ? std::to_string(100 * x).substr(0, 4) + " %" : std::string("-"); };
      std::printf("| %s | %s | %s | %s | %.1f | %s | %s | %s | %s | %s | %.4g |\n", name.c_str(), spread(ours, 3).c_str(),
                  b > 0 ? spread(theirs, 3).c_str() : "-", spread(ratios, 2).c_str(), a * double(batch_items(name)),
                  flops > 0 ? std::to_string(flops / 1e9).substr(0, 6).c_str() : "-", flops > 0 ? std::to_string(rate).substr(0, 6).c_str() : "-",
                  flops > 0 && peak > 0 ? (std::to_string(100 * rate / peak).substr(0, 4) + " %").c_str() : "-",
                  percent(in_gemm).c_str(), percent(kernel_share).c_str(), loss);
      std::fflush(stdout);
    }
  }
  return 0;
}
