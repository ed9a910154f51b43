#pragma once
// What table1, table2, figure5 and figure6 share: the options (read from the command line by
// paper_cli.hpp), the corpus (FMA layout, folders,
// or the embedded style corpus generated on first use), the cached features, and training + embedding
// every model. Trained models and embeddings are kept under --out/runs and --out/embeddings, so the
// four programs run with the same --out train each model once (a finished run is resumed as done).
#include <omp.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cantus/core/directories.hpp"
#include "cantus/data/fma.hpp"
#include "cantus/data/folders.hpp"
#include "cantus/models/embeddings.hpp"
#include "cantus/models/step_vae.hpp"
#include "cantus/models/trainer.hpp"
#include "app/datasets.hpp"
#include "app/style_corpus.hpp"
#include "app/training_plan.hpp"
#include "cantus/distributed/group.hpp"
#include "cantus/data/feature_store.hpp"
#include "cantus/data/sharded_store.hpp"

namespace paper {

namespace fs = std::filesystem;
using namespace cantus;

// The models come from the registry (app/registry.hpp, one entry per model); the functions
// that instantiate them are compiled once, in paper_experiment.cpp, for all four programs.
const std::vector<std::string>& all_models();
const std::vector<std::string>& unsupervised_models();
bool is_model(const std::string& name);  // app/registry.hpp known_model, compiled once
// --backend cuda: whether this build has the CUDA backend and a device to run it; `why` says what is
// missing (paper_experiment_cuda.cpp where CUDA is built, paper_experiment.cpp otherwise).
bool cuda_usable(std::string& why);
// The processes of this job: MPI's when an MPI launcher started the program (and this build has
// cantus::mpi), else this process alone. Lives until the program exits.
cantus::distributed::process_group& world();
// What this build is, for the ranks of a job to compare at the start.
std::string build_id();

using plan = training_plan;
plan plan_for(const std::string& model, bool quick);
// Fills a plan's batch size and learning rate left at 0 (a config.json written before they were
// recorded as numbers says "model") with the preset's.
void fill_from_preset(const std::string& model, bool quick, plan& pl);

// Training flags given on the command line: each applies to every model of the run.
struct plan_overrides {
  std::optional<std::int64_t> epochs, steps_per_epoch, patience, validation_batches;
  std::optional<index_t> train_windows, embed_windows, batch_size;
  std::optional<double> learning_rate, clip_norm;
  std::optional<lr_schedule> schedule;
  void apply(plan& p) const {
    auto& t = p.training;
    if (epochs) t.epochs = *epochs;
    if (steps_per_epoch) t.steps_per_epoch = *steps_per_epoch;
    if (patience) t.patience = *patience;
    if (validation_batches) t.validation_batches = *validation_batches;
    if (train_windows) p.train_windows = *train_windows;
    if (embed_windows) p.embed_windows = *embed_windows;
    if (batch_size) t.batch_size = *batch_size;
    if (learning_rate) t.learning_rate = *learning_rate;
    if (clip_norm) t.clip_norm = *clip_norm;
    if (schedule) t.schedule = *schedule;
  }
};

struct options {
  std::string program;
  fs::path fma, folders;        // one or neither (neither: the embedded corpus)
  bool quick = false;           // the preset: quick (small models, short plans) or full (anchor sizes, whole epochs)
  int threads = 2;
  double min_decoded_share = cantus::audio::default_min_decoded_share;  // less of a file's declared duration: broken
  std::string backend = "cpu";  // where the models train and embed: cpu | cuda
  std::uint64_t seed = 2019;
  fs::path out = "out/paper";
  fs::path cache;               // default: $XDG_CACHE_HOME/cantus or ~/.cache/cantus
  std::vector<std::string> models = all_models();
  std::vector<std::string> genres;  // figure6: the two genres
  std::string split = "test";       // figures: which tracks to plot (test | all)
  fs::path paper = fs::path(CANTUS_SOURCE_DIR) / "examples" / "paper" / "paper_table1.csv";  // table1: the paper's figures
  models::pooling pooling = models::pooling::mean;  // how a track's window latents become its embedding
  int cv = 0;                       // table1 --cv K: also K-fold cross-validation over the training + validation tracks
  std::vector<double> sweep_capacity, sweep_gamma;  // table3 --sweep C1,C2,..:G1,G2,..: the step-VAE's capacity grid
  // The step-VAE's capacity objective (models::step_vae_config), when given: C's maximum in nats,
  // gamma, and the steps over which C rises from 0 (0: C at its maximum from the start).
  std::optional<double> vae_capacity, vae_gamma;
  std::optional<std::int64_t> vae_anneal_steps;
  fs::path config;                  // --config FILE: the settings this run started from
  // The embedded corpus's factors (style::factor_mode): table3 asks for genre-independent ones.
  paper::style::factor_mode corpus_factors = paper::style::factor_mode::genre;
  std::map<std::string, plan> plans;  // every model's training plan: preset, then --config, then flags
  // The job's ranks (world()): they train each model data-parallel, share feature extraction and
  // embedding; rank 0 alone writes results, embeddings, checkpoints and figures.
  cantus::distributed::process_group* group = nullptr;
  bool root() const { return !group || group->root(); }
};

// A program's last word on an error: the message, and with several ranks the end of the whole job
// (the other ranks would wait for this one forever).
inline int fail(const options& o, const std::exception& e) {
  if (o.group && o.group->size() > 1) o.group->abort(o.program + ": error: " + e.what(), 1);
  std::fprintf(stderr, "%s: error: %s\n", o.program.c_str(), e.what());
  return 1;
}

// A trained model's card, RUN_DIR/model.json beside its checkpoint (run_config.cpp): what `embed` and
// `predict` need to rebuild the model and feed it someone else's music the way it saw its own.
struct model_card {
  std::string model;                     // registry name
  bool quick = false;                    // the preset (model sizes)
  std::uint64_t seed = 2019;
  std::optional<double> vae_capacity, vae_gamma;
  std::optional<std::int64_t> vae_anneal_steps;
  std::vector<std::string> genres;       // the corpus's labels, in label order
  cantus::data::feature_params features;
  paper::mel_standardizer norm;  // of the training tracks
  float raw_gain = 1.0f;
  index_t embed_windows = 0;             // per track (0: all)
  std::string pooling = "mean";
};
void write_model_card(const fs::path& file, const model_card& c);
model_card read_model_card(const fs::path& file);  // throws naming the file and the field

// --config FILE / DIR/config.json (run_config.cpp): reads a run's recorded settings into `o` (corpus,
// preset, seed, threads, backend, models, and each model's plan); writes them.
void read_run_config(const fs::path& file, options& o);
void write_run_config(const fs::path& file, const options& o);

// A file-system-safe name for a corpus root, so each corpus gets its own feature cache.
inline std::string cache_key(const fs::path& root) {
  std::string s = fs::weakly_canonical(root).string(), r;
  for (char c : s) r += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return r.size() > 120 ? r.substr(r.size() - 120) : r;
}

struct prepared {
  data::corpus corpus;
  cantus::data::feature_store store;
  std::vector<const cantus::data::stored_track*> train, validation, test;
  paper::mel_standardizer norm;
  float raw_gain = 1.0f;    // naive_seq2seq reads raw audio scaled to unit RMS over the training tracks
  std::string description;  // "fma small at ROOT: 50/10/10 tracks, 10 genres"
  fs::path root;             // where the corpus is (--fma, --folders, or the embedded corpus's folder)
  cantus::data::feature_params features;  // what the store holds (its log-mel's settings)
  std::string corpus_key;    // the store's content_key(): part of every run's key, so changed audio is another run
};

// Opens the corpus of `o` (generating the embedded one on first use), builds or resumes its feature
// cache, splits it and fits the standardisation on the training tracks; writes --out/config.json.
prepared prepare(const options& o);


// Everything a program needs from one trained model.
struct model_result {
  std::string model;
  std::string run_key, run;  // the run it came from: its key (detail_::run_key) and directory name
  models::track_embeddings train, validation, test;
  // supervised_cnn: the track-level predictions (argmax of the mean chunk softmax)
  std::vector<int> train_pred, test_pred;
  // reconstruction / prediction error on the test tracks and what it measures
  double test_error = std::numeric_limits<double>::quiet_NaN();
  std::string error_measure;
  double seconds = 0;
  models::training_result training;
};

// Whole small text files: written atomically (temporary file + rename), read back ("" if absent).
inline void write_text(const fs::path& path, const std::string& text) {
  write_file_atomically(path, [&](std::ofstream& f) { f << text; });
}
inline std::string read_text(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  return f ? std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()) : std::string();
}

