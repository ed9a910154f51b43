#pragma once
// OUT/classifiers/<model>_<rf|lr>.cls: a classifier table1 fitted on one run's training embeddings,
// as a sealed file (core/sealed_file.hpp: the classifier's own bytes, checksummed) whose provenance
// names that run (its run key, as its checkpoints record it) and the embeddings (their checksum,
// shape and pooling). `predict` refuses a classifier whose run key is not the one of the --run it is
// given: table1 runs of one model with other seeds or settings share the file name, and a classifier
// of another run's latents gives probabilities that mean nothing for this one.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "cantus/base/error.hpp"
#include "cantus/core/checksum.hpp"
#include "cantus/core/sealed_file.hpp"

namespace paper {

struct classifier_provenance {
  std::string run_key;     // the run's key (paper::detail_::run_key), as its checkpoint records it
  std::string run;         // the run directory's name, for people
  std::string embeddings;  // "<checksum> <rows>x<columns> <pooling>" of the training embeddings and labels it was fitted on

  std::string str() const { return "run_key " + run_key + "\nrun " + run + "\nembeddings " + embeddings + "\n"; }
  // The inverse of str(); io_error naming `file` when a line is missing.
  static classifier_provenance parse(const std::string& text, const std::string& file) {
    classifier_provenance p;
    std::istringstream in(text);
    std::string line;
    bool have[3] = {false, false, false};
    while (std::getline(in, line)) {
      const auto take = [&](const char* key, std::string& field, bool& seen) {
        const std::string k = std::string(key) + " ";
        if (line.rfind(k, 0) != 0) return;
        field = line.substr(k.size());
        seen = true;
      };
      take("run_key", p.run_key, have[0]);
      take("run", p.run, have[1]);
      take("embeddings", p.embeddings, have[2]);
    }
    if (!have[0] || !have[2])
      throw cantus::io_error(cantus::detail::concat(file, ": names no run_key and embeddings it was fitted on (provenance '", text, "')"));
    return p;
  }
};

// "<checksum> <rows>x<columns> <pooling>" of a fitted-on matrix X (row-major doubles) and its labels y.
template <class Matrix>
std::string embeddings_id(const Matrix& X, const std::vector<int>& y, const std::string& pooling) {
  cantus::checksum64 h;
  h.add(X.data(), static_cast<std::size_t>(X.size()) * sizeof(double));
  h.add(y.data(), y.size() * sizeof(int));
  char b[96];
  std::snprintf(b, sizeof b, "%016llx %lldx%lld ", static_cast<unsigned long long>(h.value()), static_cast<long long>(X.rows()),
                static_cast<long long>(X.cols()));
  return b + pooling;
}

// `kind` is "random_forest" or "logistic_regression"; `model_bytes` the classifier's to_bytes().
inline void write_classifier(const std::filesystem::path& file, const std::string& kind, const std::string& model_bytes,
                             const classifier_provenance& p) {
  cantus::write_sealed_file(file, {kind, p.str(), model_bytes});
}

struct loaded_classifier {
  std::string kind, model_bytes;
  classifier_provenance provenance;
};

// The classifier in `file` when it was fitted on the run whose checkpoint records `run_key` (found in
// `run_dir`); io_error naming the file, what was expected and what was found otherwise (another run,
// a file written before classifiers named their run, a damaged file).
inline loaded_classifier read_classifier_of_run(const std::filesystem::path& file, const std::string& run_key,
                                                const std::filesystem::path& run_dir) {
  cantus::sealed_file f;
  try {
    f = cantus::read_sealed_file(file);
  } catch (const cantus::io_error& e) {
    const std::string what = e.what();
    if (what.find("not a sealed cantus file") == std::string::npos) throw;
    throw cantus::io_error(what + " (a classifier saved before classifiers named their run, or not a classifier; run table1 with this "
                                  "run's settings to write it again)");
  }
  loaded_classifier c{f.kind, std::move(f.payload), classifier_provenance::parse(f.provenance, file.string())};
  if (run_key.empty())
    throw cantus::io_error(cantus::detail::concat(run_dir.string(), ": its checkpoint records no run key (trained before checkpoints "
                                                                    "recorded their run), so no classifier can be matched to it; train it again"));
  if (c.provenance.run_key != run_key)
    throw cantus::io_error(cantus::detail::concat(file.string(), ": fitted on another run's embeddings: expected run key '", run_key,
                                                  "' (the checkpoint in ", run_dir.string(), "), found '", c.provenance.run_key,
                                                  "' (run ", c.provenance.run, ")"));
  return c;
}

}  // namespace paper
