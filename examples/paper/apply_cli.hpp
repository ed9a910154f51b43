#pragma once
// The command line shared by `embed` and `predict`: --run DIR, --pooling, --threads and the audio
// files or folders; each program adds its own flags. Conventions: examples/common/cli.hpp.
#include <string>
#include <vector>

#include "cli.hpp"

namespace paper::apply {

struct flags {
  std::string run;
  std::vector<std::string> inputs;
  std::string pooling;  // "": the card's
  int threads = 1;
};

inline void add_flags(cli::app& app, flags& c) {
  cli::existing(app, "--run", c.run, cli::must_be::folder,
                "a run directory of a paper program (OUT/runs/<model>-<preset>-seed<K>-<hash>, with model.json and last.ckpt)")
      ->required();
  cli::choice(app, "--pooling", c.pooling, {"mean", "mean+std"}, "how window latents are pooled (default: the model card's)");
  cli::threads(app, c.threads, false, "threads (default 1)");
  cli::existing_positionals(app, "FILE_OR_FOLDER", c.inputs, cli::must_be::file_or_folder,
                            "audio files (WAV, FLAC, OGG, Opus, MP3) or folders of them")
      ->required();
}

}  // namespace paper::apply
