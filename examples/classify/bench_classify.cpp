// cantus against scikit-learn on the anchors' synthetic task (../shared/anchors.md), both measured in
// this run: make_classification(7200, 8 classes, 40 informative, 10 redundant, 2 clusters per class,
// class_sep 0.8, random_state 0) for d = 100 and 512, first 6400 rows train, last 800 test.
//   RF: 200 trees, max_depth 20 (sklearn n_jobs = THREADS, cantus THREADS OpenMP threads); time and
//       test accuracy are means over random_state 0..SEEDS-1 (default 3) on both sides
//   LR: max_iter 1000 on standardised X
//   t-SNE: perplexity 30, PCA init, learning rate auto, Barnes-Hut, on all 7200 x 100; trustworthiness k = 10
// usage: bench_classify [--threads 2] [--seeds 3] [--only rf,lr,tsne] [--python /usr/bin/python3] [--json OUT]
#include <omp.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>

#include "cantus/classify.hpp"
#include "cli.hpp"

namespace {

std::string run_capture(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) throw cantus::error("cannot run: " + cmd);
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  const int rc = ::pclose(p);
  if (rc != 0) throw cantus::error(cantus::detail::concat("command failed (status ", rc, "): ", cmd, "\n", out));
  return out;
}

// The value of "key": number in a one-line JSON object.
double json_number(const std::string& json, const std::string& key) {
  const auto k = json.find("\"" + key + "\":");
  if (k == std::string::npos) throw cantus::error("no \"" + key + "\" in the reference's output: " + json);
  return std::strtod(json.c_str() + k + key.size() + 3, nullptr);
}

double cpu_now() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

