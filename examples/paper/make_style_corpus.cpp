// Renders cantus' default corpus: genre-labelled clips from mma's style library through fluidsynth,
// in FMA's layout. Run: build/examples/make_style_corpus OUT [--genres N] [--clips-per-genre N]
//                          [--seconds S] [--seed K] [--threads T] [--soundfont FILE]... [--factors genre|independent] [--list]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "app/style_corpus.hpp"
#include "cli.hpp"

int main(int argc, char** argv) {
  using namespace paper;
  style::options opt;
  std::string out;
  bool list = false;
  cli::app app{"Renders cantus' default corpus: genre-labelled clips from mma's style library through fluidsynth, in\n"
               "FMA's layout: OUT/fma_metadata/{tracks,genres}.csv and OUT/fma_small/NNN/NNNNNN.flac. Needs the Debian\n"
               "packages mma, fluidsynth and fluid-soundfont-gm or timgm6mb-soundfont.",
               "make_style_corpus"};
  app.footer("--factors independent deals tempo band, key, loudness, lead instrument and soundfont to every genre in equal\n"
             "shares (the corpus for disentanglement, table3); genre (default): tempo by genre, -1 dBFS peaks, no lead voice.\n"
             "Every factor is recorded per clip in tracks.csv.");
  app.add_option("OUT", out, "the corpus folder")->type_name("DIR");
  cli::integer(app, "--genres", opt.genres, 2, static_cast<int>(style::genres().size()), "genres (default 8)");
  cli::integer(app, "--clips-per-genre", opt.clips_per_genre, 1, 9999, "clips per genre (default 40)");
  cli::real(app, "--seconds", opt.seconds, 1, 600, "seconds per clip (default 10)");
  cli::seed(app, opt.seed, "random seed (default 2019)");
  cli::threads(app, opt.threads, true, "threads (default 0: every core)");
  cli::value_option(app, "--soundfont", "a soundfont to render with (repeatable; default: the Debian GM soundfonts found)", "FILE",
                    [&opt](const std::string& f, const std::string& t) {
                      cli::check_exists(f, t, cli::must_be::file);
                      opt.soundfonts.emplace_back(t);
                    })
      ->multi_option_policy(cli::multi_option_policy::take_all);
  cli::choice(app, "--factors", opt.factors, {{"genre", style::factor_mode::genre}, {"independent", style::factor_mode::independent}},
              "genre or independent (default genre)");
  app.add_flag("--list", list, "print the genres and patterns");
  auto check = [&] {
    if (out.empty() && !list) throw cli::usage_error("missing OUT, the corpus folder (or --list)");
  };
  return cli::run(app, argc, argv, check, [&] {
    if (list) {
      for (const auto& g : style::genres()) {
        std::printf("%-10s %3d-%3d bpm, %zu progressions, patterns:", std::string(g.name).c_str(), g.tempo_min, g.tempo_max,
                    g.progressions.size());
        for (const auto& f : g.families) std::printf(" %s", std::string(f.use).c_str());
        std::printf("\n");
      }
      return 0;
    }
    cli::check_writable_folder("OUT", out);  // before any rendering
    const auto r = style::generate(out, opt);
    if (r.up_to_date)
      std::printf("%s: up to date (%zu clips, %.0f s of audio); delete it to regenerate\n", out.c_str(), r.clips, r.seconds_of_audio);
    else
      std::printf("%s: %zu clips (%zu rendered, %zu kept), %d genres, %.0f s of audio in %.1f s with %d threads\n", out.c_str(), r.clips,
                  r.rendered, r.reused, opt.genres, r.seconds_of_audio, r.wall_seconds, r.threads);
    return int(cli::success);
  });
}
