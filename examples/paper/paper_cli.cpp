// The paper programs' command line (paper_cli.hpp), compiled once for all of them.
#include "paper_cli.hpp"

#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <limits>

#include "cli.hpp"

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
  auto* preset = cli::choice(app, "--preset", preset_name, {"quick", "full"}, "quick or full (anchor sizes, whole epochs)");
  quick->excludes(preset);
  cli::threads(app, o.threads, false, "threads (default 2)");
  cli::seed(app, o.seed, "random seed (default 2019)");
  cli::real(app, "--min-decoded-share", o.min_decoded_share, 0, 1,
            "a file decoding to less of its declared duration is broken (default 0.9)");
  cli::value_option(app, "--out", "output folder (default out/paper)", "DIR", [&o](const std::string&, const std::string& t) { o.out = t; });
  cli::value_option(app, "--cache", "feature cache (default $XDG_CACHE_HOME/cantus or ~/.cache/cantus)", "DIR",
                    [&o](const std::string&, const std::string& t) { o.cache = t; });
  cli::value_option(app, "--models", "the models to run (default: all)", "A,B,...", [&o, model_names](const std::string& f, const std::string& t) {
    auto names = cli::split_list(t);
    if (names.empty()) throw cli::bad_value(f, "a comma-separated list of models (" + model_names + ")", t);
    for (const auto& m : names)
      if (!is_model(m))
        throw cli::bad_value(f, "a model name (naive_seq2seq, naive_seq2seq_zN with N in 1..4096, step_vae, seq2seq_mel, wavenet, supervised_cnn)", m);
    // A model named twice would train twice into the same run folder and fill two rows of every table.
    for (std::size_t i = 0; i < names.size(); ++i)
      if (std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(i), names[i]) != names.begin() + static_cast<std::ptrdiff_t>(i))
        throw cli::bad_value(f, "each model once", t);
    o.models = std::move(names);
  });
  cli::choice(app, "--backend", o.backend, {"cpu", "cuda"}, "where the models train and embed (default cpu)");
  // Training: each flag applies to every model's plan.
  plan_overrides ov;
  constexpr auto big = std::numeric_limits<std::int64_t>::max();
  cli::integer<std::int64_t>(app, "--epochs", ov.epochs, 0, big, "epochs");
  cli::count_or_all(app, "--steps-per-epoch", ov.steps_per_epoch, "steps per epoch, or all (whole epochs)");
  cli::integer<index_t>(app, "--batch-size", ov.batch_size, 1, std::numeric_limits<index_t>::max(), "batch size");
  // 0 would read as "the preset's rate" further down (a plan's unset value): refused, not replaced.
  cli::value_option(app, "--lr", "learning rate (> 0; default: the preset's, per model)", "RATE", [&ov](const std::string& f, const std::string& t) {
    const double v = cli::parse_real(f, t, 0, std::numeric_limits<double>::max(), "a learning rate > 0");
    if (!(v > 0)) throw cli::bad_value(f, "a learning rate > 0", t);
    ov.learning_rate = v;
  });
  cli::value_option(app, "--lr-schedule", "constant, cosine or step:EPOCHS:GAMMA", "SCHEDULE", [&ov](const std::string& f, const std::string& t) {
    try {
      ov.schedule = lr_schedule::parse(t, f);
    } catch (const std::exception& e) {
      throw cli::validation_error(e.what());
    }
  });
  cli::integer<std::int64_t>(app, "--patience", ov.patience, 0, big, "epochs without improvement before stopping (0: never stop early)");
  cli::real(app, "--clip-norm", ov.clip_norm, 0, std::numeric_limits<double>::max(), "gradient norm clip (0: off)");
  cli::count_or_all(app, "--train-windows", ov.train_windows, "windows per training track, or all");
  cli::count_or_all(app, "--embed-windows", ov.embed_windows, "windows per embedded track, or all");
  cli::count_or_all(app, "--validation-batches", ov.validation_batches, "validation batches, or all");
  cli::choice(app, "--pooling", o.pooling, {{"mean", models::pooling::mean}, {"mean+std", models::pooling::mean_std}},
              "how a track's window latents become its embedding (default mean)");
  cli::real(app, "--vae-capacity", o.vae_capacity, 0, std::numeric_limits<double>::max(), "step_vae: the capacity C in nats");
  cli::real(app, "--vae-gamma", o.vae_gamma, 0, std::numeric_limits<double>::max(), "step_vae: gamma");
  cli::integer<std::int64_t>(app, "--vae-anneal-steps", o.vae_anneal_steps, 0, big, "step_vae: steps over which C rises (0: no anneal)");
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
  omp_set_num_threads(o.threads);
  o.group = &world();
  return o;
}

}  // namespace paper
