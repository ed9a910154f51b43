// Writes the fuzz targets' seeds (corpus/<target>/) with cantus' own writers: valid files of every
// kind each parser reads, a few KB each, plus near-valid ones (truncated, one field wrong) that reach
// the checks behind the first. Hand-written text seeds (folders, config) and the inputs of fixed
// crashes sit beside them and are not touched. Run by hand when a format changes; output committed:
//   cmake --build DIR --target fuzz_make_seeds && DIR/tests/fuzz/fuzz_make_seeds tests/fuzz/corpus
// except fuzz_audio's: audio files stay out of the repository, so CTest writes those seeds into the
// build tree before the audio target runs (`fuzz_make_seeds BUILD_CORPUS audio`).
// Deterministic: the same build writes the same bytes.
#include <sndfile.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cantus/classify/logistic_regression.hpp"
#include "cantus/classify/random_forest.hpp"
#include "cantus/core/npy.hpp"
#include "cantus/models/model_support.hpp"
#include "cantus/nn/checkpoint.hpp"
#include "cantus/data/feature_store.hpp"
#include "fuzz_model.hpp"

namespace fs = std::filesystem;
using namespace cantus;

namespace {

fs::path root;

fs::path dir(const char* target) {
  auto d = root / target;
  fs::create_directories(d);
  return d;
}
std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write(const fs::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << s;
}
// The first `keep` bytes of `from`, as `to` (a truncated copy).
void truncated(const fs::path& from, const fs::path& to, std::size_t keep) { write(to, read(from).substr(0, keep)); }

void npy_seeds() {
  const auto d = dir("fuzz_npy");
  npy::write(d / "f32_vector.npy", std::vector<float>{1.5f, -2.0f, 3.25f});
  const std::vector<double> m = {1, 2, 3, 4, 5, 6};
  npy::write(d / "f64_matrix.npy", m.data(), {2, 3});
  const std::vector<std::int32_t> labels = {0, 1, 1, 0};
  npy::write(d / "i32_labels.npy", labels);
  const std::vector<std::int64_t> column = {3, 1, 2};
  npy::write(d / "i64_column.npy", column.data(), {3, 1});
  const std::vector<float> cube(24, 0.5f);
  npy::write(d / "f32_cube.npy", cube.data(), {2, 3, 4});
  const std::vector<float> scalar = {7.0f};
  npy::write(d / "f32_scalar.npy", scalar.data(), {});
  npy::write(d / "f32_empty.npy", std::vector<float>{});
  truncated(d / "f64_matrix.npy", d / "f64_matrix_truncated.npy", 100);
}

void csv_seeds() {
  const auto d = dir("fuzz_csv");
  write(d / "plain.csv", "a,b,c\n1,2,3\n4,5,6\n");
  write(d / "quoted.csv", "\xEF\xBB\xBFname,text\r\n\"x, y\",\"say \"\"hi\"\"\r\nnext line\"\r\n,\r\n");
  write(d / "unclosed.csv", "a,\"b\n");
}

std::string tracks_csv(const std::string& extra_rows) {
  return ",track,track,set,set\n"
         ",genre_top,duration,subset,split\n"
         "track_id,,,,\n"
         "2,Hip-Hop,168,small,training\n"
         "5,Rock,30.5,small,test\n"
         "000010,\"Folk, Rock\",,medium,validation\n"
         "140,,12,small,training\n" +
         extra_rows;
}
void fma_seeds() {
  const auto d = dir("fuzz_fma_tracks");
  write(d / "tracks.csv", tracks_csv(""));
  write(d / "repeated_id.csv", tracks_csv("0002,Pop,30,small,test\n"));
  write(d / "overflowing_id.csv", tracks_csv("99999999999999999999,Pop,30,small,test\n"));
  write(d / "bad_split.csv", tracks_csv("7,Pop,30,small,holdout\n8,Pop,x,full,training\n"));
  const auto g = dir("fuzz_fma_genres");
  write(g / "genres.csv", "genre_id,#tracks,parent,title,top_level\n12,100,0,Rock,12\n21,50,0,Hip-Hop,21\n17,5,12,Folk Rock,12\n");
  write(g / "not_a_number.csv", "genre_id,#tracks,parent,title,top_level\n12,many,0,Rock,12\n");
  write(g / "reordered.csv", "title,top_level,genre_id,parent,#tracks\n\"Rock, Classic\",12,12,0,1\n");
}

// The one checkpoint format, as layer and as trainer checkpoint. Seeds of the older formats (CANTUSCK
// version 1: v1_*.ckpt; the trainer's CANTUSTR: cantustr_*.ckpt) were written by their own writers,
// which are gone, and stay in the corpus as they are.
void checkpoint_seeds() {
  const auto d = dir("fuzz_checkpoint");
  cantus_fuzz::small_model m;
  nn::checkpoint_counters counters;
  counters.step = 42;
  counters.epoch = 3;
  counters.scalars["best_validation_loss"] = 0.125;
  nn::save_checkpoint(d / "layer_with_optimizer.ckpt", m, m.optim.get(), counters);
  nn::save_checkpoint(d / "layer_without_optimizer.ckpt", m, static_cast<nn::optimizer<float>*>(nullptr));
  truncated(d / "layer_with_optimizer.ckpt", d / "layer_truncated.ckpt", 90);

  nn::training_checkpoint c;
  c.seed = 2019;
  c.epochs_done = 2;
  c.steps = 20;
  c.best_epoch = 1;
  c.best_validation_loss = 0.5;
  c.history = {{1, 1.0, 0.9, 0.1, 100}, {2, 0.8, 0.5, 0.1, 110}};
  std::ostringstream model, optim;
  models::save_model_state(m, model);
  m.optim->save_state(optim);
  c.model = model.str();
  c.optimizer = optim.str();
  c.best_model = c.model;
  c.save(d / "trainer.ckpt");
  truncated(d / "trainer.ckpt", d / "trainer_truncated.ckpt", 120);
}

void classifier_seeds() {
  const auto d = dir("fuzz_classifier");
  classify::row_matrix X(12, 3);
  std::vector<int> y(12);
  for (int i = 0; i < 12; ++i) {
    y[static_cast<std::size_t>(i)] = i % 3;
    for (int j = 0; j < 3; ++j) X(i, j) = std::sin(0.7 * i + j) + (i % 3);
  }
  classify::random_forest_params rp;
  rp.n_estimators = 2;
  rp.max_depth = 3;
  classify::random_forest(rp).fit(X, y).save(d / "forest.cls");
  classify::logistic_regression().fit(X, y).save(d / "logistic3.cls");
  std::vector<int> y2(y);
  for (int& v : y2) v = v == 0 ? 0 : 1;
  classify::logistic_regression().fit(X, y2).save(d / "logistic2.cls");
  truncated(d / "forest.cls", d / "forest_truncated.cls", 200);
}

void feature_store_seeds() {
  const auto d = dir("fuzz_feature_store");
  cantus::data::internal::index_contents x;
  cantus::data::feature_params p;
  p.mel.n_mels = 4;
  p.raw_sample_rate = 100;
  x.params = cantus::data::describe(p) + "corpus 0123456789abcdef\n";
  x.labels = {"Rock", "Hip-Hop"};
  cantus::data::stored_track a;
  a.id = 2, a.split = data::split::training, a.label = 0, a.ok = true, a.frames = 3, a.raw_samples = 5, a.seconds = 0.05,
  a.path = "fma_small/000/000002.mp3";
  cantus::data::stored_track b = a;
  b.id = 5, b.split = data::split::test, b.label = 1, b.mel_offset = 12, b.frames = 2, b.raw_offset = 5, b.raw_samples = 4,
  b.path = "fma_small/000/000005.mp3";
  cantus::data::stored_track f;
  f.id = 140, f.split = data::split::validation, f.ok = false, f.path = "fma_small/000/000140.mp3", f.message = "cannot decode";
  x.tracks = {a, b, f};
  x.mel_floats = 20;
  x.raw_floats = 9;
  write(d / "index.tsv", cantus::data::internal::format_index(x));
  x.tracks.pop_back();
  x.raw_floats = 0;
  x.params = cantus::data::describe(cantus::data::feature_params{}) + "corpus 0\n";
  write(d / "journal.tsv", cantus::data::internal::format_index(x));
}

// Tenth of a second of a chord, mono and stereo, in every container libsndfile writes here.
void audio_seeds() {
  const auto d = dir("fuzz_audio");
  struct kind {
    const char* name;
    int format, channels, rate;
  };
  const kind kinds[] = {
      {"pcm16.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 8000},
      {"float_stereo.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 2, 11025},
      {"ulaw.au", SF_FORMAT_AU | SF_FORMAT_ULAW, 1, 8000},
      {"pcm24.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 2, 16000},
      {"vorbis.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 1, 22050},
      {"opus.opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 1, 48000},
      {"layer3.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 1, 22050},
  };
  for (const auto& k : kinds) {
    SF_INFO info{};
    info.samplerate = k.rate;
    info.channels = k.channels;
    info.format = k.format;
    if (!sf_format_check(&info)) {
      std::fprintf(stderr, "make_seeds: libsndfile cannot write %s here, skipped\n", k.name);
      continue;
    }
    const auto path = (d / k.name).string();
    SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
    if (!f) {
      std::fprintf(stderr, "make_seeds: %s: %s\n", path.c_str(), sf_strerror(nullptr));
      continue;
    }
    const int frames = k.rate / 10;
    std::vector<float> s(static_cast<std::size_t>(frames * k.channels));
    for (int i = 0; i < frames; ++i)
      for (int c = 0; c < k.channels; ++c)
        s[static_cast<std::size_t>(i * k.channels + c)] =
            0.3f * static_cast<float>(std::sin(2 * M_PI * 440.0 * i / k.rate) + std::sin(2 * M_PI * (660.0 + 110 * c) * i / k.rate));
    sf_writef_float(f, s.data(), frames);
    sf_close(f);
  }
  truncated(d / "pcm24.flac", d / "pcm24_truncated.flac", 600);
  truncated(d / "layer3.mp3", d / "layer3_truncated.mp3", 400);
  // A fixed crash (audio::load reserved the 924,784,920 frames this 55-byte FLAC's header claims,
  // 3.7 GB): kept as bytes here because no audio file is committed to the repository.
  static constexpr unsigned char claims_too_many_frames[] = {0x66, 0x4c, 0x61, 0x43, 0x00, 0x00, 0x00, 0x22, 0x10, 0x00, 0x10, 0x00, 0x00, 0x12, 0x91, 0x00, 0x12, 0x91, 0x03, 0xe8, 0x03, 0x70, 0x37, 0x1f, 0x19, 0x18, 0x1c, 0x26, 0x3a, 0xdd, 0xbf, 0xbf, 0xd4, 0x4f, 0x3e, 0x3f, 0x69, 0xb8, 0xa5, 0x9c, 0x00, 0x00, 0x00, 0x00, 0x00, 0xa5, 0xdd, 0xd5, 0x8c, 0xbf, 0x57, 0x8d, 0x25, 0x75, 0x7c};
  write(d / "header-frame-count-reserved.flac",
        std::string(reinterpret_cast<const char*>(claims_too_many_frames), sizeof claims_too_many_frames));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3 || (argc == 3 && std::string(argv[2]) != "audio")) {
    std::fprintf(stderr, "usage: fuzz_make_seeds CORPUS_ROOT (tests/fuzz/corpus) [audio]\n"
                         "  audio: only fuzz_audio's seeds, which are generated at test time (no audio file is committed)\n");
    return 2;
  }
  root = argv[1];
  if (argc == 3) {
    audio_seeds();
    return 0;
  }
  npy_seeds();
  csv_seeds();
  fma_seeds();
  checkpoint_seeds();
  classifier_seeds();
  feature_store_seeds();
  audio_seeds();
  return 0;
}
