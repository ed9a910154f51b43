// Renders cantus' default corpus: genre-labelled clips from mma's style library through fluidsynth,
// in FMA's layout. Run: build/examples/make_style_corpus OUT [--genres N] [--clips-per-genre N]
//                          [--seconds S] [--seed K] [--threads T] [--soundfont FILE]... [--factors genre|independent] [--list]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "cantus/paper/style_corpus.hpp"

namespace {
void usage(std::FILE* out) {
  std::fputs(
      "usage: make_style_corpus OUT [--genres N (8)] [--clips-per-genre N (40)] [--seconds S (10)] [--seed K (2019)]\n"
      "                             [--threads T (all cores)] [--soundfont FILE]... [--factors genre|independent] [--list]\n"
      "Writes OUT/fma_metadata/{tracks,genres}.csv and OUT/fma_small/NNN/NNNNNN.flac (FMA's layout); needs the Debian\n"
      "packages mma, fluidsynth and fluid-soundfont-gm or timgm6mb-soundfont. --list prints the genres and patterns.\n"
      "--factors independent deals tempo band, key, loudness, lead instrument and soundfont to every genre in equal\n"
      "shares (the corpus for disentanglement, table3); genre (default): tempo by genre, -1 dBFS peaks, no lead voice.\n"
      "Every factor is recorded per clip in tracks.csv.\n",
      out);
}
double number(const char* flag, const char* text) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (!end || *end || end == text) {
    std::fprintf(stderr, "make_style_corpus: %s expects a number, got '%s'\n", flag, text);
    std::exit(2);
  }
  return v;
}
}  // namespace

int main(int argc, char** argv) {
  using namespace cantus::paper;
  style::options opt;
  std::string out;
  bool list = false;
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "make_style_corpus: %s needs a value\n", a);
        std::exit(2);
      }
      return argv[++i];
    };
    if (!std::strcmp(a, "--genres")) opt.genres = static_cast<int>(number(a, value()));
    else if (!std::strcmp(a, "--clips-per-genre")) opt.clips_per_genre = static_cast<int>(number(a, value()));
    else if (!std::strcmp(a, "--seconds")) opt.seconds = number(a, value());
    else if (!std::strcmp(a, "--seed")) opt.seed = static_cast<std::uint64_t>(number(a, value()));
    else if (!std::strcmp(a, "--threads")) {
      const double n = number(a, value());
      if (!(n >= 0 && n <= 1024) || n != static_cast<int>(n)) {
        std::fprintf(stderr, "make_style_corpus: --threads must be 0 (every core) to 1024, got %g\n", n);
        return 2;
      }
      opt.threads = static_cast<int>(n);
    }
    else if (!std::strcmp(a, "--soundfont")) opt.soundfonts.emplace_back(value());
    else if (!std::strcmp(a, "--factors")) {
      const std::string v = value();
      if (v == "genre") opt.factors = style::factor_mode::genre;
      else if (v == "independent") opt.factors = style::factor_mode::independent;
      else {
        std::fprintf(stderr, "make_style_corpus: --factors expects genre or independent, got '%s'\n", v.c_str());
        return 2;
      }
    } else if (!std::strcmp(a, "--list")) list = true;
    else if (!std::strcmp(a, "--help") || !std::strcmp(a, "-h")) {
      usage(stdout);
      return 0;
    } else if (a[0] == '-' || !out.empty()) {
      std::fprintf(stderr, "make_style_corpus: unexpected argument '%s'\n", a);
      usage(stderr);
      return 2;
    } else {
      out = a;
    }
  }
  try {
    if (list) {
      for (const auto& g : style::genres()) {
        std::printf("%-10s %3d-%3d bpm, %zu progressions, patterns:", std::string(g.name).c_str(), g.tempo_min, g.tempo_max,
                    g.progressions.size());
        for (const auto& f : g.families) std::printf(" %s", std::string(f.use).c_str());
        std::printf("\n");
      }
      return 0;
    }
    if (out.empty()) {
      usage(stderr);
      return 2;
    }
    const auto r = style::generate(out, opt);
    if (r.up_to_date)
      std::printf("%s: up to date (%zu clips, %.0f s of audio); delete it to regenerate\n", out.c_str(), r.clips, r.seconds_of_audio);
    else
      std::printf("%s: %zu clips (%zu rendered, %zu kept), %d genres, %.0f s of audio in %.1f s with %d threads\n", out.c_str(), r.clips,
                  r.rendered, r.reused, opt.genres, r.seconds_of_audio, r.wall_seconds, r.threads);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_style_corpus: %s\n", e.what());
    return 1;
  }
}
