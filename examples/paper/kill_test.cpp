// Issue 22's kill test: feature extraction (extract_features) and training (table1) are killed with
// SIGKILL at random moments and started again each time until they finish; what they leave must then
// equal what an uninterrupted run leaves, byte for byte, with no temporary or half-written file.
//   kill_test --extract-features BIN --table1 BIN --work DIR [--kills N (10)] [--seed S] [--threads T (2)]
// N is the number of real kills per program (a kill only counts when the process was still running:
// its wait status must say SIGKILL). --kills and --seed also come from CANTUS_KILL_TEST_KILLS and
// CANTUS_KILL_TEST_SEED; every delay is drawn from the seed and printed, so a failure can be replayed
// (where in the program a delay lands still depends on the machine's speed).
//
// The corpus is synthesised here (folders layout, tones and noise per genre), so neither the network
// nor ../shared/data is needed. Both runs of a program use the same paths (the uninterrupted run's
// tree is moved aside before the killed one starts): the outputs name their corpus and cache, and
// must not differ by that.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numbers>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cantus/audio/save.hpp"
#include "cantus/core/random.hpp"
#include "cantus/data/feature_store.hpp"
#include "cantus/models/trainer.hpp"
#include "cli.hpp"

namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) { return std::chrono::duration<double>(clock_type::now() - t0).count(); }

struct test_failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Folder-per-genre corpus of `per_genre` clips per genre: each genre its own pitch, pulse rate,
// harmonics and noise, each clip a little detuned, so the models have something to learn and every
// file differs. 16-bit WAV at 22050 Hz, the rate the feature store decodes to (no resampling).
void write_corpus(const fs::path& root, int genres, int per_genre, double seconds) {
  constexpr int rate = 22050;
  const auto n = static_cast<std::size_t>(seconds * rate);
  std::vector<float> x(n);
  for (int g = 0; g < genres; ++g) {
    const fs::path dir = root / ("genre" + std::to_string(g));
    fs::create_directories(dir);
    for (int k = 0; k < per_genre; ++k) {
      cantus::random_engine noise(0x6b696c6cULL, static_cast<std::uint64_t>(g * 1000 + k));
      const double f0 = 110.0 * std::pow(2.0, (3.0 * g + 0.25 * k) / 12.0), pulse = 1.5 + 0.75 * g, noise_level = 0.02 * (g % 3);
      for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / rate;
        double v = 0;
        for (int h = 1; h <= 1 + g % 4; ++h) v += std::sin(2 * std::numbers::pi * f0 * h * t) / h;
        const double envelope = 0.5 + 0.5 * std::cos(2 * std::numbers::pi * pulse * t);
        x[i] = static_cast<float>(0.3 * envelope * v + noise_level * noise.normal());
      }
      char name[32];
      std::snprintf(name, sizeof name, "clip%03d.wav", k);
      cantus::audio::write_wav(dir / name, x, rate);
    }
  }
}

