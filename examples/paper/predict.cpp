// predict: genre probabilities for anyone's music from a trained model and a classifier fitted on
// its latents (table1 saves them: OUT/classifiers/<model>_<rf|lr>.cls). Embeds each file as `embed`
// does and prints its top genres with probabilities; files in folders named after genres (the
// gtzan-mini layout) are scored too, and the accuracy over them printed.
//   predict --run DIR --classifier FILE [--top K (3)] [--json FILE] [--pooling mean|mean+std]
//           [--threads N (1)] FILE_OR_FOLDER...
#include <omp.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <variant>

#include "apply_cli.hpp"
#include "apply_model.hpp"
#include "classifier_file.hpp"
#include "cantus/classify/logistic_regression.hpp"
#include "cantus/classify/random_forest.hpp"
#include "cantus/data/fma.hpp"

namespace {

using classifier = std::variant<cantus::classify::random_forest, cantus::classify::logistic_regression>;

// The classifier in `file`, when table1 fitted it on the run in `run_dir` (classifier_file.hpp): the
// file's checksum, the run key it names against the one the run's checkpoint records, and what its
// pooling was against what this run embeds with. Anything else is an io_error naming the file,
// what was expected and what was found.
classifier load_classifier(const std::string& file, const std::filesystem::path& run_dir, const std::string& pooling) {
  auto found = cantus::models::read_newest_intact_checkpoint(run_dir);
  if (!found.checkpoint) throw cantus::io_error(cantus::detail::concat(run_dir.string(), ": no checkpoint (last.ckpt or previous.ckpt)"));
  const auto c = paper::read_classifier_of_run(file, found.checkpoint->run_key, run_dir);
  const auto fitted_pooling = c.provenance.embeddings.substr(c.provenance.embeddings.rfind(' ') + 1);
  if (fitted_pooling != pooling)
    throw cantus::io_error(cantus::detail::concat(file, ": fitted on embeddings pooled by ", fitted_pooling, ", this run embeds by ", pooling,
                                                  " (give --pooling ", fitted_pooling, ")"));
  if (c.kind == "random_forest") return cantus::classify::random_forest::from_bytes(c.model_bytes, file);
  if (c.kind == "logistic_regression") return cantus::classify::logistic_regression::from_bytes(c.model_bytes, file);
  throw cantus::io_error(cantus::detail::concat(file, ": holds a '", c.kind, "', expected a random_forest or a logistic_regression"));
}
// The genre a file is labelled with: that of its FMA corpus's tracks.csv, else its folder's name.
namespace fs = std::filesystem;

class labels {
 public:
  std::string of(const fs::path& file) {
    const auto root = file.parent_path().parent_path().parent_path();
    if (file.parent_path().parent_path().filename() == "fma_small" && fs::exists(root / "fma_metadata" / "tracks.csv")) {
      auto it = corpora_.find(root);
      if (it == corpora_.end()) {
        std::map<fs::path, std::string> m;
        for (const auto& t : cantus::data::fma::load(root).tracks) m[fs::weakly_canonical(t.path)] = t.label_name;
        it = corpora_.emplace(root, std::move(m)).first;
      }
      const auto f = it->second.find(fs::weakly_canonical(file));
      if (f != it->second.end()) return f->second;
    }
    return file.parent_path().filename().string();
  }

 private:
  std::map<fs::path, std::map<fs::path, std::string>> corpora_;
};
}  // namespace

