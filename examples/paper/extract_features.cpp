// Extracts (or reuses) the cached log-mel feature store of a corpus and reports the speed.
//   build/examples/extract_features (--fma ROOT [--subset small] [--audio DIR] | --folders ROOT)
//       --cache DIR [--raw-sr HZ] [--max-seconds S] [--threads T] [--n-mels 128] [--hop 512] [--n-fft 2048]
// Ctrl-C stops after the current track is committed; running again resumes. Under `mpiexec -n N`
// (a build with cantus::mpi) the ranks extract blocks of tracks each and rank 0 joins them into the
// same store (cantus/data/sharded_store.hpp).
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>

#include "cantus/data.hpp"
#include "cantus/data/feature_store.hpp"
#include "cantus/data/sharded_store.hpp"
#if CANTUS_WITH_MPI
#include "cantus/distributed/mpi.hpp"
#endif
#include "corpus_flags.hpp"

namespace {
volatile std::sig_atomic_t interrupted = 0;
void on_signal(int) { interrupted = 1; }
}  // namespace

int main(int argc, char** argv) {
  using namespace cantus::data;
#if CANTUS_WITH_MPI
  cantus::distributed::mpi_environment env(&argc, &argv);
  cantus::distributed::process_group& world = env.world();
#else
  cantus::distributed::single_process world;
#endif
  cli::corpus_flags corpus_flags;
  std::string cache;
  feature_params p;
  store_options so;
  cli::app app{"Extracts (or reuses) the cached log-mel feature store of a corpus and reports the speed. Ctrl-C stops\n"
               "after the current track is committed; running again resumes.",
               "extract_features"};
  corpus_flags.add(app);
  app.add_option("--cache", cache, "the feature store's folder")->type_name("DIR")->required();
  constexpr double real_max = std::numeric_limits<double>::max();
  constexpr int int_max = std::numeric_limits<int>::max();
  cli::real(app, "--raw-sr", p.raw_sample_rate, 0, real_max, "also store the raw audio at this rate (0: no)", "a sample rate >= 0 (0: no raw audio)");
  cli::real(app, "--max-seconds", p.max_seconds, 0, real_max, "seconds of each track to keep (0: all)");
  cli::real(app, "--min-decoded-share", p.min_decoded_share, 0, 1,
            "a file decoding to less of its declared duration is broken (default 0.9)");
  cli::threads(app, so.threads, true);
  cli::integer(app, "--n-mels", p.mel.n_mels, 1, int_max, "mel bands");
  cli::integer(app, "--hop", p.mel.hop_length, 1, int_max, "samples between frames");
  cli::integer(app, "--n-fft", p.mel.n_fft, 1, int_max, "FFT length");
  cli::parse_or_exit(app, argc, argv, [&] {
    try {
      p.mel.validate();
    } catch (const cantus::value_error& e) {
      throw cli::usage_error(e.what());
    }
    cli::check_writable_folder("--cache", cache);  // before decoding anything
  });
  if (world.size() > 1) {  // every rank parsed the same flags; errors end the job from inside
    so.verbose = world.root();
    corpus c;
    try {
      c = corpus_flags.load();
    } catch (const std::exception& e) {
      world.abort(std::string("extract_features: error: ") + e.what());
    }
    const auto t0 = std::chrono::steady_clock::now();
    std::size_t mine = 0;
    const auto s = open_or_build_sharded(c, p, cache, world, so, 32, &mine);
    double all = static_cast<double>(mine);
    world.all_reduce_sum(&all, 1);
    if (world.root())
      std::printf("%s: %zu tracks usable, %zu failed; %.0f tracks extracted by %d ranks in %.1f s\n", cache.c_str(),
                  s.all().size() - s.failed(), s.failed(), all, world.size(),
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    return 0;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  so.keep_going = [] { return !interrupted; };
  try {
    const corpus c = corpus_flags.load();
    for (const auto& pr : c.problems) std::fprintf(stderr, "warning: track %lld %s: %s\n", static_cast<long long>(pr.track_id), pr.path.c_str(), pr.what.c_str());
    const auto r = feature_store::build(c, p, cache, so);
    if (r.interrupted) return 130;
    const auto s = feature_store::open(cache);
    std::printf("%s: %zu tracks usable (training %zu, validation %zu, test %zu), %zu failed; n_mels %d, %g Hz, hop %d%s\n",
                cache.c_str(), s.all().size() - s.failed(), s.tracks(split::training).size(), s.tracks(split::validation).size(),
                s.tracks(split::test).size(), s.failed(), s.n_mels(), s.sample_rate(), s.hop_length(),
                s.has_raw() ? ", raw audio stored" : "");
    if (!r.up_to_date)
      std::printf("extraction: %.1f s of audio in %.2f s = %.0fx realtime on %d threads\n", r.audio_seconds, r.wall_seconds, r.realtime(),
                  r.threads);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "extract_features: error: %s\n", e.what());
    return int(cli::failure);
  }
}
