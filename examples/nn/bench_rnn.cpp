// Forward + backward of nn::gru and nn::lstm at the anchor shapes (../shared/anchors.md) against
// torch.nn.GRU / LSTM measured in the same run (examples/nn/bench_rnn_torch.py, 2 threads).
// Measurements alternate (cantus on 1 thread, cantus on OMP_NUM_THREADS, torch; repeated --rounds
// times) and medians are compared.
//   build/examples/bench_rnn [--rounds R] [--seconds S] [--no-torch] [--case gru|lstm]
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cantus/nn/rnn/gru.hpp"
#include "cantus/nn/rnn/lstm.hpp"
#include "cli.hpp"

using namespace cantus;
using clk = std::chrono::steady_clock;

namespace {
struct bench_case {
  const char* name;
  index_t batch, time, input, hidden;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Median seconds per call over at least `seconds` (and 3 calls) after one warm-up call.
double time_median(const std::function<void()>& f, double seconds) {
  f();
  std::vector<double> t;
  const auto start = clk::now();
  while (std::chrono::duration<double>(clk::now() - start).count() < seconds || t.size() < 3) {
    const auto t0 = clk::now();
    f();
    t.push_back(std::chrono::duration<double>(clk::now() - t0).count());
  }
  return median(t);
}

double torch_seconds(const char* name, double seconds) {
  // The interpreter with PyTorch: $CANTUS_PYTHON (a PyTorch 2 venv, as bench_models), else Debian's.
  const char* python = std::getenv("CANTUS_PYTHON") ? std::getenv("CANTUS_PYTHON") : "/usr/bin/python3";
  std::string cmd = "'";
  cmd += python;
  cmd += std::string("' ") + CANTUS_SOURCE_DIR + "/examples/nn/bench_rnn_torch.py --case " +
         name + " --threads 2 --seconds " + std::to_string(seconds);
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  if (!p) return -1;
  char line[256];
  double s = -1;
  while (std::fgets(line, sizeof line, p.get()))
    if (std::sscanf(line, "seconds %lf", &s) == 1) break;
  return s;
}

template <class Layer>
std::function<void()> cantus_step(const bench_case& c) {
  auto layer = std::make_shared<Layer>(typename std::conditional_t<std::is_same_v<Layer, nn::gru<float>>, nn::gru_config,
                                                                    nn::lstm_config>{c.input, c.hidden});
  auto x = std::make_shared<tensor<float, 3>>(shape_t<3>{c.batch, c.time, c.input});
  auto y = std::make_shared<tensor<float, 3>>(shape_t<3>{c.batch, c.time, c.hidden});
  auto dy = std::make_shared<tensor<float, 3>>(shape_t<3>{c.batch, c.time, c.hidden});
  random_stream rs(1);
  for (index_t i = 0; i < x->size(); ++i) x->data()[i] = float(rs.normal(i));
  for (index_t i = 0; i < dy->size(); ++i) dy->data()[i] = float(rs.split(1).normal(i));
  return [=] {
    auto ps = layer->parameters();
    nn::zero_grad(ps);
    if constexpr (std::is_same_v<Layer, nn::gru<float>>) {
      layer->forward(*x, {}, *y);
      layer->backward(*dy, {}, {});
    } else {
      layer->forward(*x, {}, {}, *y);
      layer->backward(*dy, {}, {}, {});
    }
  };
}
}  // namespace

int main(int argc, char** argv) {
  int rounds = 2;
  double seconds = 3;
  bool with_torch = true;
  std::string only;
  cli::app app{"Times the GRU and LSTM layers on the CPU backend beside PyTorch's.", "bench_rnn"};
  cli::integer(app, "--rounds", rounds, 1, 1000, "rounds");
  cli::real(app, "--seconds", seconds, 0.001, 3600, "least time per measurement");
  app.add_flag_callback("--no-torch", [&with_torch] { with_torch = false; }, "skip the PyTorch reference");
  cli::choice(app, "--case", only, {"gru", "lstm"}, "only this case");
  return cli::run(app, argc, argv, [&] {
    const bench_case cases[] = {{"gru", 32, 2048, 1, 32}, {"lstm", 16, 128, 128, 512}};
    const int threads = omp_get_max_threads();
    std::printf("cantus %s, SIMD %s; cantus on 1 and %d OpenMP threads, torch on 2 threads\n", version,
                cpu_kernels::simd_name(), threads);
    std::printf("| layer | shape [B, T, I] -> H | cantus 1 thread ms | cantus %d threads ms | PyTorch ms | speed-up 1 thread | "
                "speed-up %d threads |\n|---|---|---|---|---|---|---|\n",
                threads, threads);
    for (const auto& c : cases) {
      if (!only.empty() && only != c.name) continue;
      auto step = std::string(c.name) == "gru" ? cantus_step<nn::gru<float>>(c) : cantus_step<nn::lstm<float>>(c);
      std::vector<double> one, many, theirs;
      for (int r = 0; r < rounds; ++r) {  // alternate, so drifting machine load hits every column alike
        omp_set_num_threads(1);
        one.push_back(time_median(step, seconds));
        omp_set_num_threads(threads);
        many.push_back(time_median(step, seconds));
        if (with_torch) {
          const double s = torch_seconds(c.name, seconds);
          if (s > 0) theirs.push_back(s);
        }
      }
      const double m1 = median(one) * 1e3, mn = median(many) * 1e3;
      std::printf("| %s | [%ld, %ld, %ld] -> %ld | %.2f | %.2f |", c.name, long(c.batch), long(c.time), long(c.input),
                  long(c.hidden), m1, mn);
      if (theirs.empty()) {
        std::printf(" n/a | n/a | n/a |\n");
      } else {
        const double t = median(theirs) * 1e3;
        std::printf(" %.2f | x%.2f | x%.2f |\n", t, t / m1, t / mn);
      }
      std::fflush(stdout);
    }
    return 0;
  });
}
