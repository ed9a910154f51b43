// Forward + backward of cantus' convolution layers at the shapes of ../shared/anchors.md, against
// the same layers in PyTorch (examples/nn/bench_layers_torch.py, torch.set_num_threads(2)) measured
// in the same run. Rounds alternate: all cantus cases, then all torch cases; per case the median
// over rounds of each round's median is compared. Ratio = torch time / cantus time (> 1: cantus faster).
//   build/examples/bench_layers [--rounds R] [--seconds S] [--threads N] [--cpu-time] [--no-torch] [--case NAME]
#include <omp.h>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cantus/nn/layers/layers.hpp"
#include "cantus/nn/sequential.hpp"
#include "cli.hpp"

using namespace cantus;
using clk = std::chrono::steady_clock;

namespace {
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? -1 : v[v.size() / 2];
}

// --cpu-time: process CPU seconds instead of wall-clock seconds. On a machine others are loading,
// CPU time with one thread per side (--threads 1) is the fairer comparison; on an idle machine with
// one thread both clocks agree.
bool use_cpu_time = false;
double now_seconds() {
  if (use_cpu_time) {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
  }
  return std::chrono::duration<double>(clk::now().time_since_epoch()).count();
}

// Median seconds per call over at least `seconds` (and 3 calls) after one warm-up call.
double time_median(const std::function<void()>& f, double seconds) {
  f();
  std::vector<double> t;
  const auto start = clk::now();
  while (std::chrono::duration<double>(clk::now() - start).count() < seconds || t.size() < 3) {
    const double t0 = now_seconds();
    f();
    t.push_back(now_seconds() - t0);
  }
  return median(t);
}

// One forward + backward (input gradient included, as torch with x.requires_grad) of a layer.
template <class L>
std::function<void()> step(std::shared_ptr<L> layer, shape_t<3 + (L::in_rank - 3)> in_shape) {
  auto x = std::make_shared<tensor<float, L::in_rank>>(in_shape);
  random_stream rng(1);
  for (index_t i = 0; i < x->size(); ++i) x->data()[i] = float(rng.normal(std::uint64_t(i)));
  auto y = std::make_shared<tensor<float, L::out_rank>>(layer->output_shape(in_shape));
  auto dy = std::make_shared<tensor<float, L::out_rank>>(y->shape(), 0.5f);
  auto dx = std::make_shared<tensor<float, L::in_rank>>(in_shape);
  return [=] {
    layer->forward(x->view(), y->view(), true);
    layer->backward(x->view(), y->view(), dy->view(), dx->view());
  };
}

struct bench_case {
  std::string name, what;
  std::function<std::function<void()>()> make;
};

template <class L, class... A>
bench_case make_case(std::string name, std::string what, shape_t<L::in_rank> shape, A... args) {
  return {name, what, [=] { return step(std::make_shared<L>(args...), shape); }};
}

std::vector<bench_case> cases() {
  using F = float;
  return {
      make_case<nn::conv1d<F, cpu, 1, 32, 4, 2, 1>>("vae_enc_conv1d_1_32", "Conv1d 1->32 k4 s2 p1 [512,1,128]", {512, 1, 128}),
      make_case<nn::conv1d<F, cpu, 32, 64, 4, 2, 1>>("vae_enc_conv1d_32_64", "Conv1d 32->64 k4 s2 p1 [512,32,64]", {512, 32, 64}),
      make_case<nn::conv1d<F, cpu, 64, 128, 4, 2, 1>>("vae_enc_conv1d_64_128", "Conv1d 64->128 k4 s2 p1 [512,64,32]",
                                                 {512, 64, 32}),
      make_case<nn::conv_transpose1d<F, cpu, 128, 64, 4, 2, 1>>("vae_dec_convT1d_128_64",
                                                           "ConvTranspose1d 128->64 k4 s2 p1 [512,128,16]", {512, 128, 16}),
      make_case<nn::conv_transpose1d<F, cpu, 64, 32, 4, 2, 1>>("vae_dec_convT1d_64_32",
                                                          "ConvTranspose1d 64->32 k4 s2 p1 [512,64,32]", {512, 64, 32}),
      make_case<nn::conv_transpose1d<F, cpu, 32, 1, 4, 2, 1>>("vae_dec_convT1d_32_1",
                                                         "ConvTranspose1d 32->1 k4 s2 p1 [512,32,64]", {512, 32, 64}),
      make_case<nn::causal_conv1d<F, cpu, 64, 128, 2, 512>>("wavenet_causal_conv1d_d512",
                                                       "causal Conv1d 64->128 k2 d512 [2,64,8192]", {2, 64, 8192}),
      make_case<nn::causal_conv1d<F, cpu, 64, 128, 2, 1>>("wavenet_causal_conv1d_d1", "causal Conv1d 64->128 k2 d1 [2,64,8192]",
                                                     {2, 64, 8192}),
      make_case<nn::conv1d<F, cpu, 64, 128, 1>>("wavenet_conv1x1_64_128", "Conv1d 1x1 64->128 [2,64,8192]", {2, 64, 8192}),
      make_case<nn::gated_activation<F, cpu, 3>>("wavenet_gated_activation", "tanh(a)*sigmoid(b) [2,256,8192]", {2, 256, 8192}),
      make_case<nn::conv_transpose1d<F, cpu, 128, 128, 16, 8, 4>>("wavenet_upsample_convT1d",
                                                             "ConvTranspose1d 128->128 k16 s8 p4 [2,128,1088]", {2, 128, 1088}),
      make_case<nn::conv2d<F, cpu, 32, 64, 3, 1, 1>>("cnn_conv2d_32_64", "Conv2d 32->64 3x3 p1 [32,32,64,64]", {32, 32, 64, 64}),
      make_case<nn::batch_norm2d<F, cpu, 32>>("cnn_batch_norm2d", "BatchNorm2d(32) train [32,32,128,128]", {32, 32, 128, 128}),
      make_case<nn::relu<F, cpu, 4>>("cnn_relu", "ReLU [32,32,128,128]", {32, 32, 128, 128}),
      make_case<nn::max_pool2d<F, cpu, 2>>("cnn_max_pool2d", "MaxPool2d(2) [32,32,128,128]", {32, 32, 128, 128}),
  };
}

