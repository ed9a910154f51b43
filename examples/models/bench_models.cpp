// Training-step throughput of the paper's five models at the shapes of ../shared/anchors.md, with the
// PyTorch reference (../shared/anchor_models.py) run in the same invocation, model by model and
// alternately (cantus, PyTorch, cantus, ...), so machine drift hits both sides alike.
//   bench_models [--seconds S (6)] [--rounds R (1)] [--threads N (2)] [--models a,b] [--reference PATH|none]
//                [--python PATH]  (default $CANTUS_PYTHON, else /usr/bin/python3 with Debian's python3-torch)
// One step = forward + backward + Adam update on a fixed random batch. Prints a table with the
// ratio cantus/PyTorch (> 1: cantus is faster).
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cantus/models.hpp"
#include "cantus/nn/optim/adam.hpp"

using namespace cantus;

namespace {

struct measured {
  double steps_per_second = 0;
  double loss = 0;
};

template <class Model, class Batch>
measured time_steps(Model& m, const Batch& batch, double seconds) {
  nn::adam<float> opt(m.parameters(), {.lr = 1e-3});
  double loss = 0;
  std::int64_t step = 0;
  for (int w = 0; w < 2; ++w, ++step) {  // warm-up (allocations, first-touch)
    opt.zero_grad();
    loss = m.loss_and_backward(batch, models::step_info{0, 0, step, true});
    opt.step();
  }
  const auto t0 = std::chrono::steady_clock::now();
  std::int64_t n = 0;
  double elapsed = 0;
  do {
    opt.zero_grad();
    loss = m.loss_and_backward(batch, models::step_info{0, 0, step++, true});
    opt.step();
    ++n;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  } while (elapsed < seconds);
  return {n / elapsed, loss};
}

tensor<float, 3> normal3(shape_t<3> s, std::uint64_t seed, float scale = 1.0f) {
  tensor<float, 3> t(s);
  random_stream r(seed);
  for (index_t i = 0; i < t.size(); ++i) t.data()[i] = scale * static_cast<float>(r.normal(std::uint64_t(i)));
  return t;
}

measured run_cantus(const std::string& name, double seconds) {
  if (name == "gru_seq2seq") {
    models::naive_seq2seq m;
    auto x3 = normal3({32, 2048, 1}, 1, 0.1f);
    auto x = std::move(x3).reshaped<2>({32, 2048});
    return time_steps(m, x, seconds);
  }
  if (name == "step_vae") {
    models::step_vae m;
    return time_steps(m, normal3({512, 1, 128}, 2), seconds);
  }
  if (name == "lstm_seq2seq") {
    models::seq2seq_mel m;
    return time_steps(m, normal3({16, 128, 128}, 3), seconds);
  }
  if (name == "wavenet") {
    models::wavenet m;
    models::wavenet_batch b{tensor<index_t, 2>({2, 8193}), normal3({2, 128, 17}, 4)};
    random_stream r(5);
    for (index_t i = 0; i < b.q.size(); ++i) b.q.data()[i] = static_cast<index_t>(r.below(std::uint64_t(i), 256));
    return time_steps(m, b, seconds);
  }
  if (name == "cnn") {
    models::supervised_cnn m;
    auto x3 = normal3({32, 128, 128}, 6);
    models::labelled_chunks b{std::move(x3).reshaped<4>({32, 1, 128, 128}), tensor<index_t, 1>({32})};
    random_stream r(7);
    for (index_t i = 0; i < 32; ++i) b.y(i) = static_cast<index_t>(r.below(std::uint64_t(i), 8));
    return time_steps(m, b, seconds);
  }
  throw value_error("bench_models: unknown model " + name);
}

// Runs the PyTorch reference for one model; 0 when it cannot run (reported).
double run_reference(const std::string& python, const std::string& script, const std::string& name, int threads,
                     double seconds) {
  const std::string cmd = "'" + python + "' '" + script + "' --threads " + std::to_string(threads) + " --seconds " +
                          std::to_string(seconds) + " --models " + name + " 2>&1";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return 0;
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  const int rc = ::pclose(p);
  const auto k = out.find("steps/s=");
  if (rc != 0 || k == std::string::npos) {
    std::fprintf(stderr, "bench_models: reference failed for %s (exit %d): %s\n", name.c_str(), rc, out.c_str());
    return 0;
  }
  return std::atof(out.c_str() + k + 8);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 6;
  int rounds = 1, threads = 2;
  std::vector<std::string> names = {"gru_seq2seq", "step_vae", "lstm_seq2seq", "wavenet", "cnn"};
  std::string reference = std::string(CANTUS_SOURCE_DIR) + "/../shared/anchor_models.py";
  // The interpreter with PyTorch: $CANTUS_PYTHON, else Debian's (python3-torch, as ../shared/anchors.md).
  std::string python = std::getenv("CANTUS_PYTHON") ? std::getenv("CANTUS_PYTHON") : "/usr/bin/python3";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_models: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--seconds") seconds = std::atof(value().c_str());
    else if (a == "--rounds") rounds = std::max(1, std::atoi(value().c_str()));
    else if (a == "--threads") threads = std::max(1, std::atoi(value().c_str()));
    else if (a == "--reference") reference = value();
    else if (a == "--python") python = value();
    else if (a == "--models") {
      names.clear();
      std::stringstream ss(value());
      for (std::string x; std::getline(ss, x, ',');) names.push_back(x);
    } else {
      std::fprintf(stderr,
                   "usage: bench_models [--seconds S] [--rounds R] [--threads N] [--models gru_seq2seq,step_vae,lstm_seq2seq,wavenet,cnn] "
                   "[--reference anchor_models.py|none] [--python PATH ($CANTUS_PYTHON or /usr/bin/python3)]\n");
      return 2;
    }
  }
  omp_set_num_threads(threads);
  const bool with_reference = reference != "none" && std::filesystem::exists(reference);
  if (!with_reference) std::fprintf(stderr, "bench_models: no PyTorch reference (%s): cantus only\n", reference.c_str());
  const std::map<std::string, int> items = {{"gru_seq2seq", 32}, {"step_vae", 512}, {"lstm_seq2seq", 16}, {"wavenet", 2}, {"cnn", 32}};
  std::printf("| model | cantus steps/s | PyTorch steps/s | ratio cantus/PyTorch | cantus items/s | cantus loss |\n|---|---|---|---|---|---|\n");
  std::fflush(stdout);
  for (const auto& name : names) {
    std::vector<double> ours, theirs;
    double loss = 0;
    try {
      for (int r = 0; r < rounds; ++r) {
        const auto m = run_cantus(name, seconds);
        ours.push_back(m.steps_per_second);
        loss = m.loss;
        if (with_reference) theirs.push_back(run_reference(python, reference, name, threads, seconds));
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench_models: %s: %s\n", name.c_str(), e.what());
      return 1;
    }
    const double a = median(ours), b = median(theirs);
    std::printf("| %s | %.3f | %s | %s | %.1f | %.4g |\n", name.c_str(), a, b > 0 ? std::to_string(b).substr(0, 6).c_str() : "-",
                b > 0 ? std::to_string(a / b).substr(0, 5).c_str() : "-", a * items.at(name), loss);
    std::fflush(stdout);
  }
  return 0;
}
