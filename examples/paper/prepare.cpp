// The corpus and features every paper program starts from (prepare), the paper's own figures
// (read_paper_table) and the hand-made baseline (logmel_statistics): compiled once for all of them.
#include "paper_experiment.hpp"

namespace paper {

prepared prepare(const options& o) {
  prepared p;
  make_directories(o.out, "--out");  // reported by flag: that is what the user can change
  make_directories(o.cache, "--cache");
  // Writers killed mid-write leave NAME.tmp.PID.N here; the run directories are the trainer's to clean.
  if (o.root())
    for (const auto& d : {o.out, o.out / "embeddings", o.out / "classifiers"}) remove_stale_temporaries(d);
  fs::path features_dir;
  if (!o.fma.empty()) {
    p.corpus = data::fma::load(o.fma);
    p.root = o.fma;
    features_dir = o.cache / "features" / cache_key(o.fma);
  } else if (!o.folders.empty()) {
    p.corpus = data::folders::load(o.folders);
    p.root = o.folders;
    features_dir = o.cache / "features" / cache_key(o.folders);
  } else {
    const bool independent = o.corpus_factors == paper::style::factor_mode::independent;
    const fs::path root = o.cache / (independent ? "style-corpus-independent" : "style-corpus");
    paper::style::options so;
    so.threads = o.threads;
    so.factors = o.corpus_factors;
    if (o.root()) {
      std::fprintf(stderr, "%s: embedded corpus at %s (generated on first use)\n", o.program.c_str(), root.c_str());
      paper::style::generate(root, so);
    }
    o.group->barrier();
    p.corpus = data::fma::load(root);
    p.root = root;
    p.corpus.name = independent ? "embedded style corpus, factors independent of genre" : "embedded style corpus";  // FMA's layout, not FMA
    features_dir = root / "features";
  }
  std::string listing = cantus::data::corpus_fingerprint(p.corpus);  // the ranks compare it before extraction
  if (!listing.empty() && listing.back() == '\n') listing.pop_back();
  if (o.root())
    for (const auto& pr : p.corpus.problems)
      std::fprintf(stderr, "corpus: track %lld (%s): %s\n", static_cast<long long>(pr.track_id), pr.path.c_str(), pr.what.c_str());
  if (o.group->size() > 1) {  // another build or another copy of the corpus on some rank: stop now
    std::string plans;
    for (const auto& [m, pl] : o.plans) plans += " " + m + "[" + pl.run_key() + "]";
    const std::string mine = "build " + build_id() + "\ncorpus " + listing + "\nseed " +
                             std::to_string(o.seed) + (o.quick ? " quick" : " full") + plans;
    const auto all = o.group->all_gather(mine);
    for (int r = 1; r < o.group->size(); ++r)
      if (all[static_cast<std::size_t>(r)] != all[0])
        o.group->abort(cantus::detail::concat(o.program, ": rank ", r, " differs from rank 0 in its build, corpus or settings:\n  rank 0: ",
                                              all[0], "\n  rank ", r, ": ", all[static_cast<std::size_t>(r)]), 2);
    if (o.root()) std::fprintf(stderr, "%s: %s\n", o.program.c_str(), o.group->description().c_str());
  }
  cantus::data::feature_params fp;
  fp.raw_sample_rate = fp.mel.sr;  // the raw-audio models read the same 22050 Hz samples
  fp.max_seconds = 30;
  fp.min_decoded_share = o.min_decoded_share;
  p.features = fp;
  cantus::data::store_options so;
  so.threads = o.threads;
  so.verbose = o.root();
  p.store = cantus::data::open_or_build_sharded(p.corpus, fp, features_dir, *o.group, so);
  // What the runs depend on: the store's content (every audio file's bytes and every track's data),
  // not the files' paths and sizes.
  p.corpus_key = p.store.content_key();
  p.train = p.store.tracks(data::split::training);
  p.validation = p.store.tracks(data::split::validation);
  p.test = p.store.tracks(data::split::test);
  if (p.train.empty() || p.test.empty())
    throw value_error(detail::concat(p.corpus.name, ": needs training and test tracks, found ", p.train.size(), " and ",
                                     p.test.size()));
  p.norm = paper::mel_standardizer::fit(p.store, p.train);
  p.raw_gain = paper::raw_gain(p.store, p.train);
  p.description = detail::concat(p.corpus.name, " (", p.corpus.root.string(), "): ", p.train.size(), " training / ",
                                 p.validation.size(), " validation / ", p.test.size(), " test tracks, ",
                                 p.corpus.labels.size(), " genres");
  if (o.root()) {
    std::fprintf(stderr, "%s: %s\n", o.program.c_str(), p.description.c_str());
    write_run_config(o.out / "config.json", o);
  }
  return p;
}

std::map<std::string, paper_row> read_paper_table(const fs::path& path) {
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

Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> logmel_statistics(
    const prepared& p, const std::vector<const cantus::data::stored_track*>& tracks, std::vector<int>& labels) {
  const auto bands = static_cast<Eigen::Index>(p.store.n_mels());
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> X(static_cast<Eigen::Index>(tracks.size()), 2 * bands);
  labels.clear();
  for (std::size_t i = 0; i < tracks.size(); ++i) {
    const auto mel = p.store.mel(*tracks[i]);
    const auto frames = mel.extent(1);
    std::vector<float> row(static_cast<std::size_t>(frames));
    for (Eigen::Index b = 0; b < bands; ++b) {
      for (index_t f = 0; f < frames; ++f) row[static_cast<std::size_t>(f)] = p.norm(b, mel(b, f));
      double s = 0, s2 = 0;
      for (float v : row) s += v, s2 += double(v) * v;
      const double mean = frames > 0 ? s / double(frames) : 0.0;
      X(static_cast<Eigen::Index>(i), b) = mean;
      X(static_cast<Eigen::Index>(i), bands + b) = frames > 0 ? std::sqrt(std::max(0.0, s2 / double(frames) - mean * mean)) : 0.0;
    }
    labels.push_back(static_cast<int>(tracks[i]->label));
  }
  return X;
}

}  // namespace paper