int main(int argc, char** argv) {
  std::string classifier_file, json_file;
  int top = 3;
  paper::apply::flags c;
  cli::app app{"Each audio file's top genres by a trained model and a classifier of its latents (saved by table1 in\n"
               "OUT/classifiers/, fitted on that run's latents pooled the same way). Files in folders named after one of\n"
               "the model's genres, or in an FMA-layout corpus (ROOT/fma_small/NNN/NNNNNN.mp3 with\n"
               "ROOT/fma_metadata/tracks.csv), count towards the printed accuracy.",
               "predict"};
  paper::apply::add_flags(app, c);
  cli::existing(app, "--classifier", classifier_file, cli::must_be::file, "OUT/classifiers/<model>_<rf|lr>.cls, fitted on that run's latents")
      ->required();
  cli::integer(app, "--top", top, 1, 1000, "genres to print per file (default 3)");
  app.add_option("--json", json_file, "also write the predictions as JSON")->type_name("FILE");
  return cli::run(app, argc, argv, [&] {
    if (!json_file.empty()) cli::check_writable_file("--json", json_file);  // before the work, not after it
    omp_set_num_threads(c.threads);
    const auto card = paper::read_model_card(std::filesystem::path(c.run) / "model.json");  // a wrong --run fails before any work
    // Before any audio: a classifier of another run, or a damaged one, fails at once.
    const auto clf = load_classifier(classifier_file, c.run, c.pooling.empty() ? card.pooling : c.pooling);
    const auto files = paper::apply::audio_files(c.inputs);
    if (files.empty()) throw cantus::io_error("no audio files (.wav .flac .mp3 .ogg .opus) in the inputs");
    const auto r = paper::apply::embed_files(c.run, files, c.pooling, true);
    const auto& genres = r.card.genres;
    const auto n_features = std::visit([](const auto& m) { return m.n_features_in(); }, clf);
    const auto classes = std::visit([](const auto& m) { return m.classes(); }, clf);
    for (int k : classes)
      if (k < 0 || k >= static_cast<int>(genres.size()))
        throw cantus::value_error(cantus::detail::concat(classifier_file, ": class ", k, " is not one of the model's ", genres.size(), " genres"));
    std::map<std::string, int> genre_of;
    for (std::size_t g = 0; g < genres.size(); ++g) genre_of[paper::apply::genre_key(genres[g])] = static_cast<int>(g);
    int labelled = 0, hits = 0, failed = 0;
    std::string json = "{\n  \"run\": " + paper::json_string(c.run) + ",\n  \"classifier\": " + paper::json_string(classifier_file) + ",\n  \"files\": [\n";
    bool first = true;
    labels label_of;
    for (const auto& f : r.files) {
      if (!f.error.empty()) {
        std::fprintf(stderr, "predict: %s: %s\n", f.path.c_str(), f.error.c_str());
        ++failed;
        continue;
      }
      if (static_cast<Eigen::Index>(f.latent.size()) != n_features)
        throw cantus::value_error(cantus::detail::concat(classifier_file, ": fitted on ", n_features, " features, the run's ", r.card.pooling,
                                                         " embedding has ", f.latent.size(), " (another model or another --pooling?)"));
      Eigen::Matrix<double, 1, Eigen::Dynamic, Eigen::RowMajor> x(1, static_cast<Eigen::Index>(f.latent.size()));
      for (std::size_t d = 0; d < f.latent.size(); ++d) x(0, static_cast<Eigen::Index>(d)) = f.latent[d];
      const Eigen::MatrixXd proba = std::visit([&](const auto& m) { return m.predict_proba(x); }, clf);
      std::vector<int> order(classes.size());
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return proba(0, a) > proba(0, b); });
      const int best = classes[static_cast<std::size_t>(order[0])];
      std::printf("%s:", f.path.c_str());
      std::string top_json;
      for (int i = 0; i < std::min<int>(top, static_cast<int>(order.size())); ++i) {
        const int k = classes[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])];
        std::printf(" %s %.2f", genres[static_cast<std::size_t>(k)].c_str(), proba(0, order[static_cast<std::size_t>(i)]));
        top_json += std::string(i ? ", " : "") + "{\"genre\": " + paper::json_string(genres[static_cast<std::size_t>(k)]) +
                    ", \"probability\": " + paper::json_number(proba(0, order[static_cast<std::size_t>(i)])) + "}";
      }
      const auto it = genre_of.find(paper::apply::genre_key(label_of.of(f.path)));
      std::string truth = "null";
      if (it != genre_of.end()) {
        ++labelled;
        hits += it->second == best;
        truth = paper::json_string(genres[static_cast<std::size_t>(it->second)]);
        std::printf("   [labelled %s%s]", genres[static_cast<std::size_t>(it->second)].c_str(), it->second == best ? ", right" : "");
      }
      std::printf("\n");
      json += std::string(first ? "" : ",\n") + "    {\"file\": " + paper::json_string(f.path.string()) + ", \"seconds\": " +
              paper::json_number(f.seconds) + ", \"label\": " + truth + ", \"top\": [" + top_json + "]}";
      first = false;
    }
    json += "\n  ],\n  \"labelled\": " + std::to_string(labelled) + ",\n  \"accuracy\": " +
            (labelled ? paper::json_number(double(hits) / labelled) : std::string("null")) + "\n}\n";
    if (!json_file.empty()) paper::write_text(json_file, json);
    if (labelled) std::printf("accuracy over %d labelled files: %.3f (%d right)\n", labelled, double(hits) / labelled, hits);
    std::printf("predict: %zu files (%d failed), %s, %.0f s of audio in %.2f s on %d thread%s\n", r.files.size(), failed, r.card.model.c_str(),
                r.audio_seconds, r.wall_seconds, c.threads, c.threads == 1 ? "" : "s");
    return failed ? int(cli::failure) : int(cli::success);
  });
}
