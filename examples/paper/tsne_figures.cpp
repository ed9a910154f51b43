// figure5 and figure6's shared part (see tsne_figures.hpp).
#include "tsne_figures.hpp"

#include "cantus/classify/tsne.hpp"
#include "cantus/viz/scatter.hpp"

namespace paper {

int tsne_figures(const options& o, const std::string& program, const std::string& title,
                        const std::function<bool(int)>& keep, const prepared& p) {
  std::string json = "{\n  \"program\": " + json_string(program) + ",\n  \"corpus\": " + json_string(p.description) +
                     ",\n  \"split\": " + json_string(o.split) + ",\n  \"figures\": [\n";
  std::string md = "# " + title + "\n\n" + p.description + ", " + (o.quick ? "--quick" : "full settings") + ", " +
                   (o.split == "test" ? "test tracks" : "all tracks") + ".\n\n| model | tracks | KL | figure |\n|---|---|---|---|\n";
  bool first = true;
  for (const auto& name : o.models) {
    const auto r = run_model(name, p, o);
    if (!o.root()) continue;  // the other ranks helped train and embed; rank 0 draws
    std::vector<const models::track_embeddings*> parts{&r.test};
    if (o.split == "all") parts = {&r.train, &r.validation, &r.test};
    std::vector<index_t> rows_dim;
    std::vector<std::vector<float>> pts;
    std::vector<int> labels;
    for (const auto* e : parts)
      for (index_t i = 0; i < e->size(); ++i)
        if (keep(static_cast<int>(e->labels[static_cast<std::size_t>(i)]))) {
          pts.emplace_back(&e->latents(i, 0), &e->latents(i, 0) + e->dim());
          labels.push_back(static_cast<int>(e->labels[static_cast<std::size_t>(i)]));
        }
    const index_t n = static_cast<index_t>(pts.size());
    if (n < 4) {
      std::fprintf(stderr, "%s: %s: only %lld tracks to plot, skipped (use --split all)\n", program.c_str(), name.c_str(),
                   static_cast<long long>(n));
      continue;
    }
    classify::row_matrix X(n, static_cast<Eigen::Index>(pts[0].size()));
    for (index_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < pts[0].size(); ++j) X(i, static_cast<Eigen::Index>(j)) = pts[static_cast<std::size_t>(i)][j];
    // Standardise every latent dimension: a few high-variance dimensions (loudness) would otherwise
    // dominate the distances and t-SNE would draw little more than a line.
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
      const double mean = X.col(j).mean();
      const double sd = std::sqrt((X.col(j).array() - mean).square().mean());
      X.col(j) = (X.col(j).array() - mean) / (sd > 1e-12 ? sd : 1.0);
    }
    classify::tsne_params tp;
    tp.perplexity = std::min(30.0, std::max(2.0, (static_cast<double>(n) - 1.0) / 3.0));
    tp.random_state = o.seed;
    tp.method = n < 200 ? "exact" : "barnes_hut";
    const auto res = classify::tsne(tp).fit_transform(X);
    const fs::path png = o.out / (program + "_" + name + ".png");
    viz::scatter_options so;
    so.title = name + ": t-SNE of " + (o.split == "test" ? "test" : "all") + " track embeddings";
    Eigen::MatrixXd pts2 = res.embedding;
    // scatter_plot names the k-th smallest label present with names[k]: list the present genres only.
    std::vector<int> present(labels);
    std::sort(present.begin(), present.end());
    present.erase(std::unique(present.begin(), present.end()), present.end());
    std::vector<std::string> names;
    for (int l : present) names.push_back(p.corpus.labels.at(static_cast<std::size_t>(l)));
    viz::scatter_plot(png, pts2, labels, names, so);
    std::vector<float> coords;
    for (index_t i = 0; i < n; ++i) coords.push_back(float(res.embedding(i, 0))), coords.push_back(float(res.embedding(i, 1)));
    npy::write(o.out / (program + "_" + name + "_tsne.npy"), coords.data(), {n, 2});
    json += std::string(first ? "" : ",\n") + "    {\"model\": " + json_string(name) + ", \"tracks\": " + std::to_string(n) +
            ", \"kl_divergence\": " + json_number(res.kl_divergence) + ", \"png\": " + json_string(png.filename().string()) + "}";
    first = false;
    char line[512];
    std::snprintf(line, sizeof line, "| %s | %lld | %.3f | ![%s](%s) |\n", name.c_str(), static_cast<long long>(n),
                  res.kl_divergence, name.c_str(), png.filename().c_str());
    md += line;
  }
  if (!o.root()) return 0;
  json += "\n  ]\n}\n";
  write_text(o.out / (program + ".json"), json);
  write_text(o.out / (program + ".md"), md);
  std::printf("%s\nwritten: %s, %s\n", md.c_str(), (o.out / (program + ".json")).c_str(), (o.out / (program + ".md")).c_str());
  return 0;
}

}  // namespace paper