std::map<std::string, double> torch_round(const std::vector<std::string>& names, double seconds, int threads) {
  std::string cmd = std::string("/usr/bin/python3 ") + CANTUS_SOURCE_DIR + "/examples/nn/bench_layers_torch.py --threads " +
                    std::to_string(threads) + " --seconds " + std::to_string(seconds) +
                    (use_cpu_time ? " --cpu-time" : "") + " --case";
  for (auto& n : names) cmd += " " + n;
  std::map<std::string, double> r;
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  if (!p) return r;
  char line[512], name[256];
  double s;
  while (std::fgets(line, sizeof line, p.get()))
    if (std::sscanf(line, "%255s %lf", name, &s) == 2) r[name] = s;
  return r;
}
}  // namespace

int main(int argc, char** argv) {
  int rounds = 2, threads = 2;
  double seconds = 1.0;
  bool with_torch = true;
  std::string only;
  cli::app app{"Times every layer's forward and backward pass on the CPU backend beside PyTorch's.", "bench_layers"};
  cli::integer(app, "--rounds", rounds, 1, 1000, "rounds (default 2)");
  cli::real(app, "--seconds", seconds, 0.001, 3600, "least time per measurement (default 1)");
  cli::threads(app, threads, false, "threads (default 2)");
  app.add_flag("--cpu-time", use_cpu_time, "measure CPU time instead of wall time");
  app.add_flag_callback("--no-torch", [&with_torch] { with_torch = false; }, "skip the PyTorch reference");
  app.add_option("--case", only, "only this case")->type_name("NAME");
  return cli::run(app, argc, argv, [&] {
    omp_set_num_threads(threads);
    std::vector<bench_case> all;
    for (auto& c : cases())
      if (only.empty() || c.name == only) all.push_back(c);
    if (all.empty()) {
      std::fprintf(stderr, "bench_layers: no case named '%s'\n", only.c_str());
      return 2;
    }
    std::vector<std::string> names;
    for (auto& c : all) names.push_back(c.name);
    std::printf("cantus %s, SIMD %s, %d OpenMP threads; torch.set_num_threads(%d); %d rounds x %.1f s per case; %s\n",
                version, cpu_kernels::simd_name(), omp_get_max_threads(), threads, rounds, seconds,
                use_cpu_time ? "process CPU time" : "wall-clock time");
    std::map<std::string, std::vector<double>> ours, theirs;
    for (int r = 0; r < rounds; ++r) {
      for (auto& c : all) {
        auto f = c.make();
        ours[c.name].push_back(time_median(f, seconds));
      }
      if (with_torch)
        for (auto& [n, s] : torch_round(names, seconds, threads)) theirs[n].push_back(s);
    }
    std::printf("%-28s %-46s %10s %10s %7s\n", "case", "layer, input", "cantus ms", "torch ms", "ratio");
    for (auto& c : all) {
      const double a = median(ours[c.name]) * 1e3, b = median(theirs[c.name]) * 1e3;
      if (b > 0) std::printf("%-28s %-46s %10.2f %10.2f %7.2f\n", c.name.c_str(), c.what.c_str(), a, b, b / a);
      else std::printf("%-28s %-46s %10.2f %10s %7s\n", c.name.c_str(), c.what.c_str(), a, "-", "-");
    }
    return 0;
  });
}
