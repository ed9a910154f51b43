#pragma once
// figure5 and figure6: t-SNE (2-D, Barnes-Hut, PCA init) of each model's track embeddings coloured by
// genre, one PNG per model, plus the coordinates as .npy and a summary in JSON/markdown.
#include <functional>
#include <string>

#include "paper_experiment.hpp"

namespace paper {

// `keep(label)` selects the genres to plot (all for figure5, two for figure6). Compiled once, in
// tsne_figures.cpp.
int tsne_figures(const options& o, const std::string& program, const std::string& title,
                 const std::function<bool(int)>& keep, const prepared& p);

}  // namespace paper
