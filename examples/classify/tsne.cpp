// Embed feature vectors with t-SNE and draw them coloured by class.
//   build/examples/tsne X.npy y.npy --out fig.png|fig.svg [--labels names.txt --perplexity 30 --seed 0
//                       --title T --exact --n-iter 1000 --embedding OUT.npy --threads T]
#include <omp.h>

#include <chrono>
#include <cstdio>

#include "cantus/classify.hpp"
#include "cantus/viz.hpp"
#include "cli.hpp"

int main(int argc, char** argv) {
  using namespace cantus;
  const char* usage =
      "usage: tsne X.npy y.npy --out fig.png|fig.svg [--labels names.txt] [--perplexity 30] [--seed 0]\n"
      "            [--title T] [--exact] [--n-iter 1000] [--embedding OUT.npy] [--trustworthiness K] [--threads T]\n";
  std::vector<std::string> positional;
  std::string out, names_file, title, embedding_out;
  int trust_k = 0;
  classify::tsne_params p;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      auto next = [&] { return cli::next_value(argc, argv, i); };
      if (a == "--help" || a == "-h") {
        std::fputs(usage, stdout);
        return 0;
      } else if (a == "--out") out = next();
      else if (a == "--labels") names_file = next();
      else if (a == "--perplexity") p.perplexity = cli::to_double(a, next());
      else if (a == "--seed") p.random_state = static_cast<std::uint64_t>(cli::to_int(a, next()));
      else if (a == "--title") title = next();
      else if (a == "--exact") p.method = "exact";
      else if (a == "--n-iter") p.n_iter = static_cast<int>(cli::to_int(a, next()));
      else if (a == "--embedding") embedding_out = next();
      else if (a == "--trustworthiness") trust_k = static_cast<int>(cli::to_int(a, next()));
      else if (a == "--threads") omp_set_num_threads(cli::to_threads(a, next()));
      else if (a.rfind("--", 0) == 0) throw value_error(detail::concat("unknown argument \"", a, "\" (try --help)"));
      else positional.push_back(a);
    }
    if (positional.size() != 2 || out.empty()) {
      std::fputs(usage, stderr);
      return 2;
    }
    viz::format_of(out);  // reject a bad extension before the long computation
    const classify::row_matrix X = classify::load_features(positional[0]);
    const std::vector<int> y = classify::load_labels(positional[1]);
    if (static_cast<Eigen::Index>(y.size()) != X.rows())
      throw shape_error(detail::concat(positional[1], ": expected ", X.rows(), " labels (one per row of ", positional[0],
                                       ") but found ", y.size()));
    const auto t0 = std::chrono::steady_clock::now();
    const classify::tsne_result r = classify::tsne(p).fit_transform(X);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("t-SNE (%s) of %lld x %lld: %d iterations, KL divergence %.4f, %.2f s, %d threads\n", p.method.c_str(),
                static_cast<long long>(X.rows()), static_cast<long long>(X.cols()), r.n_iter, r.kl_divergence, seconds,
                omp_get_max_threads());
    if (trust_k > 0) std::printf("trustworthiness (k = %d): %.4f\n", trust_k, classify::trustworthiness(X, r.embedding, trust_k));
    if (!embedding_out.empty()) npy::write(embedding_out, r.embedding.data(), {r.embedding.rows(), 2});
    const std::vector<std::string> names = names_file.empty() ? std::vector<std::string>{} : cli::read_names(names_file);
    const std::vector<int>& labels = y;
    viz::scatter_plot(out, r.embedding, labels, names, {.title = title.empty() ? "t-SNE" : title});
    std::printf("wrote %s\n", out.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tsne: %s\n", e.what());
    return 1;
  }
  return 0;
}
