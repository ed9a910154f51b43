#pragma once
// The corpus flags the data programs share: --fma ROOT [--subset S] [--audio DIR], or --folders ROOT
// [--seed K] (the seed of the folders' 80/10/10 split), and loading the corpus they name.
#include <cstdint>
#include <string>

#include "cantus/data.hpp"
#include "cli.hpp"

namespace cli {

struct corpus_flags {
  std::string fma_root, folder_root, audio_dir, subset = "small";
  std::uint64_t seed = 2019;

  // Declares the flags on `app`; exactly one of --fma and --folders unless `optional`.
  void add(cli::app& app, bool optional = false) {
    auto* group = app.add_option_group("corpus", "the corpus: one of --fma ROOT or --folders ROOT");
    auto* fma = existing(*group, "--fma", fma_root, must_be::folder, "an FMA-layout corpus: ROOT/fma_metadata/tracks.csv and the audio");
    auto* folders = existing(*group, "--folders", folder_root, must_be::folder, "one folder per genre: ROOT/<genre>/*.{wav,mp3,flac,ogg,au}");
    fma->excludes(folders);
    group->require_option(optional ? 0 : 1, 1);
    choice(app, "--subset", subset, {"small", "medium", "large", "full"}, "the FMA subset (with --fma)")->needs(fma);
    existing(app, "--audio", audio_dir, must_be::folder, "where the FMA audio is, when not ROOT/fma_<subset>")->needs(fma);
    cli::seed(app, seed, "the seed of the folders' 80/10/10 split (with --folders)");
  }

  cantus::data::corpus load() const {
    if (!fma_root.empty()) {
      cantus::data::fma::options o;
      o.subset = subset;
      o.audio_dir = audio_dir;
      return cantus::data::fma::load(fma_root, o);
    }
    cantus::data::folders::options o;
    o.seed = seed;
    return cantus::data::folders::load(folder_root, o);
  }
};

}  // namespace cli
