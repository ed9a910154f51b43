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

  // Reads the flag at argv[i] when it is one of these (advancing i past its value); false otherwise.
  bool take(int argc, char** argv, int& i) {
    const std::string a = argv[i];
    if (a == "--fma") fma_root = next_value(argc, argv, i);
    else if (a == "--folders") folder_root = next_value(argc, argv, i);
    else if (a == "--subset") subset = next_value(argc, argv, i);
    else if (a == "--audio") audio_dir = next_value(argc, argv, i);
    else if (a == "--seed") seed = static_cast<std::uint64_t>(to_int(a, next_value(argc, argv, i)));
    else return false;
    return true;
  }
  bool exactly_one() const { return fma_root.empty() != folder_root.empty(); }

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
