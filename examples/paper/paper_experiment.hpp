#pragma once
// What table1, table2, figure5 and figure6 share: the command line, the corpus (FMA layout, folders,
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
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cantus/core/directories.hpp"
#include "cantus/data/fma.hpp"
#include "cantus/data/folders.hpp"
#include "cantus/models.hpp"
#include "cantus/models/optimizer_adapter.hpp"
#include "cantus/nn/optim/adam.hpp"
#include "cantus/paper/datasets.hpp"
#include "cantus/paper/feature_store.hpp"
#include "cantus/paper/registry.hpp"
#include "cantus/paper/style_corpus.hpp"

namespace paper {

namespace fs = std::filesystem;
using namespace cantus;
// The paper component (feature store, style corpus, data sets) is named cantus::paper in full:
// from inside this namespace, `paper::` would be ambiguous.

// The models come from the registry (cantus/paper/registry.hpp): one entry per model.
inline const std::vector<std::string> all_models = cantus::paper::model_names();
inline const std::vector<std::string> unsupervised_models = cantus::paper::model_names(/*unsupervised_only=*/true);
inline bool known_model(const std::string& name) { return cantus::paper::known_model(name); }

struct options {
  std::string program;
  fs::path fma, folders;        // one or neither (neither: the embedded corpus)
  bool quick = false;
  int threads = 2;
  std::uint64_t seed = 2019;
  fs::path out = "out/paper";
  fs::path cache;               // default: $XDG_CACHE_HOME/cantus or ~/.cache/cantus
  std::vector<std::string> models = all_models;
  std::vector<std::string> genres;  // figure6: the two genres
  std::string split = "test";       // figures: which tracks to plot (test | all)
  fs::path paper = fs::path(CANTUS_SOURCE_DIR) / "examples" / "paper" / "paper_table1.csv";  // table1: the paper's figures
};

inline void usage(const options& o, std::FILE* f, const std::string& extra) {
  std::fprintf(f,
               "usage: %s [--fma ROOT | --folders ROOT] [--quick] [--threads N (2)] [--seed K (2019)] [--out DIR (out/paper)]\n"
               "          [--cache DIR] [--models a,b,...]%s\n"
               "  Without --fma/--folders the embedded corpus (mma + fluidsynth clips, 8 genres) is generated into the cache\n"
               "  on first use. --quick: small models and few steps (a few minutes on 2 cores); otherwise the anchor sizes.\n"
               "  models: %s; naive_seq2seq_z8 (_z16, _z32, ...) is the naive GRU with that latent size\n",
               o.program.c_str(), extra.c_str(), [] {
                 std::string l;
                 for (const auto& n : all_models) l += (l.empty() ? "" : ", ") + n;
                 return l;
               }().c_str());
}

inline std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> r;
  std::stringstream ss(s);
  std::string x;
  while (std::getline(ss, x, ','))
    if (!x.empty()) r.push_back(x);
  return r;
}

// Parses the shared flags; `extra` names program-specific flags it also accepts (--genres, --split).
inline options parse(int argc, char** argv, const std::string& extra_usage = "") {
  options o;
  o.program = fs::path(argv[0]).filename().string();
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s: %s needs a value\n", o.program.c_str(), a.c_str());
        usage(o, stderr, extra_usage);
        std::exit(2);
      }
      return argv[++i];
    };
    auto number = [&](const std::string& v) -> long long {
      char* end = nullptr;
      const long long n = std::strtoll(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n < 0) {
        std::fprintf(stderr, "%s: %s expects a non-negative integer, got '%s'\n", o.program.c_str(), a.c_str(), v.c_str());
        std::exit(2);
      }
      return n;
    };
    if (a == "--fma") o.fma = value();
    else if (a == "--folders") o.folders = value();
    else if (a == "--quick") o.quick = true;
    else if (a == "--threads") o.threads = static_cast<int>(number(value()));
    else if (a == "--seed") o.seed = static_cast<std::uint64_t>(number(value()));
    else if (a == "--out") o.out = value();
    else if (a == "--cache") o.cache = value();
    else if (a == "--models") o.models = split_list(value());
    else if (a == "--genres") o.genres = split_list(value());
    else if (a == "--split") o.split = value();
    else if (a == "--paper") o.paper = value();
    else if (a == "-h" || a == "--help") {
      usage(o, stdout, extra_usage);
      std::exit(0);
    } else {
      std::fprintf(stderr, "%s: unknown argument '%s'\n", o.program.c_str(), a.c_str());
      usage(o, stderr, extra_usage);
      std::exit(2);
    }
  }
  if (!o.fma.empty() && !o.folders.empty()) {
    std::fprintf(stderr, "%s: give --fma or --folders, not both\n", o.program.c_str());
    std::exit(2);
  }
  if (o.threads < 1) {
    std::fprintf(stderr, "%s: --threads must be >= 1\n", o.program.c_str());
    std::exit(2);
  }
  for (const auto& m : o.models)
    if (!known_model(m)) {
      std::fprintf(stderr, "%s: unknown model '%s' in --models (naive_seq2seq, naive_seq2seq_zN with N in 1..4096, step_vae, seq2seq_mel, wavenet, supervised_cnn)\n",
                   o.program.c_str(), m.c_str());
      std::exit(2);
    }
  if (o.split != "test" && o.split != "all") {
    std::fprintf(stderr, "%s: --split must be test or all, got '%s'\n", o.program.c_str(), o.split.c_str());
    std::exit(2);
  }
  if (o.cache.empty()) {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    o.cache = xdg && *xdg ? fs::path(xdg) / "cantus" : (home && *home ? fs::path(home) / ".cache" / "cantus" : o.out / "cache");
  }
  omp_set_num_threads(o.threads);
  return o;
}