// A program started in its own process group (so a kill reaches anything it started), its output
// appended to `log`.
pid_t start(const std::vector<std::string>& argv, const fs::path& log) {
  const pid_t pid = ::fork();
  if (pid < 0) throw test_failure(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, 0);
    const int fd = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    std::fprintf(stderr, "kill_test: cannot run %s: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here: the kill may come before the child has run at all
  return pid;
}

std::string last_lines(const fs::path& file, std::size_t count) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::string r;
  for (std::size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) r += "    | " + lines[i] + "\n";
  return r;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("signal ") + ::strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

// What happened to one start of the program.
struct outcome {
  bool killed = false;  // the SIGKILL reached a running process
  int status = 0;       // wait status
  double seconds = 0;
};

// Runs argv; after `kill_after` seconds (none: never) kills its process group. Waits at most `limit`
// seconds in all: a program that hangs (a lock never released, say) fails the test instead of CTest's
// timeout.
outcome run(const std::vector<std::string>& argv, const fs::path& log, std::optional<double> kill_after, double limit) {
  const auto t0 = clock_type::now();
  const pid_t pid = start(argv, log);
  outcome o;
  for (;;) {
    const pid_t r = ::waitpid(pid, &o.status, WNOHANG);
    if (r == pid) break;
    if (r < 0) throw test_failure(std::string("waitpid failed: ") + std::strerror(errno));
    const double t = seconds_since(t0);
    if ((kill_after && t >= *kill_after) || t >= limit) {
      ::kill(-pid, SIGKILL);
      if (::waitpid(pid, &o.status, 0) != pid) throw test_failure(std::string("waitpid failed: ") + std::strerror(errno));
      // A process that had exited before the signal came shows its exit status, not SIGKILL: only a
      // kill of a running process counts.
      o.killed = WIFSIGNALED(o.status) && WTERMSIG(o.status) == SIGKILL;
      if (!kill_after || t < *kill_after)
        throw test_failure(argv[0] + " ran for more than " + std::to_string(limit) + " s (hung?); its log " + log.string() +
                           ":\n" + last_lines(log, 20));
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  o.seconds = seconds_since(t0);
  return o;
}

// Every regular file under root, as paths relative to it; anything else but directories is an error.
std::set<fs::path> files_under(const fs::path& root) {
  std::set<fs::path> r;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_directory()) continue;
    if (!e.is_regular_file() || e.is_symlink())
      throw test_failure(e.path().string() + ": neither a regular file nor a directory");
    r.insert(e.path().lexically_relative(root));
  }
  return r;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw test_failure(p.string() + ": cannot read");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string first_difference(const std::string& a, const std::string& b) {
  const auto m = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  return "sizes " + std::to_string(a.size()) + " and " + std::to_string(b.size()) + ", first difference at byte " +
         std::to_string(m.first - a.begin());
}

template <class T>
bool same_bits(const T& a, const T& b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

// A training checkpoint records each epoch's wall time and throughput, which no two runs share;
// everything else in it (weights, optimizer state, best weights, counters, losses) must be equal
// bit for bit. Returns what differs, empty when nothing.
std::string checkpoint_difference(const fs::path& a_path, const fs::path& b_path) {
  namespace m = cantus::models;
  const auto a = m::training_checkpoint::load(a_path), b = m::training_checkpoint::load(b_path);
  std::string d;
  auto check = [&](bool same, const char* what) {
    if (!same) d += std::string(d.empty() ? "" : ", ") + what;
  };
  check(a.seed == b.seed, "seed");
  check(a.epochs_done == b.epochs_done, "epochs done");
  check(a.steps == b.steps, "steps");
  check(a.best_epoch == b.best_epoch, "best epoch");
  check(a.bad_epochs == b.bad_epochs, "epochs without improvement");
  check(same_bits(a.best_validation_loss, b.best_validation_loss), "best validation loss");
  bool history = a.history.size() == b.history.size();
  for (std::size_t i = 0; history && i < a.history.size(); ++i)
    history = a.history[i].epoch == b.history[i].epoch && same_bits(a.history[i].train_loss, b.history[i].train_loss) &&
              same_bits(a.history[i].validation_loss, b.history[i].validation_loss);
  check(history, "loss history");
  check(a.model == b.model, "model weights");
  check(a.optimizer == b.optimizer, "optimizer state");
  check(a.best_model == b.best_model, "best weights");
  return d;
}

// results.json without its "seconds" line (the run's wall time).
std::string without_wall_time(const std::string& json) {
  std::string r;
  std::size_t b = 0;
  while (b < json.size()) {
    auto e = json.find('\n', b);
    e = e == std::string::npos ? json.size() : e + 1;
    const std::string_view line(json.data() + b, e - b);
    if (line.find("\"seconds\":") == std::string_view::npos) r += line;
    b = e;
  }
  return r;
}

// The killed run's tree against the uninterrupted one's: the same files, the same bytes (checkpoints
// and results.json less their wall times), and nothing left over from a write that was cut short.
// Returns how many files were compared.
// A feature store index with the audio files' stat identities left out: whether one is recorded
// depends on when the file was looked at (data/file_identity.hpp: not within 2 s of its last change),
// not on what the store holds. Anything that does not parse is compared as it is.
std::string index_without_identities(const fs::path& index) {
  try {
    auto x = cantus::data::internal::parse_index(index);
    for (auto& t : x.tracks) t.identity = {};
    return cantus::data::internal::format_index(x);
  } catch (const std::exception&) {
    return read_all(index);
  }
}

std::size_t compare_trees(const fs::path& reference, const fs::path& killed) {
  const auto ref = files_under(reference), got = files_under(killed);
  std::string problems;
  for (const auto& f : got) {
    const std::string name = f.filename().string();
    if (name.find(".tmp.") != std::string::npos || name.ends_with(".partial") || name == "journal.tsv")
      problems += "  left over from an interrupted write: " + (killed / f).string() + "\n";
    else if (!ref.contains(f))
      problems += "  only in the killed run: " + (killed / f).string() + "\n";
  }
  for (const auto& f : ref) {
    if (!got.contains(f)) {
      problems += "  missing in the killed run: " + (killed / f).string() + "\n";
      continue;
    }
    const fs::path a = reference / f, b = killed / f;
    if (f.extension() == ".ckpt") {
      if (const auto d = checkpoint_difference(a, b); !d.empty()) problems += "  " + b.string() + ": differs in " + d + "\n";
      continue;
    }
    std::string x = read_all(a), y = read_all(b);
    if (f.filename() == "results.json") x = without_wall_time(x), y = without_wall_time(y);
    if (f.filename() == "index.tsv") x = index_without_identities(a), y = index_without_identities(b);
    if (x != y) problems += "  " + b.string() + " differs from " + a.string() + ": " + first_difference(x, y) + "\n";
  }
  if (!problems.empty()) throw test_failure("the killed run's files are not the uninterrupted run's:\n" + problems);
  return ref.size();
}

// Where a killed run had got to, from the files it left (printed with each kill, to show that the
// kills spread over the whole run).
std::string store_progress(const fs::path& store) {
  if (fs::exists(store / "index.tsv")) return "store complete";
  std::ifstream journal(store / "journal.tsv");
  for (std::string l; std::getline(journal, l);)
    if (l.starts_with("tracks\t")) return l.substr(7) + " tracks committed";
  return "no track committed";
}
std::string training_progress(const fs::path& out) {
  if (fs::exists(out / "results.json")) return "results written";
  if (fs::exists(out / "embeddings" / "step_vae_embeddings.stamp")) return "trained and embedded";
  std::error_code ec;
  for (const auto& run : fs::directory_iterator(out / "runs", ec))
    for (const char* name : {"last.ckpt", "previous.ckpt"}) {
      try {
        return std::to_string(cantus::models::training_checkpoint::load(run.path() / name).epochs_done) + " epochs checkpointed";
      } catch (const std::exception&) {  // absent (the kill came between two renames): the other one
      }
    }
  return "no epoch checkpointed";
}

struct phase_report {
  int kills = 0, misses = 0, starts = 0;
  int cycles = 0;  // runs from an empty directory to the end, each compared with the reference
  double seconds = 0;
};

// One program: an uninterrupted run into `run_dir`, moved to `reference`; then runs into `run_dir`
// each killed after a random delay until `kills` kills have landed, and a last run to the end.
phase_report kill_phase(const std::string& name, const std::vector<std::string>& argv, const fs::path& run_dir,
                        const fs::path& reference, const fs::path& log, int kills, cantus::random_engine& rng,
                        const std::function<std::string()>& progress) {
  phase_report rep;
  const auto t0 = clock_type::now();
  fs::remove_all(run_dir);
  fs::remove_all(reference);
  const auto ref = run(argv, log, std::nullopt, 600);
  if (!WIFEXITED(ref.status) || WEXITSTATUS(ref.status) != 0)
    throw test_failure(name + " (uninterrupted) ended with " + describe_status(ref.status) + "; its log " + log.string() + ":\n" +
                       last_lines(log, 20));
  fs::rename(run_dir, reference);
  std::printf("%s: uninterrupted run %.1f s\n", name.c_str(), ref.seconds);
  // Delays up to 30 % of the uninterrupted run: a resumed run usually gets somewhere before its kill,
  // so about ten kills take a run from nothing to its end and spread over all of it. More kills than
  // that make more such cycles, each compared at its end, rather than shorter delays that would
  // never let a run get past its start.
  const double longest = std::max(0.1, 0.3 * ref.seconds);
  const double limit = 10 * ref.seconds + 120;
  for (;;) {
    std::optional<double> delay;  // none: the last start, run to its end
    if (rep.kills < kills) delay = 0.05 + rng.uniform_double() * (longest - 0.05);
    {
      std::ofstream(log, std::ios::app) << "=== kill_test: start " << rep.starts + 1
                                        << (delay ? ", kill after " + std::to_string(*delay) + " s" : std::string(", to the end"))
                                        << "\n";
    }
    const auto o = run(argv, log, delay, limit);
    ++rep.starts;
    if (o.killed) {
      ++rep.kills;
      std::printf("%s: kill %d after %.3f s (drawn %.3f s); so far: %s\n", name.c_str(), rep.kills, o.seconds, *delay,
                  progress().c_str());
      std::fflush(stdout);
      continue;
    }
    if (!WIFEXITED(o.status) || WEXITSTATUS(o.status) != 0)
      throw test_failure(name + ", start " + std::to_string(rep.starts) + " (after " + std::to_string(rep.kills) + " kills) ended with " +
                         describe_status(o.status) + "; its log " + log.string() + ":\n" + last_lines(log, 20));
    if (delay) {
      ++rep.misses;
      std::printf("%s: finished after %.3f s, before the kill drawn at %.3f s (not counted)\n", name.c_str(), o.seconds, *delay);
    }
    const auto n = compare_trees(reference, run_dir);
    ++rep.cycles;
    std::printf("%s: after %d kills, %zu files equal the uninterrupted run's\n", name.c_str(), rep.kills, n);
    if (rep.kills >= kills) break;
    // Finished before enough kills had landed: start again from nothing, the kills so far count.
    std::printf("%s: finished before %d kills; starting again from an empty directory (cycle %d)\n", name.c_str(), kills,
                rep.cycles + 1);
    fs::remove_all(run_dir);
  }
  rep.seconds = seconds_since(t0);
  return rep;
}

}  // namespace

int main(int argc, char** argv) {
  cli::app app{"SIGKILL extract_features and table1 at random moments; each resumed run must end as an uninterrupted one"};
  std::string extract_features, table1;
  fs::path work;
  int kills = 10, threads = 2;
  std::uint64_t seed = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) % 1000000;
  app.add_option("--extract-features", extract_features, "the extract_features program")->required()->check_existing_file();
  app.add_option("--table1", table1, "the table1 program")->required()->check_existing_file();
  app.add_option("--work", work, "scratch directory (emptied first, removed after a pass)")->required();
  app.add_option("--kills", kills, "real kills per program")->envname("CANTUS_KILL_TEST_KILLS")->check_range(1, 100000);
  app.add_option("--seed", seed, "seed of the kill delays (default: from the clock)")->envname("CANTUS_KILL_TEST_SEED");
  app.add_option("--threads", threads, "threads of both programs")->check_range(1, 1024);
  if (const auto status = app.parse_or_report(argc, argv)) return *status == 0 ? 0 : 2;
  try {
    const auto t0 = clock_type::now();
    std::printf("kill test: seed %llu (replay: CANTUS_KILL_TEST_SEED=%llu), %d kills per program\n",
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed), kills);
    fs::remove_all(work);
    // Extraction commits every 32 tracks: many short clips give it many commits to be killed
    // around. Training needs fewer, longer clips (its time goes into epochs, embedding, classifiers).
    const fs::path many_clips = work / "corpus-extraction", corpus = work / "corpus-training", run_dir = work / "run";
    write_corpus(many_clips, 8, 60, 1.5);
    write_corpus(corpus, 4, 24, 3.0);
    const std::string t = std::to_string(threads);
    cantus::random_engine rng(seed, 0x6b696c6cULL);

    const auto extraction = kill_phase(
        "extract_features", {extract_features, "--folders", many_clips.string(), "--cache", (run_dir / "store").string(), "--threads", t},
        run_dir, work / "reference-extraction", work / "extract_features.log", kills, rng, [&] { return store_progress(run_dir / "store"); });
    // 24 short epochs (patience 0: all of them run) write 24 checkpoints; then embedding, classifiers
    // and results, which the later kills reach.
    const auto training = kill_phase("table1",
                                     {table1, "--folders", corpus.string(), "--quick", "--models", "step_vae", "--epochs", "24",
                                      "--steps-per-epoch", "6", "--patience", "0", "--threads", t, "--seed", "7", "--out",
                                      (run_dir / "out").string(), "--cache", (run_dir / "cache").string()},
                                     run_dir, work / "reference-training", work / "table1.log", kills, rng,
                                     [&] { return training_progress(run_dir / "out"); });
    std::printf("kill test: %d kills survived (extract_features %d in %d cycles, %.0f s; table1 %d in %d cycles, %.0f s; %d more kills "
                "drawn after the program had finished, not counted), %.0f s in all\n",
                extraction.kills + training.kills, extraction.kills, extraction.cycles, extraction.seconds, training.kills,
                training.cycles, training.seconds, extraction.misses + training.misses, seconds_since(t0));
    fs::remove_all(work);  // about 125 MB; a failure keeps it, with the programs' logs, for a look
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kill test FAILED: %s\n", e.what());
    return 1;
  }
}
