// Table 1 of the paper: genre classification from latent representations. Trains every model,
// embeds every track (mean latent over its chunks), fits a random forest (200 trees, depth 20) and a
// logistic regression on the training split's latents, and reports train and test accuracy per
// model and classifier, plus the supervised CNN's own accuracy.
//   table1 [--fma ROOT | --folders ROOT] [--quick] [--threads N] [--seed K] [--out DIR] [--models ...] [--cv K]
// --cv K adds each representation's K-fold cross-validated accuracy over the training + validation
// tracks (stratified, shuffled by --seed): many more held-out tracks than a small test split has.
// Writes DIR/results.json, DIR/table1.md and the embeddings (DIR/embeddings/*.npy). The paper's own
// figures come from --paper FILE (default examples/paper/paper_table1.csv) and are shown beside ours;
// DIR/table1.png draws the table as a bar chart.
#include "cantus/classify/logistic_regression.hpp"
#include "cantus/classify/metrics.hpp"
#include "cantus/classify/model_selection.hpp"
#include "cantus/classify/random_forest.hpp"
#include "classifier_file.hpp"
#include "paper_cli.hpp"
#ifndef CANTUS_EXAMPLE_HAVE_VIZ
#define CANTUS_EXAMPLE_HAVE_VIZ 0  // built without Cairo: no figure
#endif
#if CANTUS_EXAMPLE_HAVE_VIZ
#include "cantus/viz/bar_chart.hpp"
#endif


