// Checks a corpus before training on it: tracks per split and genre, then every problem found
// (missing, empty, unreadable, too short audio files, metadata rows without label or split), with
// track ids. Exit status 0 when the corpus is usable (training tracks of every genre, test tracks),
// 1 when not, 2 on bad arguments.
//   build/examples/dataset_summary --fma ROOT [--subset small] [--audio DIR] [--decode] [--threads T]
//   build/examples/dataset_summary --folders ROOT [--seed K] [--decode]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cantus/data.hpp"
#include "corpus_flags.hpp"

int main(int argc, char** argv) {
  using namespace cantus::data;
  cli::app app{"Checks a corpus before training on it: tracks per split and genre, then every problem found.\n"
               "Exit status 0 when the corpus is usable, 1 when not (or on a data error), 2 on bad arguments.",
               "dataset_summary"};
  cli::corpus_flags corpus_flags;
  bool decode = false;
  int threads = 0;
  corpus_flags.add(app);
  app.add_flag("--decode", decode, "decode every file entirely (slow, exact) instead of reading headers");
  cli::threads(app, threads, true);
  return cli::run(app, argc, argv, [&] {
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
    if (!usable(c, broken, &why)) why.insert(0, ": ");
    if (!why.empty()) {
      std::printf("\nNOT USABLE%s\n", why.c_str());
      std::fprintf(stderr, "dataset_summary: error: corpus %s (%s) is not usable%s\n", c.name.c_str(), c.root.c_str(), why.c_str());
      return int(cli::failure);
    }
    std::printf("\nusable: %zu tracks with readable audio%s\n", c.tracks.size() - broken.size(),
                broken.empty() ? "" : " (the broken ones are skipped at feature extraction)");
    return int(cli::success);
  });
}
