// Extracts (or reuses) the cached log-mel feature store of a corpus and reports the speed.
//   build/examples/extract_features (--fma ROOT [--subset small] [--audio DIR] | --folders ROOT)
//       --cache DIR [--raw-sr HZ] [--max-seconds S] [--threads T] [--n-mels 128] [--hop 512] [--n-fft 2048]
// Ctrl-C stops after the current track is committed; running again resumes. Under `mpiexec -n N`
// (a build with cantus::mpi) the ranks extract blocks of tracks each and rank 0 joins them into the
// same store (cantus/paper/sharded_store.hpp).
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cantus/data.hpp"
#include "cantus/paper/feature_store.hpp"
#include "cantus/paper/sharded_store.hpp"
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
  using namespace cantus::paper;
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
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      auto value = [&] { return cli::next_value(argc, argv, i); };
      if (corpus_flags.take(argc, argv, i)) continue;
      if (a == "--cache") cache = value();
      else if (a == "--raw-sr") p.raw_sample_rate = cli::to_double(a, value());
      else if (a == "--max-seconds") p.max_seconds = cli::to_double(a, value());
      else if (a == "--threads") so.threads = cli::to_threads(a, value(), true);
      else if (a == "--n-mels") p.mel.n_mels = static_cast<int>(cli::to_int(a, value()));
      else if (a == "--hop") p.mel.hop_length = static_cast<int>(cli::to_int(a, value()));
      else if (a == "--n-fft") p.mel.n_fft = static_cast<int>(cli::to_int(a, value()));
      else {
        std::fprintf(stderr,
                     "usage: extract_features (--fma ROOT [--subset small] [--audio DIR] | --folders ROOT [--seed K]) --cache DIR\n"
                     "                        [--raw-sr HZ] [--max-seconds S] [--threads T] [--n-mels N] [--hop N] [--n-fft N]\n");
        return a == "--help" ? 0 : 2;
      }
    }
  } catch (const cantus::value_error& e) {
    std::fprintf(stderr, "extract_features: %s\n", e.what());
    return 2;
  }
  if (!corpus_flags.exactly_one() || cache.empty()) {
    std::fprintf(stderr, "extract_features: give one of --fma ROOT or --folders ROOT, and --cache DIR\n");
    return 2;
  }
  if (world.size() > 1) {  // every rank parsed the same flags; errors end the job from inside
    so.verbose = world.root();
    corpus c;
    try {
      c = corpus_flags.load();
    } catch (const std::exception& e) {
      world.abort(std::string("extract_features: ") + e.what());
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
    std::fprintf(stderr, "extract_features: %s\n", e.what());
    return 1;
  }
}