int main(int argc, char** argv) {
  namespace classify = cantus::classify;  // not `using namespace cantus`: paper:: would be ambiguous
  auto o = paper::parse(argc, argv, "Table 1: genre accuracy from each model's latents (random forest and logistic regression).",
                        {.paper = true, .cv = true});
  try {
    const auto t0 = std::chrono::steady_clock::now();
    auto p = paper::prepare(o);
    struct row {
      std::string model, classifier;
      double train, test;
      std::size_t n_test = 0;
      double cv_mean = std::numeric_limits<double>::quiet_NaN(), cv_sd = std::numeric_limits<double>::quiet_NaN();
    };
    std::vector<row> rows;
    // The paper's two classifiers on one representation: a random forest (200 trees, depth 20) and a
    // logistic regression, one row each.
    // With --cv, Xcv/ycv (the training and validation tracks) are also cross-validated.
    // `run`: the model's run and embeddings, named in its saved classifiers (empty for the hand-made row).
    auto fit_both = [&](const std::string& name, const classify::row_matrix& Xtr, const std::vector<int>& ytr,
                        const classify::row_matrix& Xte, const std::vector<int>& yte, const classify::row_matrix& Xcv,
                        const std::vector<int>& ycv, const paper::classifier_provenance* run) {
      classify::random_forest_params rp;
      rp.n_estimators = 200;
      rp.max_depth = 20;
      rp.random_state = o.seed;
      classify::logistic_regression_params lp;
      lp.max_iter = 1000;
      lp.standardize = true;
      const auto folds = o.cv > 0 ? classify::stratified_kfold{.n_splits = o.cv, .shuffle = true, .random_state = o.seed}.split(ycv)
                                  : std::vector<classify::fold>{};
      auto add = [&](const char* classifier, auto make) {
        auto m = make();
        m.fit(Xtr, ytr);
        if (run) {  // for `predict`: the classifier of this run's latents, naming the run
          cantus::make_directories(o.out / "classifiers", "--out");
          paper::write_classifier(o.out / "classifiers" / (name + "_" + classifier + ".cls"),
                                  std::string(classifier) == "rf" ? "random_forest" : "logistic_regression", m.to_bytes(), *run);
        }
        row r{name, classifier, classify::accuracy_score(ytr, m.predict(Xtr)), classify::accuracy_score(yte, m.predict(Xte)), yte.size()};
        if (!folds.empty()) {
          const auto cv = classify::cross_val_accuracy(make, Xcv, ycv, folds);
          r.cv_mean = cv.mean();
          r.cv_sd = cv.stddev();
        }
        rows.push_back(r);
      };
      add("rf", [&] { return classify::random_forest(rp); });
      add("lr", [&] { return classify::logistic_regression(lp); });
    };
    auto stack = [](const classify::row_matrix& a, const classify::row_matrix& b) {
      classify::row_matrix s(a.rows() + b.rows(), std::max(a.cols(), b.cols()));
      if (a.rows()) s.topRows(a.rows()) = a;
      if (b.rows()) s.bottomRows(b.rows()) = b;
      return s;
    };
    auto join = [](std::vector<int> a, const std::vector<int>& b) {
      a.insert(a.end(), b.begin(), b.end());
      return a;
    };
    for (const auto& name : o.models) {
      auto r = paper::run_model(name, p, o);
      if (!o.root()) continue;  // the other ranks helped train and embed; rank 0 reports
      if (name == "supervised_cnn") {
        rows.push_back({name, "supervised", classify::accuracy_score(paper::as_int(r.train.labels), r.train_pred),
                        classify::accuracy_score(paper::as_int(r.test.labels), r.test_pred), r.test_pred.size()});
        continue;
      }
      const auto Xtr = paper::as_matrix(r.train), Xte = paper::as_matrix(r.test), Xva = paper::as_matrix(r.validation);
      const auto ytr = paper::as_int(r.train.labels);
      const paper::classifier_provenance run{r.run_key, r.run, paper::embeddings_id(Xtr, ytr, cantus::models::pooling_name(o.pooling))};
      fit_both(name, Xtr, ytr, Xte, paper::as_int(r.test.labels), stack(Xtr, Xva), join(ytr, paper::as_int(r.validation.labels)), &run);
    }
    if (!o.root()) return 0;
    {  // the hand-made row: per-band log-mel statistics through the same two classifiers
      std::vector<int> ytr, yte, yva;
      const auto Xtr = paper::logmel_statistics(p, p.train, ytr), Xte = paper::logmel_statistics(p, p.test, yte),
                 Xva = paper::logmel_statistics(p, p.validation, yva);
      fit_both("logmel_statistics", Xtr, ytr, Xte, yte, stack(Xtr, Xva), join(ytr, yva), nullptr);
    }
    const auto paper_rows = paper::read_paper_table(o.paper);
    const double chance = 1.0 / static_cast<double>(p.corpus.labels.size());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::string json = "{\n  \"program\": \"table1\",\n  \"corpus\": " + paper::json_string(p.description) +
                       ",\n  \"quick\": " + (o.quick ? "true" : "false") + ",\n  \"seed\": " + std::to_string(o.seed) +
                       ",\n  \"threads\": " + std::to_string(o.threads) + ",\n  \"ranks\": " + std::to_string(o.group->size()) +
                       ",\n  \"pooling\": " + paper::json_string(cantus::models::pooling_name(o.pooling)) +
                       ",\n  \"chance\": " + paper::json_number(chance) +
                       ",\n  \"seconds\": " + paper::json_number(seconds) + ",\n  \"rows\": [\n";
    std::string md = "# Table 1: genre accuracy from latent representations\n\n" + p.description + ", " +
                     (o.quick ? "--quick" : "full settings") + ", seed " + std::to_string(o.seed) + ", latents pooled by " +
                     cantus::models::pooling_name(o.pooling) + " over each track's windows, chance " +
                     paper::json_number(chance) +
                     ".\n\n| model | classifier | train accuracy | test accuracy | 95 % interval | p vs chance | paper train | paper test |" +
                     (o.cv > 0 ? " " + std::to_string(o.cv) + "-fold CV, train + validation |\n" : std::string("\n")) +
                     "|---|---|---|---|---|---|---|---|" + (o.cv > 0 ? "---|\n" : "\n");
    std::vector<paper::paper_row> paper_of;  // the paper's figures for each of our rows (NaN: not on record)
    for (const auto& r : rows) {
      auto it = paper_rows.find(r.model + "/" + r.classifier);
      if (it == paper_rows.end() && r.classifier != "supervised") it = paper_rows.find(r.model + "/*");  // any classifier
      paper_of.push_back(it == paper_rows.end() ? paper::paper_row{} : it->second);
    }
    int paper_values = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& r = rows[i];
      const paper::paper_row& pr = paper_of[i];
      // How much a test accuracy on a few dozen tracks says: Wilson interval and the one-sided binomial
      // p-value of "better than chance".
      const auto hits = static_cast<std::size_t>(std::lround(r.test * static_cast<double>(r.n_test)));
      const auto [lo, hi] = classify::wilson_interval(hits, r.n_test);
      const double p_chance = classify::binomial_p_value_greater(hits, r.n_test, chance);
      json += "    {\"model\": " + paper::json_string(r.model) + ", \"classifier\": " + paper::json_string(r.classifier) +
              ", \"train_accuracy\": " + paper::json_number(r.train) + ", \"test_accuracy\": " + paper::json_number(r.test) +
              ", \"test_tracks\": " + std::to_string(r.n_test) + ", \"test_interval_95\": [" + paper::json_number(lo) + ", " +
              paper::json_number(hi) + "], \"p_vs_chance\": " + paper::json_number(p_chance) +
              ", \"paper_train_accuracy\": " + paper::json_number(pr.train) +
              ", \"paper_test_accuracy\": " + paper::json_number(pr.test) +
              (o.cv > 0 ? ", \"cv_folds\": " + std::to_string(o.cv) + ", \"cv_accuracy_mean\": " + paper::json_number(r.cv_mean) +
                              ", \"cv_accuracy_sd\": " + paper::json_number(r.cv_sd)
                        : std::string()) +
              "}" + (i + 1 < rows.size() ? ",\n" : "\n");
      auto cell = [&](double v) {
        if (!std::isfinite(v)) return std::string("n/a");
        ++paper_values;
        char b[16];
        std::snprintf(b, sizeof b, "%.3f", v);
        return std::string(b);
      };
      char line[400];
      std::snprintf(line, sizeof line, "| %s | %s | %.3f | %.3f | %.2f-%.2f | %.2g%s | %s | %s |", r.model.c_str(), r.classifier.c_str(),
                    r.train, r.test, lo, hi, p_chance, p_chance < 0.01 ? " **" : "", cell(pr.train).c_str(), cell(pr.test).c_str());
      md += line;
      if (o.cv > 0) {
        if (std::isfinite(r.cv_mean)) std::snprintf(line, sizeof line, " %.3f ± %.3f |", r.cv_mean, r.cv_sd);
        else std::snprintf(line, sizeof line, " n/a |");
        md += line;
      }
      md += "\n";
    }
    json += "  ]\n}\n";
    md += "\n95 % interval: Wilson score interval of the test accuracy over " + std::to_string(rows.empty() ? 0 : rows[0].n_test) +
          " test tracks. p vs chance: one-sided binomial test of the test accuracy against chance (** below 0.01).\n";
    if (o.cv > 0)
      md += "CV: mean ± standard deviation over " + std::to_string(o.cv) +
            " stratified folds of the training + validation tracks' representations, each classifier refitted per fold "
            "(the models themselves were trained once, on the training tracks, without labels except the CNN).\n";
    md += paper_values > 0
              ? "\npaper: the study's own Table 1 (FMA small, 8 genres, chance 0.125), from " + o.paper.string() +
                    "; it does not say which classifier produced a latent model's figures, so they stand beside "
                    "both, nor which latent size of the naive GRU, so its row stands beside all three.\n"
              : "\npaper: n/a, no value of the study's Table 1 is on record in " + o.paper.string() +
                    " (fill it in, or pass --paper FILE).\n";
    paper::write_text(o.out / "results.json", json);
    paper::write_text(o.out / "table1.md", md);
#if CANTUS_EXAMPLE_HAVE_VIZ
    {  // the same table as a figure: train, test and the paper's test accuracy per model and classifier
      std::vector<std::string> groups;
      std::vector<std::vector<double>> v(3);
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        groups.push_back(r.model + (r.classifier == "supervised" ? "" : " / " + r.classifier));
        v[0].push_back(r.train);
        v[1].push_back(r.test);
        v[2].push_back(paper_of[i].test);
      }
      cantus::viz::bar_chart(o.out / "table1.png", groups, {"train", "test", "paper test"}, v,
                             {.title = "Genre accuracy from each model's latents (" + std::string(o.quick ? "--quick" : "full") + ")",
                              .y_label = "accuracy", .reference = chance, .reference_label = "chance"});
    }
#endif
    std::printf("%s\nwritten: %s, %s%s (%.0f s)\n", md.c_str(), (o.out / "results.json").c_str(), (o.out / "table1.md").c_str(),
                CANTUS_EXAMPLE_HAVE_VIZ ? (", " + (o.out / "table1.png").string()).c_str() : "", seconds);
    return 0;
  } catch (const std::exception& e) {
    return paper::fail(o, e);
  }
}
