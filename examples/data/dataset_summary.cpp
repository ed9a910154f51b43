// Checks a corpus before training on it: tracks per split and genre, then every problem found
// (missing, empty, unreadable, too short audio files, metadata rows without label or split), with
// track ids. Exit status 0 when the corpus is usable, 1 when not, 2 on bad arguments.
//   build/examples/dataset_summary --fma ROOT [--subset small] [--audio DIR] [--decode] [--threads T]
//   build/examples/dataset_summary --folders ROOT [--seed K] [--decode]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "cantus/data.hpp"
#include "corpus_flags.hpp"

namespace {
void usage(std::FILE* out) {
  std::fputs(
      "usage: dataset_summary (--fma ROOT | --folders ROOT) [--subset small|medium|large|full] [--audio DIR]\n"
      "                       [--seed K] [--decode] [--threads T]\n"
      "  --fma ROOT      ROOT holds fma_metadata/ and the audio (fma_<subset>/ or --audio DIR)\n"
      "  --folders ROOT  ROOT/<genre>/*.{wav,mp3,flac,ogg,au}, split 80/10/10 per genre by --seed\n"
      "  --decode        decode every file entirely (slow, exact) instead of reading headers\n",
      out);
}
}  // namespace

int main(int argc, char** argv) {
  using namespace cantus::data;
  cli::corpus_flags corpus_flags;
  bool decode = false;
  int threads = 0;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      auto value = [&] { return cli::next_value(argc, argv, i); };
      if (corpus_flags.take(argc, argv, i)) continue;
      if (a == "--threads") threads = cli::to_threads(a, value(), true);
      else if (a == "--decode") decode = true;
      else if (a == "--help" || a == "-h") {
        usage(stdout);
        return 0;
      } else {
        std::fprintf(stderr, "dataset_summary: unexpected argument '%s'\n", a.c_str());
        usage(stderr);
        return 2;
      }
    }
  } catch (const cantus::value_error& e) {
    std::fprintf(stderr, "dataset_summary: %s\n", e.what());
    return 2;
  }
  if (!corpus_flags.exactly_one()) {
    std::fprintf(stderr, "dataset_summary: give exactly one of --fma ROOT or --folders ROOT\n");
    usage(stderr);
    return 2;
  }
  try {
    const corpus c = corpus_flags.load();
    const auto broken = check_audio(c, decode, threads);
    std::printf("%s (%s): %zu tracks, %zu genres\n\n", c.name.c_str(), c.root.c_str(), c.tracks.size(), c.labels.size());
    print_table(c);
    const std::size_t n_problems = c.problems.size() + broken.size();
    std::printf("\n%zu problem(s)%s\n", n_problems, n_problems ? ":" : "");
    auto show = [](const problem& p) {
      if (p.track_id >= 0) std::printf("  track %06lld  %s: %s\n", static_cast<long long>(p.track_id), p.path.c_str(), p.what.c_str());
      else std::printf("  %s: %s\n", p.path.c_str(), p.what.c_str());
    };
    for (const auto& p : c.problems) show(p);
    for (const auto& p : broken) show(p);
    std::string why;
    if (!usable(c, broken, &why)) {
      std::printf("\nNOT USABLE: %s\n", why.c_str());
      return 1;
    }
    std::printf("\nusable: %zu tracks with readable audio%s\n", c.tracks.size() - broken.size(),
                broken.empty() ? "" : " (the broken ones are skipped at feature extraction)");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dataset_summary: %s\n", e.what());
    return 1;
  }
}