struct row {
  std::string what;
  double ref_s, ours_s, ref_cpu, ours_cpu;
  std::string ref_quality, ours_quality;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace cantus;
  int threads = 2, seeds = 3;
  std::string only = "rf,lr,tsne", python = "/usr/bin/python3", json_out;
  cli::app app{"Times the random forest, logistic regression and t-SNE against scikit-learn on the same data.", "bench_classify"};
  cli::threads(app, threads, false, "threads (default 2)");
  cli::integer(app, "--seeds", seeds, 1, 1000, "seeds per measurement (default 3)");
  cli::value_option(app, "--only", "which of rf, lr, tsne (default all three)", "A,B", [&only](const std::string& f, const std::string& t) {
    const auto items = cli::split_list(t);
    if (items.empty()) throw cli::bad_value(f, "a comma-separated list of rf, lr, tsne", t);
    for (const auto& w : items)
      if (w != "rf" && w != "lr" && w != "tsne") throw cli::bad_value(f, "rf, lr or tsne", w);
    only = t;
  });
  cli::existing(app, "--python", python, cli::must_be::file, "the Python with scikit-learn (default /usr/bin/python3)");
  app.add_option("--json", json_out, "also write the figures as JSON")->type_name("FILE");
  cli::parse_or_exit(app, argc, argv);
  auto wanted = [&](const char* w) { return only.find(w) != std::string::npos; };
  try {
    omp_set_num_threads(threads);
    char dir_template[] = "/tmp/cantus_bench_classify.XXXXXX";
    if (!::mkdtemp(dir_template)) throw io_error("cannot create a temporary directory under /tmp");
    const std::filesystem::path dir = dir_template;
    const std::string ref = std::string("OMP_NUM_THREADS=") + std::to_string(threads) + " " + python + " " + CANTUS_SKLEARN_REFERENCE + " ";
    std::printf("generating the data set with scikit-learn in %s ...\n", dir.c_str());
    std::fflush(stdout);
    run_capture(ref + "data " + dir.string());
    std::vector<row> rows;
    auto clock = [] { return std::chrono::steady_clock::now(); };
    auto secs = [](auto t0, auto t1) { return std::chrono::duration<double>(t1 - t0).count(); };
    auto fmt = [](const char* f, double v) {
      char b[64];
      std::snprintf(b, sizeof b, f, v);
      return std::string(b);
    };

    for (int d : {100, 512}) {
      if (!wanted("rf") && !wanted("lr")) break;
      const auto D = std::to_string(d);
      const auto Xtr = classify::load_features(dir / ("train_X_d" + D + ".npy"));
      const auto ytr = classify::load_labels(dir / ("train_y_d" + D + ".npy"));
      const auto Xte = classify::load_features(dir / ("test_X_d" + D + ".npy"));
      const auto yte = classify::load_labels(dir / ("test_y_d" + D + ".npy"));
      if (wanted("rf")) {
        std::printf("random forest d=%d ...\n", d);
        std::fflush(stdout);
        // Test accuracy moves by 1-2 points between seeds: compare means over the same seeds.
        const std::string sk = run_capture(ref + "rf " + dir.string() + " " + D + " " + std::to_string(threads) + " " + std::to_string(seeds));
        double s = 0, c = 0, acc = 0;
        std::string per_seed;
        for (int seed = 0; seed < seeds; ++seed) {
          classify::random_forest_params p;
          p.n_estimators = 200, p.max_depth = 20, p.random_state = static_cast<std::uint64_t>(seed);
          classify::random_forest rf(p);
          const double c0 = cpu_now();
          const auto t0 = clock();
          rf.fit(Xtr, ytr);
          s += secs(t0, clock()) / seeds, c += (cpu_now() - c0) / seeds;
          const double a = rf.score(Xte, yte);
          acc += a / seeds;
          per_seed += fmt(seed ? ", %.4f" : "%.4f", a);
        }
        std::printf("  cantus per-seed accuracy: %s\n  sklearn: %s", per_seed.c_str(), sk.c_str());
        rows.push_back({"RF 200 trees depth 20, d=" + D, json_number(sk, "fit_seconds"), s, json_number(sk, "cpu_seconds"), c,
                        fmt("acc %.4f", json_number(sk, "test_accuracy")), fmt("acc %.4f", acc)});
      }
      if (wanted("lr")) {
        std::printf("logistic regression d=%d ...\n", d);
        std::fflush(stdout);
        const std::string sk = run_capture(ref + "lr " + dir.string() + " " + D);
        classify::logistic_regression lr({.max_iter = 1000, .standardize = true});
        const double c0 = cpu_now();
        const auto t0 = clock();
        lr.fit(Xtr, ytr);
        const double s = secs(t0, clock()), c = cpu_now() - c0;
        rows.push_back({"LR max_iter 1000 standardised, d=" + D, json_number(sk, "fit_seconds"), s, json_number(sk, "cpu_seconds"), c,
                        fmt("acc %.4f", json_number(sk, "test_accuracy")) + fmt(" (%g it)", json_number(sk, "n_iter")),
                        fmt("acc %.4f", lr.score(Xte, yte)) + fmt(" (%g it)", lr.n_iter())});
      }
    }
    if (wanted("tsne")) {
      std::printf("t-SNE 7200 x 100 ...\n");
      std::fflush(stdout);
      const std::string sk = run_capture(ref + "tsne " + dir.string() + " " + (dir / "Y_sklearn.npy").string());
      classify::row_matrix X(7200, 100);
      X << classify::load_features(dir / "train_X_d100.npy"), classify::load_features(dir / "test_X_d100.npy");
      const double c0 = cpu_now();
      const auto t0 = clock();
      const auto r = classify::tsne().fit_transform(X);
      const double s = secs(t0, clock()), c = cpu_now() - c0;
      const double trust = classify::trustworthiness(X, r.embedding, 10);
      rows.push_back({"t-SNE BH 7200x100 perplexity 30", json_number(sk, "fit_seconds"), s, json_number(sk, "cpu_seconds"), c,
                      fmt("KL %.3f", json_number(sk, "kl_divergence")) + fmt(" trust %.4f", json_number(sk, "trustworthiness")),
                      fmt("KL %.3f", r.kl_divergence) + fmt(" trust %.4f", trust)});
    }
    std::printf("\n%d threads; times are wall-clock fit seconds (CPU seconds of all threads in brackets)\n", threads);
    std::printf("%-36s %16s %16s %8s   %-28s %-28s\n", "what", "scikit-learn", "cantus", "speedup", "scikit-learn quality", "cantus quality");
    for (const auto& r : rows)
      std::printf("%-36s %7.3f (%6.2f) %7.3f (%6.2f) %7.2fx   %-28s %-28s\n", r.what.c_str(), r.ref_s, r.ref_cpu, r.ours_s, r.ours_cpu,
                  r.ref_s / r.ours_s, r.ref_quality.c_str(), r.ours_quality.c_str());
    if (!json_out.empty()) {
      std::ostringstream o;
      o << "[";
      for (std::size_t k = 0; k < rows.size(); ++k)
        o << (k ? ",\n " : "\n ") << "{\"what\": \"" << rows[k].what << "\", \"sklearn_seconds\": " << rows[k].ref_s
          << ", \"cantus_seconds\": " << rows[k].ours_s << ", \"sklearn_quality\": \"" << rows[k].ref_quality
          << "\", \"cantus_quality\": \"" << rows[k].ours_quality << "\"}";
      o << "\n]\n";
      const std::string text = o.str();
      write_file_atomically(json_out, [&](std::ofstream& out) { out << text; });
    }
    std::filesystem::remove_all(dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_classify: %s\n", e.what());
    return 1;
  }
  return 0;
}
