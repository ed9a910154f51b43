// The paper programs' command line (paper_cli.hpp), compiled once for all of them.
#include "paper_cli.hpp"

#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <limits>

#include "cli.hpp"
#include "settings.hpp"

namespace paper {

options parse(int argc, char** argv, const std::string& description, extra_flags extra,
              const std::function<void(const options&)>& check) {
  options o;
  o.program = fs::path(argv[0]).filename().string();
  std::string model_names;
  for (const auto& n : all_models()) model_names.append(model_names.empty() ? "" : ", ").append(n);
  cli::app app{description, o.program};
  app.footer(
      "Without --fma/--folders the embedded corpus (mma + fluidsynth clips, 8 genres) is generated into the cache on\n"
      "first use. --quick (= --preset quick): small models and short plans (a few minutes on 2 cores); the full preset:\n"
      "the anchor sizes, whole epochs with early stopping on the validation split. A run writes its settings to\n"
      "--out/config.json; --config FILE repeats them (flags given with it still apply). Training flags apply to every\n"
      "model; their defaults are the preset's, per model.\nmodels: " +
      model_names + "; naive_seq2seq_z8 (_z16, _z32, ...) is the naive GRU with that latent size");
  // CLI11 runs the options' callbacks in the order they are declared, whatever their order on the
  // command line: --config comes first so that every flag given with it changes what it recorded.
  cli::value_option(app, "--config", "a run's config.json: repeat its settings", "FILE", [&o](const std::string& f, const std::string& t) {
    o.config = t;
    try {
      read_run_config(o.config, o);
    } catch (const std::exception& e) {
      throw cli::validation_error(f, e.what());
    }
  });
  auto* corpus = app.add_option_group("corpus", "at most one; neither: the embedded corpus");
  auto* fma = cli::existing(*corpus, "--fma", o.fma, cli::must_be::folder, "an FMA-layout corpus: ROOT/fma_metadata/tracks.csv + fma_small/");
  auto* folders = cli::existing(*corpus, "--folders", o.folders, cli::must_be::folder, "one folder per genre");
  fma->excludes(folders);
  auto* quick = app.add_flag("--quick", o.quick, "the quick preset: small models, short plans");
  std::string preset_name;
  auto* preset = cli::value_option(app, "--preset", "quick or full (anchor sizes, whole epochs)", "quick|full",
                                  [&preset_name](const std::string& f, const std::string& t) {
                                    setting::quick_preset(f, t);
                                    preset_name = t;
                                  });
  quick->excludes(preset);
  // Every value below is checked by paper::setting (settings.hpp), the same functions --config's values go through.
  auto set = [&app](const std::string& flag, const std::string& type, const std::string& help, auto store) {
    cli::value_option(app, flag, help, type, store);
  };
  set("--threads", "INT", "threads (default 2)", [&o](const std::string& f, const std::string& t) { o.threads = setting::threads(f, t); });
  set("--seed", "INT", "random seed (default 2019)", [&o](const std::string& f, const std::string& t) { o.seed = setting::seed(f, t); });
  set("--min-decoded-share", "X", "a file decoding to less of its declared duration is broken (default 0.9)",
      [&o](const std::string& f, const std::string& t) { o.min_decoded_share = setting::share(f, t); });
  cli::value_option(app, "--out", "output folder (default out/paper)", "DIR", [&o](const std::string&, const std::string& t) { o.out = t; });
  cli::value_option(app, "--cache", "feature cache (default $XDG_CACHE_HOME/cantus or ~/.cache/cantus)", "DIR",
                    [&o](const std::string&, const std::string& t) { o.cache = t; });
  set("--models", "A,B,...", "the models to run (default: all)", [&o](const std::string& f, const std::string& t) { o.models = setting::models(f, t); });
  set("--backend", "cpu|cuda", "where the models train and embed (default cpu)",
      [&o](const std::string& f, const std::string& t) { o.backend = setting::backend(f, t); });
  // Training: each flag applies to every model's plan.
  plan_overrides ov;
  set("--epochs", "INT", "epochs", [&ov](const std::string& f, const std::string& t) { ov.epochs = setting::count(f, t); });
  set("--steps-per-epoch", "N|all", "steps per epoch, or all (whole epochs)",
      [&ov](const std::string& f, const std::string& t) { ov.steps_per_epoch = setting::count_or_all(f, t); });
  set("--batch-size", "INT", "batch size", [&ov](const std::string& f, const std::string& t) { ov.batch_size = static_cast<index_t>(setting::batch_size(f, t)); });
  // 0 would read as "the preset's rate" further down (a plan's unset value): refused, not replaced.
  set("--lr", "RATE", "learning rate (> 0; default: the preset's, per model)",
      [&ov](const std::string& f, const std::string& t) { ov.learning_rate = setting::learning_rate(f, t); });
  set("--lr-schedule", "SCHEDULE", "constant, cosine or step:EPOCHS:GAMMA",
      [&ov](const std::string& f, const std::string& t) { ov.schedule = setting::schedule(f, t); });
  set("--patience", "INT", "epochs without improvement before stopping (0: never stop early)",
      [&ov](const std::string& f, const std::string& t) { ov.patience = setting::count(f, t); });
  set("--clip-norm", "X", "gradient norm clip (0: off)", [&ov](const std::string& f, const std::string& t) { ov.clip_norm = setting::non_negative(f, t); });
  set("--train-windows", "N|all", "windows per training track, or all",
      [&ov](const std::string& f, const std::string& t) { ov.train_windows = static_cast<index_t>(setting::count_or_all(f, t)); });
  set("--embed-windows", "N|all", "windows per embedded track, or all",
      [&ov](const std::string& f, const std::string& t) { ov.embed_windows = static_cast<index_t>(setting::count_or_all(f, t)); });
  set("--validation-batches", "N|all", "validation batches, or all",
      [&ov](const std::string& f, const std::string& t) { ov.validation_batches = setting::count_or_all(f, t); });
  set("--pooling", "mean|mean+std", "how a track's window latents become its embedding (default mean)",
      [&o](const std::string& f, const std::string& t) { o.pooling = setting::pooling(f, t); });
  set("--vae-capacity", "X", "step_vae: the capacity C in nats", [&o](const std::string& f, const std::string& t) { o.vae_capacity = setting::non_negative(f, t); });
  set("--vae-gamma", "X", "step_vae: gamma", [&o](const std::string& f, const std::string& t) { o.vae_gamma = setting::non_negative(f, t); });
  set("--vae-anneal-steps", "INT", "step_vae: steps over which C rises (0: no anneal)",
      [&o](const std::string& f, const std::string& t) { o.vae_anneal_steps = setting::count(f, t); });
  if (extra.paper) cli::existing(app, "--paper", o.paper, cli::must_be::file, "the paper's figures (default examples/paper/paper_table1.csv)");
  if (extra.cv)
    cli::value_option(app, "--cv", "also K-fold cross-validation: 2..100 folds (0: none)", "K", [&o](const std::string& f, const std::string& t) {
      o.cv = cli::parse_integer(f, t, 0, 100, "0 (none) or 2 to 100 folds");
      if (o.cv == 1) throw cli::bad_value(f, "0 (none) or 2 to 100 folds", t);
    });
  if (extra.sweep)
    cli::value_option(app, "--sweep", "the step-VAE's capacity grid C1,C2,..:G1,G2,..", "CAPACITIES:GAMMAS",
                      [&o](const std::string& f, const std::string& t) {
                        const auto colon = t.find(':');
                        auto numbers = [&](const std::string& part) {
                          std::vector<double> r;
                          for (const auto& x : cli::split_list(part)) r.push_back(cli::parse_real(f, x, 0, std::numeric_limits<double>::max()));
                          return r;
                        };
                        if (colon != std::string::npos) o.sweep_capacity = numbers(t.substr(0, colon)), o.sweep_gamma = numbers(t.substr(colon + 1));
                        if (colon == std::string::npos || o.sweep_capacity.empty() || o.sweep_gamma.empty())
                          throw cli::bad_value(f, "CAPACITIES:GAMMAS (e.g. 0,5,25:1,100,1000)", t);
                      });
  if (extra.genres) cli::list(app, "--genres", o.genres, "the two genres to plot, e.g. Hip-Hop,Instrumental");
  if (extra.split) cli::choice(app, "--split", o.split, {"test", "all"}, "which tracks to plot (default test)");

  cli::parse_or_exit(app, argc, argv, [&] {
    if (*quick || *preset) o.quick = *quick || preset_name == "quick";
    // --fma and --folders exclude each other on the command line; one may also come from --config.
    if (!o.fma.empty() && !o.folders.empty())
      throw cli::usage_error(cantus::detail::concat("--fma ", o.fma.string(), " and --folders ", o.folders.string(),
                                                    " both given (one recorded by --config ", o.config.string(), "): give one of them"));
    if (std::string why; o.backend == "cuda" && !cuda_usable(why)) throw cli::usage_error("--backend cuda: " + why);
    // Each model's plan: the preset's, unless --config recorded one (and no preset was named); then the flags.
    const bool preset_given = *quick || *preset;
    std::map<std::string, plan> plans;
    for (const auto& m : o.models) {
      const auto recorded = preset_given ? o.plans.end() : o.plans.find(m);
      plan pl = recorded != o.plans.end() ? recorded->second : plan_for(m, o.quick);
      ov.apply(pl);
      fill_from_preset(m, o.quick, pl);  // recorded as numbers, so config.json repeats the run exactly
      try {
        pl.validate("training plan of " + m);
      } catch (const std::exception& e) {
        throw cli::usage_error(e.what());
      }
      plans[m] = pl;
    }
    o.plans = std::move(plans);
    if (check) check(o);
  });
  if (o.cache.empty()) {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    o.cache = xdg && *xdg ? fs::path(xdg) / "cantus" : (home && *home ? fs::path(home) / ".cache" / "cantus" : o.out / "cache");
  }
  // Before any work: a read-only --out failed only after every model had trained.
  try {
    cli::check_writable_folder("--out", o.out);
    cli::check_writable_folder("--cache", o.cache);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", o.program.c_str(), e.what());
    std::exit(cli::failure);
  }
  omp_set_num_threads(o.threads);
  o.group = &world();
  return o;
}

}  // namespace paper