// A file-system-safe name for a corpus root, so each corpus gets its own feature cache.
inline std::string cache_key(const fs::path& root) {
  std::string s = fs::weakly_canonical(root).string(), r;
  for (char c : s) r += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return r.size() > 120 ? r.substr(r.size() - 120) : r;
}

struct prepared {
  data::corpus corpus;
  cantus::paper::feature_store store;
  std::vector<const cantus::paper::stored_track*> train, validation, test;
  cantus::paper::mel_standardizer norm;
  float raw_gain = 1.0f;    // naive_seq2seq reads raw audio scaled to unit RMS over the training tracks
  std::string description;  // "fma small at ROOT: 50/10/10 tracks, 10 genres"
};

inline prepared prepare(const options& o) {
  prepared p;
  make_directories(o.out, "--out");  // reported by flag: that is what the user can change
  make_directories(o.cache, "--cache");
  fs::path features_dir;
  if (!o.fma.empty()) {
    p.corpus = data::fma::load(o.fma);
    features_dir = o.cache / "features" / cache_key(o.fma);
  } else if (!o.folders.empty()) {
    p.corpus = data::folders::load(o.folders);
    features_dir = o.cache / "features" / cache_key(o.folders);
  } else {
    const fs::path root = o.cache / "style-corpus";
    cantus::paper::style::options so;
    so.threads = o.threads;
    std::fprintf(stderr, "%s: embedded corpus at %s (generated on first use)\n", o.program.c_str(), root.c_str());
    cantus::paper::style::generate(root, so);
    p.corpus = data::fma::load(root);
    p.corpus.name = "embedded style corpus";  // stored in FMA's layout, but not FMA
    features_dir = root / "features";
  }
  for (const auto& pr : p.corpus.problems)
    std::fprintf(stderr, "corpus: track %lld (%s): %s\n", static_cast<long long>(pr.track_id), pr.path.c_str(), pr.what.c_str());
  cantus::paper::feature_params fp;
  fp.raw_sample_rate = fp.mel.sr;  // the raw-audio models read the same 22050 Hz samples
  fp.max_seconds = 30;
  cantus::paper::store_options so;
  so.threads = o.threads;
  p.store = cantus::paper::feature_store::open_or_build(p.corpus, fp, features_dir, so);
  p.train = p.store.tracks(data::split::training);
  p.validation = p.store.tracks(data::split::validation);
  p.test = p.store.tracks(data::split::test);
  if (p.train.empty() || p.test.empty())
    throw value_error(detail::concat(p.corpus.name, ": needs training and test tracks, found ", p.train.size(), " and ",
                                     p.test.size()));
  p.norm = cantus::paper::mel_standardizer::fit(p.store, p.train);
  p.raw_gain = cantus::paper::raw_gain(p.store, p.train);
  p.description = detail::concat(p.corpus.name, " (", p.corpus.root.string(), "): ", p.train.size(), " training / ",
                                 p.validation.size(), " validation / ", p.test.size(), " test tracks, ",
                                 p.corpus.labels.size(), " genres");
  std::fprintf(stderr, "%s: %s\n", o.program.c_str(), p.description.c_str());
  return p;
}

using plan = cantus::paper::training_plan;
inline plan plan_for(const std::string& model, bool quick) {
  return cantus::paper::visit_model(model, [&](auto e) { return decltype(e)::plan(quick); });
}

