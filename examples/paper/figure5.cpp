// Figure 5: t-SNE of each model's test-track embeddings, coloured by genre (one PNG per model).
//   figure5 [--fma ROOT | --folders ROOT] [--quick] [--threads N] [--seed K] [--out DIR] [--models ...] [--split test|all]
#include "paper_cli.hpp"
#include "tsne_figures.hpp"

int main(int argc, char** argv) {
  auto o = paper::parse(argc, argv, "Figure 5: t-SNE of each model's track embeddings, coloured by genre.", {.split = true});
  try {
    auto p = paper::prepare(o);
    return paper::tsne_figures(o, "figure5", "Figure 5: t-SNE of track embeddings by genre", [](int) { return true; }, p);
  } catch (const std::exception& e) {
    return paper::fail(o, e);
  }
}
