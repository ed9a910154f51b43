#pragma once
// A trained model applied to anyone's music, for the `embed` and `predict` programs: the run
// directory's card (model.json) and checkpoint (last.ckpt) rebuild the model, and each audio file is
// decoded in bounded memory (audio::stream_reader) and cut into segments of the card's max_seconds
// (30 s: what a training track held); each segment goes through the same feature extraction and
// data set as a training track (an in-memory feature store), and the file's embedding pools the
// window latents of all its segments (mean, or mean and standard deviation). A file of one segment
// is embedded exactly as table1 embeds a track; a trailing part shorter than half a segment, after
// at least one whole segment, is left out.
#include <string>
#include <vector>

#include "paper_experiment.hpp"

namespace paper::apply {

struct file_embedding {
  fs::path path;
  std::vector<float> latent;  // pooled
  double seconds = 0;         // audio decoded
  index_t segments = 0, windows = 0;
  std::string error;          // non-empty: this file failed (latent empty)
};

struct embed_report {
  model_card card;
  std::vector<file_embedding> files;
  double audio_seconds = 0, wall_seconds = 0;
};

// Audio files: the files given, and the folders walked recursively for .wav .flac .mp3 .ogg .opus
// (sorted, so the order does not depend on the file system). Throws naming an input that does not exist.
std::vector<fs::path> audio_files(const std::vector<std::string>& inputs);

// Embeds `files` with the run in `run_dir` (pooling: "mean", "mean+std" or "" for the card's).
embed_report embed_files(const fs::path& run_dir, const std::vector<fs::path>& files, const std::string& pooling, bool verbose);

// A name for comparing genre labels: lower case, letters and digits only ("Hip-Hop" = "hiphop").
std::string genre_key(const std::string& name);

}  // namespace paper::apply