// Everything a program needs from one trained model.
struct model_result {
  std::string model;
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

// drop_last: a model with batch statistics (BatchNorm) needs more than one sample per batch.
inline models::trainer_options trainer_options_for(const options& o, const std::string& model, index_t batch,
                                                   bool drop_last = false) {
  const plan pl = plan_for(model, o.quick);
  models::trainer_options t;
  t.epochs = pl.epochs;
  t.batch_size = batch;
  t.patience = pl.patience;
  t.seed = o.seed;
  t.threads = o.threads;
  t.max_batches_per_epoch = pl.batches_per_epoch;
  t.max_validation_batches = std::max<std::int64_t>(2, pl.batches_per_epoch / 4);
  t.checkpoint_dir = o.out / "runs" / (model + (o.quick ? "-quick" : "-full") + "-seed" + std::to_string(o.seed));
  t.label = model;
  t.drop_last = drop_last;
  return t;
}

template <class Model, class Dataset>
models::training_result train(Model& m, const Dataset& tr, const Dataset& va, const options& o, const std::string& name,
                              float lr) {
  nn::adam<float> opt(m.parameters(), {.lr = lr});
  models::optimizer_adapter ad(opt);
  auto t = trainer_options_for(o, name, m.config().batch_size, !m.buffers().empty());
  return models::train(m, ad, tr, va.size() > 0 ? &va : nullptr, t);
}

inline bool have_embeddings(const fs::path& dir, const std::string& model) {
  for (const char* s : {"train", "validation", "test"})
    if (!fs::exists(dir / (model + "_" + s + "_labels.npy"))) return false;
  return true;
}

}  // namespace detail_

// Trains (or resumes) one model and embeds every track. Embeddings are written to
// --out/embeddings/<model>_<split>_{latents,track_ids,labels}.npy with a stamp of the training run
// they came from; a later program whose run resumes to the same state reads them back instead of
// embedding again. The test error (table2) is measured only when asked for: it runs the model over
// every test window. Everything model-specific comes from the model's registry entry.
template <class Entry>
model_result run_entry(const std::string& name, const prepared& p, const options& o, bool measure_error) {
  const auto t0 = std::chrono::steady_clock::now();
  auto cfg = Entry::config(o.quick ? models::paper_config::quick() : models::paper_config{}, name);
  if constexpr (requires { cfg.genres; }) cfg.genres = static_cast<index_t>(p.corpus.labels.size());
  typename Entry::model m(cfg, o.seed);
  const plan pl = Entry::plan(o.quick);
  const fs::path emb_dir = o.out / "embeddings";
  auto mk = [&](const std::vector<const data::stored_track*>& t, index_t cap) {
    cantus::paper::track_source s{&p.store, t, &p.norm};
    s.gain = p.raw_gain;
    return Entry::data(std::move(s), cfg, o.quick, cap);
  };
  model_result r;
  r.model = name;
  auto tr = mk(p.train, pl.train_cap), va = mk(p.validation, pl.train_cap);
  r.training = detail_::train(m, tr, va, o, name, m.config().learning_rate);
  auto enc = [&](const auto& b) { return m.encode(b); };
  const index_t eb = std::max<index_t>(1, m.config().batch_size);
  auto e_tr = mk(p.train, pl.embed_cap), e_va = mk(p.validation, pl.embed_cap), e_te = mk(p.test, pl.embed_cap);
  const std::string stamp = cantus::detail::concat("steps ", r.training.steps, " best_epoch ", r.training.best_epoch,
                                                   " windows ", e_tr.size(), " ", e_va.size(), " ", e_te.size(), "\n");
  const fs::path stamp_file = emb_dir / (name + "_embeddings.stamp");
  if (e_va.tracks() > 0 && detail_::have_embeddings(emb_dir, name) && read_text(stamp_file) == stamp) {
    std::fprintf(stderr, "%s: %s embeddings of this run found in %s, reused\n", o.program.c_str(), name.c_str(),
                 emb_dir.c_str());
    r.train = models::track_embeddings::load(emb_dir, name + "_train");
    r.validation = models::track_embeddings::load(emb_dir, name + "_validation");
    r.test = models::track_embeddings::load(emb_dir, name + "_test");
  } else {
    r.train = cantus::paper::embed_dataset(e_tr, enc, eb, name + " embed train");
    if (e_va.tracks() > 0) r.validation = cantus::paper::embed_dataset(e_va, enc, eb, name + " embed validation");
    r.test = cantus::paper::embed_dataset(e_te, enc, eb, name + " embed test");
    r.train.save(emb_dir, name + "_train");
    if (e_va.tracks() > 0) r.validation.save(emb_dir, name + "_validation");
    r.test.save(emb_dir, name + "_test");
    write_text(stamp_file, stamp);
  }
  r.error_measure = Entry::error_measure;
  if (measure_error) {
    // A reconstructing model's own error measure, else its loss; weighted by the batch sizes.
    double total = 0;
    index_t n = 0;
    std::vector<index_t> rows;
    for (index_t b = 0; b < e_te.size(); b += Entry::eval_batch) {
      const index_t e = std::min(e_te.size(), b + Entry::eval_batch);
      rows.resize(static_cast<std::size_t>(e - b));
      std::iota(rows.begin(), rows.end(), b);
      const auto batch = e_te.batch(rows);
      double v;
      if constexpr (requires { m.reconstruction_error(batch); }) v = m.reconstruction_error(batch);
      else v = m.validation_loss(batch);
      total += v * static_cast<double>(e - b);
      n += e - b;
    }
    r.test_error = n ? total / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
  }
  if constexpr (Entry::supervised) {
    // Track-level predictions: mean softmax over the track's chunks.
    auto predict = [&](const std::vector<const data::stored_track*>& tracks) {
      auto ds = mk(tracks, 0);
      std::vector<int> pred;
      for (index_t t = 0; t < ds.tracks(); ++t) {
        const auto rows = ds.items_of(t);
        std::vector<double> mean(static_cast<std::size_t>(cfg.genres), 0.0);
        for (std::size_t b = 0; b < rows.size(); b += 32) {
          const std::size_t e = std::min(rows.size(), b + 32);
          const auto logits = m.logits(ds.batch(std::span<const index_t>(rows.data() + b, e - b)).x);
          for (index_t i = 0; i < logits.extent(0); ++i) {
            float mx = logits(i, 0);
            for (index_t k = 1; k < cfg.genres; ++k) mx = std::max(mx, logits(i, k));
            double z = 0;
            for (index_t k = 0; k < cfg.genres; ++k) z += std::exp(double(logits(i, k) - mx));
            for (index_t k = 0; k < cfg.genres; ++k) mean[static_cast<std::size_t>(k)] += std::exp(double(logits(i, k) - mx)) / z;
          }
        }
        pred.push_back(static_cast<int>(std::max_element(mean.begin(), mean.end()) - mean.begin()));
      }
      return pred;
    };
    r.train_pred = predict(p.train);
    r.test_pred = predict(p.test);
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "%s: %s done in %.1f s (best validation loss %.5g at epoch %lld)\n", o.program.c_str(), name.c_str(),
               r.seconds, r.training.best_validation_loss, static_cast<long long>(r.training.best_epoch));
  return r;
}

