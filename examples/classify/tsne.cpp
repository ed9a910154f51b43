// Embed feature vectors with t-SNE and draw them coloured by class.
//   build/examples/tsne X.npy y.npy --out fig.png|fig.svg [--labels names.txt --perplexity 30 --seed 0
//                       --title T --exact --n-iter 1000 --embedding OUT.npy --threads T]
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <limits>

#include "cantus/classify.hpp"
#include "cantus/viz.hpp"
#include "cli.hpp"

int main(int argc, char** argv) {
  using namespace cantus;
  std::vector<std::string> positional;
  std::string out, names_file, title, embedding_out;
  int trust_k = 0, threads = 0;
  classify::tsne_params p;
  cli::app app{"Embeds feature vectors with t-SNE and draws them coloured by class.", "tsne"};
  cli::existing_positionals(app, "INPUT", positional, cli::must_be::file, "X.npy y.npy: features [n, d] and labels [n]")
      ->type_name("X.npy y.npy")
      ->expected(2)
      ->required();
  cli::value_option(app, "--out", "the figure", "FIG.png|FIG.svg", [&out](const std::string& f, const std::string& t) {
    try {
      viz::format_of(t);  // a bad extension is refused before the long computation
    } catch (const std::exception& e) {
      throw cli::validation_error(f, e.what());
    }
    out = t;
  })->required();
  cli::existing(app, "--labels", names_file, cli::must_be::file, "class names, one per line, in sorted label order");
  cli::real(app, "--perplexity", p.perplexity, std::numeric_limits<double>::min(), std::numeric_limits<double>::max(), "(default 30)",
            "a finite number > 0");
  cli::seed(app, p.random_state, "random seed (default 0)");
  app.add_option("--title", title, "the figure's title");
  app.add_flag_callback("--exact", [&p] { p.method = "exact"; }, "exact gradients instead of Barnes-Hut");
  cli::integer(app, "--n-iter", p.n_iter, 1, std::numeric_limits<int>::max(), "iterations (default 1000)");
  app.add_option("--embedding", embedding_out, "also write the 2-D embedding as .npy");
  cli::integer(app, "--trustworthiness", trust_k, 0, std::numeric_limits<int>::max(), "report trustworthiness with K neighbours (0: no)");
  cli::threads(app, threads, false, "threads (default: OpenMP's)");
  return cli::run(app, argc, argv, [&] {
    // Outputs first: a file that cannot be written fails now, not after the embedding.
    cli::check_writable_file("--out", out);
    if (!embedding_out.empty()) cli::check_writable_file("--embedding", embedding_out);
    if (threads > 0) omp_set_num_threads(threads);
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
    return int(cli::success);
  });
}
