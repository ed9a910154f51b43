// embed: a trained model's embedding of anyone's music. Takes a run directory (OUT/runs/<model>-...:
// model.json and last.ckpt, written by table1 and the other paper programs) and audio files or
// folders (WAV, FLAC, OGG, Opus, MP3; any length, decoded in bounded memory), and writes one pooled
// latent per file (apply_model.hpp says how files longer than a training track are cut).
//   embed --run DIR [--out PREFIX (PREFIX.npy + PREFIX.txt)] [--csv FILE] [--pooling mean|mean+std]
//         [--threads N (1)] FILE_OR_FOLDER...
#include <omp.h>

#include <fstream>

#include "apply_cli.hpp"
#include "apply_model.hpp"
#include "cantus/core/npy.hpp"

namespace {
// One line of PREFIX.txt: the name with backslash, line feed and carriage return escaped (\\, \n, \r),
// so that line i names row i whatever the file names hold (a name with a line break shifted every
// later name against its row).
std::string list_line(const std::string& name) {
  std::string r;
  for (char ch : name) {
    if (ch == '\\') r += "\\\\";
    else if (ch == '\n') r += "\\n";
    else if (ch == '\r') r += "\\r";
    else r += ch;
  }
  return r;
}
}  // namespace

int main(int argc, char** argv) {
  std::string out, csv;
  paper::apply::flags c;
  cli::app app{"A trained model's embedding of anyone's music: one pooled latent per audio file. Files longer than the\n"
               "model's training tracks (30 s) are cut into 30 s segments whose windows are pooled together.",
               "embed"};
  paper::apply::add_flags(app, c);
  app.add_option("--out", out,
                 "PREFIX.npy (float32 [files, dim]) and PREFIX.txt (the files, one per line, in the rows' order; \\, line feed and\n"
                 "carriage return in a name written as \\\\, \\n, \\r)")
      ->type_name("PREFIX");
  app.add_option("--csv", csv, "one line per file: path, then the latent's values")->type_name("FILE");
  auto check = [&] {
    if (out.empty() && csv.empty()) throw cli::usage_error("give --out PREFIX and/or --csv FILE");
    if (!out.empty()) cli::check_writable_file("--out", out + ".npy");  // before the work, not after it
    if (!csv.empty()) cli::check_writable_file("--csv", csv);
  };
  return cli::run(app, argc, argv, check, [&] {
    omp_set_num_threads(c.threads);
    paper::read_model_card(std::filesystem::path(c.run) / "model.json");  // a wrong --run fails before any work
    const auto files = paper::apply::audio_files(c.inputs);
    if (files.empty()) throw cantus::io_error("no audio files (.wav .flac .mp3 .ogg .opus) in the inputs");
    const auto r = paper::apply::embed_files(c.run, files, c.pooling, true);
    std::vector<const paper::apply::file_embedding*> ok;
    int failed = 0;
    for (const auto& f : r.files) {
      if (f.error.empty()) ok.push_back(&f);
      else std::fprintf(stderr, "embed: %s: %s\n", f.path.c_str(), f.error.c_str()), ++failed;
    }
    const cantus::index_t dim = ok.empty() ? 0 : static_cast<cantus::index_t>(ok[0]->latent.size());
    if (!out.empty()) {
      cantus::tensor<float, 2> z({static_cast<cantus::index_t>(ok.size()), dim});
      std::string names;
      for (std::size_t i = 0; i < ok.size(); ++i) {
        std::copy(ok[i]->latent.begin(), ok[i]->latent.end(), &z(static_cast<cantus::index_t>(i), 0));
        names += list_line(ok[i]->path.string()) + "\n";
      }
      cantus::npy::write(out + ".npy", z);
      paper::write_text(out + ".txt", names);
    }
    if (!csv.empty()) {
      std::string text;
      for (const auto* f : ok) {
        text += paper::json_string(f->path.string());
        for (float v : f->latent) text.append(",").append(paper::json_number(v));
        text += "\n";
      }
      paper::write_text(csv, text);
    }
    std::printf("embed: %zu files (%d failed), %s with %s pooling, %.0f s of audio in %.2f s on %d thread%s: %.0fx realtime per thread\n",
                r.files.size(), failed, r.card.model.c_str(), r.card.pooling.c_str(), r.audio_seconds, r.wall_seconds, c.threads,
                c.threads == 1 ? "" : "s", r.audio_seconds / std::max(1e-9, r.wall_seconds) / c.threads);
    return failed ? int(cli::failure) : int(cli::success);
  });
}