namespace detail_ {

// The plan of `model` as parse() resolved it (preset, --config, flags).
inline const plan& resolved_plan(const options& o, const std::string& model) {
  const auto it = o.plans.find(model);
  if (it == o.plans.end()) throw value_error("no training plan for model '" + model + "' (not in --models?)");
  return it->second;
}

// Everything that decides a run's trained weights, on one line: the model, preset, seed, backend
// (the CUDA kernels sum in another order), the plan's run key, and `model_key`: model settings changed
// from the preset's and the corpus's content key (run_entry's entry_config). The checkpoint records
// it and the trainer resumes only a checkpoint with the same key.
inline std::string run_key(const options& o, const std::string& model, const plan& resolved, const std::string& model_key = "") {
  return cantus::detail::concat("model ", model, "; preset ", o.quick ? "quick" : "full", "; seed ", o.seed, "; backend ", o.backend,
                                "; plan ", resolved.run_key(), ";", model_key,
                                // the embedded corpus with independent factors is another corpus
                                o.fma.empty() && o.folders.empty() && o.corpus_factors == paper::style::factor_mode::independent
                                    ? "; corpus independent" : "");
}

// Where a run keeps its checkpoints: one directory per model, preset, seed and run key (its hash).
inline fs::path run_dir(const options& o, const std::string& model, const plan& resolved, const std::string& model_key = "") {
  return o.out / "runs" /
         (model + (o.quick ? "-quick" : "-full") + "-seed" + std::to_string(o.seed) + "-" + short_hash(run_key(o, model, resolved, model_key)));
}

// drop_last: a model with batch statistics (BatchNorm) needs more than one sample per batch.
inline models::trainer_options trainer_options_for(const options& o, const std::string& model, const plan& pl,
                                                   bool drop_last = false, const std::string& model_key = "") {
  models::trainer_options t;
  t.training = pl.training;
  t.training.seed = o.seed;
  t.training.drop_last = drop_last;
  t.threads = o.threads;
  t.checkpoint_dir = run_dir(o, model, pl, model_key);
  t.run_key = run_key(o, model, pl, model_key);
  t.group = o.group;
  t.label = model;
  return t;
}

inline bool have_embeddings(const fs::path& dir, const std::string& model) {
  for (const char* s : {"train", "validation", "test"})
    if (!fs::exists(dir / (model + "_" + s + "_labels.npy"))) return false;
  return true;
}

// " files <checksum>" of a model's embedding files as they are on disk (those absent count as
// empty): the stamp records it, so that edited or damaged .npy files are computed anew, never reused.
inline std::string embedding_files_sum(const fs::path& dir, const std::string& model) {
  cantus::checksum64 h;
  for (const char* s : {"train", "validation", "test"})
    for (const char* part : {"_latents.npy", "_track_ids.npy", "_labels.npy"}) {
      const std::string bytes = read_text(dir / (model + "_" + s + part));
      h.add(cantus::detail::concat(s, part, " ", bytes.size(), "\n")).add(bytes);
    }
  char b[40];
  std::snprintf(b, sizeof b, " files %016llx", static_cast<unsigned long long>(h.value()));
  return b;
}

}  // namespace detail_