inline model_result run_model(const std::string& name, const prepared& p, const options& o, bool measure_error = false) {
  return cantus::paper::visit_model(name, [&](auto e) { return run_entry<decltype(e)>(name, p, o, measure_error); });
}

// The paper's Table 1 from a CSV (model,classifier,train_accuracy,test_accuracy; '#' comments; an
// empty field is a value not on record). A missing file gives no rows; a malformed one is an error.
struct paper_row {
  double train = std::numeric_limits<double>::quiet_NaN(), test = std::numeric_limits<double>::quiet_NaN();
};
inline std::map<std::string, paper_row> read_paper_table(const fs::path& path) {
  std::map<std::string, paper_row> rows;
  std::ifstream f(path);
  if (!f) return rows;
  std::string line;
  int n = 0;
  bool header = true;
  while (std::getline(f, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      if (line.rfind("model,classifier,train_accuracy,test_accuracy", 0) != 0)
        throw value_error(cantus::detail::concat(path.string(), ":", n, ": expected the header "
                                                 "'model,classifier,train_accuracy,test_accuracy', found '", line, "'"));
      header = false;
      continue;
    }
    std::vector<std::string> f4;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) f4.push_back(x);
    while (f4.size() < 4) f4.emplace_back();
    if (f4.size() != 4 || f4[0].empty() || f4[1].empty())
      throw value_error(cantus::detail::concat(path.string(), ":", n, ": expected 4 fields model,classifier,train,test, found '", line, "'"));
    auto number = [&](const std::string& v) {
      if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
      char* end = nullptr;
      const double d = std::strtod(v.c_str(), &end);
      if (*end != '\0' || !(d >= 0 && d <= 1))
        throw value_error(cantus::detail::concat(path.string(), ":", n, ": accuracy must be a number in [0, 1] or empty, found '", v, "'"));
      return d;
    };
    rows[f4[0] + "/" + f4[1]] = {number(f4[2]), number(f4[3])};
  }
  return rows;
}

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
inline std::vector<int> as_int(const std::vector<std::int64_t>& v) { return std::vector<int>(v.begin(), v.end()); }

inline Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> as_matrix(const models::track_embeddings& e) {
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> X(e.size(), e.dim());
  for (index_t i = 0; i < e.size(); ++i)
    for (index_t j = 0; j < e.dim(); ++j) X(i, j) = e.latents(i, j);
  return X;
}

}  // namespace paper
