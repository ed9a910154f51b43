// Figure 6: the t-SNE of figure5 for two genres only, chosen by --genres A,B (the paper: Hip-Hop and
// Instrumental on FMA; default: those when the corpus has them, else its first two genres).
//   figure6 [--fma ROOT | --folders ROOT] [--genres A,B] [--quick] [--threads N] [--seed K] [--out DIR] [--split test|all]
#include "cli.hpp"
#include "paper_cli.hpp"
#include "tsne_figures.hpp"

int main(int argc, char** argv) {
  auto o = paper::parse(argc, argv, "Figure 6: the t-SNE of figure5 for two genres only.", {.genres = true, .split = true},
                        [](const paper::options& opt) {
                          if (!opt.genres.empty() && (opt.genres.size() != 2 || opt.genres[0] == opt.genres[1]))
                            throw cli::usage_error("--genres: expected two different genres, e.g. Hip-Hop,Rock");
                        });
  try {
    auto p = paper::prepare(o);
    const auto& labels = p.corpus.labels;
    auto index_of = [&](const std::string& g) { return p.corpus.label_index(g); };
    if (o.genres.empty()) {
      o.genres = index_of("Hip-Hop") >= 0 && index_of("Instrumental") >= 0
                     ? std::vector<std::string>{"Hip-Hop", "Instrumental"}
                     : std::vector<std::string>{labels.at(0), labels.at(1)};
    }
    if (o.genres.size() != 2) throw cantus::value_error("--genres needs exactly two genres, e.g. --genres Hip-Hop,Rock");
    std::vector<int> keep;
    for (const auto& g : o.genres) {
      if (index_of(g) < 0) {
        std::string have;
        for (const auto& l : labels) have += (have.empty() ? "" : ", ") + l;
        throw cantus::value_error("genre '" + g + "' is not in the corpus (it has: " + have + ")");
      }
      keep.push_back(index_of(g));
    }
    if (keep[0] == keep[1])
      throw cantus::value_error("--genres names '" + o.genres[0] + "' twice; it needs two different genres");
    return paper::tsne_figures(o, "figure6", "Figure 6: t-SNE of " + o.genres[0] + " vs " + o.genres[1],
                               [&](int l) { return l == keep[0] || l == keep[1]; }, p);
  } catch (const std::exception& e) {
    return paper::fail(o, e);
  }
}