// Trains (or resumes) one model and embeds every track. Embeddings are written to
// --out/embeddings/<model>_<split>_{latents,track_ids,labels}.npy with a stamp of the training run
// they came from; a later program whose run resumes to the same state reads them back instead of
// embedding again. The test error (table2) is measured only when asked for: it runs the model over
// every test window. Everything model-specific comes from the model's registry entry.
model_result run_model(const std::string& name, const prepared& p, const options& o, bool measure_error = false);
// The run's step-VAE on the CPU, trained by its plan (a finished run's checkpoint is loaded, so after
// table1 or table3 on the same --out this only reads it): for latent traversals. The model is
// compiled in paper_experiment.cpp with the others; a program holding one instantiates nothing.
class trained_step_vae {
 public:
  trained_step_vae(const prepared& p, const options& o);
  ~trained_step_vae();
  index_t n_mels() const;
  index_t latent() const;
  tensor<float, 2> encode(const tensor<float, 3>& frames);  // [frames, 1, n_mels] -> mu [frames, latent]
  tensor<float, 3> decode(const tensor<float, 2>& z);       // [frames, latent] -> [frames, 1, n_mels]

 private:
  std::unique_ptr<models::step_vae<cpu>> m_;
};

// The paper's Table 1 from a CSV (model,classifier,train_accuracy,test_accuracy; '#' comments; an
// empty field is a value not on record). A missing file gives no rows; a malformed one is an error.
struct paper_row {
  double train = std::numeric_limits<double>::quiet_NaN(), test = std::numeric_limits<double>::quiet_NaN();
};
std::map<std::string, paper_row> read_paper_table(const fs::path& path);

// --- small output helpers ------------------------------------------------------------------------

inline std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char b[32];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}
inline std::string json_string(const std::string& s) {
  std::string r = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') r += '\\';
    if (c == '\n') {
      r += "\\n";
      continue;
    }
    r += c;
  }
  return r + "\"";
}
// The hand-made baseline every learned representation has to beat: each mel band's mean and standard
// deviation over a track's frames (the standardised log-mel the models see), 2 x n_mels values.
Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> logmel_statistics(
    const prepared& p, const std::vector<const cantus::data::stored_track*>& tracks, std::vector<int>& labels);

inline std::vector<int> as_int(const std::vector<std::int64_t>& v) { return std::vector<int>(v.begin(), v.end()); }

inline Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> as_matrix(const models::track_embeddings& e) {
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> X(e.size(), e.dim());
  for (index_t i = 0; i < e.size(); ++i)
    for (index_t j = 0; j < e.dim(); ++j) X(i, j) = e.latents(i, j);
  return X;
}

}  // namespace paper
