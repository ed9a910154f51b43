// Table 3 (beyond the paper): how disentangled each model's latents are, measured against the known
// factors of a style corpus (cantus/paper/style_corpus.hpp): genre, tempo band, key, loudness, lead
// instrument and soundfont, dealt independently of each other (--factors independent). Trains every
// model as table1 does, embeds every track, and scores the track latents against the factors:
// MIG (all tracks), DCI and SAP (fitted on training + validation tracks, scored on the test tracks),
// and per factor the test accuracy of a logistic regression and of DCI's random forest. The
// hand-made log-mel statistics are scored beside the models.
//   table3 [--fma STYLE_CORPUS] [--quick] [--threads N] [--seed K] [--out DIR] [--models ...]
//          [--sweep CAPACITIES:GAMMAS]
// Without --fma the embedded corpus is generated with independent factors into the cache. --sweep
// also trains the step-VAE for every (capacity C, gamma) of the grid, C held from the first step
// unless --vae-anneal-steps is given, and reports its reconstruction error (table2's measure), genre
// accuracy and disentanglement side by side (DIR/table3_sweep.png).
// Writes DIR/table3.json, DIR/table3.md, DIR/table3.png (per-factor accuracy) and
// DIR/table3_mig.png (per-factor MIG).
#include "cantus/classify/disentanglement.hpp"
#include "cantus/classify/logistic_regression.hpp"
#include "cantus/classify/metrics.hpp"
#include "cli.hpp"
#include "paper_cli.hpp"
#ifndef CANTUS_EXAMPLE_HAVE_VIZ
#define CANTUS_EXAMPLE_HAVE_VIZ 0
#endif
#if CANTUS_EXAMPLE_HAVE_VIZ
#include "cantus/viz/bar_chart.hpp"
#include "cantus/viz/heatmap.hpp"
#endif

namespace {
namespace classify = cantus::classify;
using classify::factor_matrix;
using classify::row_matrix;

struct scores {
  std::string model;
  double mig = 0, dci_d = 0, dci_c = 0, dci_i = 0, sap = 0;
  std::vector<double> mig_factor, sap_factor, linear, forest;  // per factor
};

// The factor codes of the tracks, in the order of their ids.
factor_matrix factors_of(const std::vector<std::int64_t>& ids, const paper::style::factor_table& f) {
  factor_matrix m(static_cast<Eigen::Index>(ids.size()), static_cast<Eigen::Index>(f.names.size()));
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto it = f.codes.find(ids[i]);
    if (it == f.codes.end()) throw cantus::value_error(cantus::detail::concat("table3: track ", ids[i], " has no recorded factors"));
    for (std::size_t k = 0; k < f.names.size(); ++k) m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) = it->second[k];
  }
  return m;
}

// fit rows (training + validation tracks) and test rows of one representation against the factors.
scores score(const std::string& name, const row_matrix& Xfit, const factor_matrix& Ffit, const row_matrix& Xte,
             const factor_matrix& Fte, std::uint64_t seed) {
  scores s;
  s.model = name;
  row_matrix all(Xfit.rows() + Xte.rows(), Xfit.cols());
  all.topRows(Xfit.rows()) = Xfit;
  all.bottomRows(Xte.rows()) = Xte;
  factor_matrix fall(Ffit.rows() + Fte.rows(), Ffit.cols());
  fall.topRows(Ffit.rows()) = Ffit;
  fall.bottomRows(Fte.rows()) = Fte;
  const auto m = classify::mig(all, fall);
  s.mig = m.score, s.mig_factor = m.per_factor;
  auto forest = classify::dci_forest();
  forest.random_state = seed;
  const auto d = classify::dci(Xfit, Ffit, Xte, Fte, forest);
  s.dci_d = d.disentanglement, s.dci_c = d.completeness, s.dci_i = d.informativeness, s.forest = d.test_accuracy;
  const auto p = classify::sap(Xfit, Ffit, Xte, Fte);
  s.sap = p.score, s.sap_factor = p.per_factor;
  for (Eigen::Index j = 0; j < Ffit.cols(); ++j) {
    std::vector<int> ytr, yte;  // row-major factors: a column is strided
    for (Eigen::Index i = 0; i < Ffit.rows(); ++i) ytr.push_back(Ffit(i, j));
    for (Eigen::Index i = 0; i < Fte.rows(); ++i) yte.push_back(Fte(i, j));
    classify::logistic_regression_params lp;
    lp.max_iter = 1000;
    lp.standardize = true;
    classify::logistic_regression lr(lp);
    lr.fit(Xfit, ytr);
    s.linear.push_back(classify::accuracy_score(yte, lr.predict(Xte)));
  }
  return s;
}

std::string fmt(double v) {
  if (!std::isfinite(v)) return "n/a";
  char b[32];
  std::snprintf(b, sizeof b, "%.3f", v);
  return b;
}
std::string json_list(const std::vector<double>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + paper::json_number(v[i]);
  return s + "]";
}
row_matrix stack(const row_matrix& a, const row_matrix& b) {
  row_matrix s(a.rows() + b.rows(), std::max(a.cols(), b.cols()));
  if (a.rows()) s.topRows(a.rows()) = a;
  if (b.rows()) s.bottomRows(b.rows()) = b;
  return s;
}
factor_matrix stack(const factor_matrix& a, const factor_matrix& b) {
  factor_matrix s(a.rows() + b.rows(), std::max(a.cols(), b.cols()));
  if (a.rows()) s.topRows(a.rows()) = a;
  if (b.rows()) s.bottomRows(b.rows()) = b;
  return s;
}
std::vector<std::int64_t> ids_of(const std::vector<const cantus::data::stored_track*>& t) {
  std::vector<std::int64_t> ids;
  for (const auto* x : t) ids.push_back(x->id);
  return ids;
}
}  // namespace

int main(int argc, char** argv) {
  auto o = paper::parse(argc, argv, "Table 3: disentanglement of every model's latents against the embedded corpus's factors.",
                        {.sweep = true}, [](const paper::options& opt) {
                          if (!opt.folders.empty())
                            throw cli::usage_error("--folders has no recorded factors; use --fma with a style corpus (make_style_corpus --factors independent)");
                        });
  o.corpus_factors = paper::style::factor_mode::independent;  // the embedded corpus, when used
  try {
    const auto t0 = std::chrono::steady_clock::now();
    auto p = paper::prepare(o);
    const auto factors = paper::style::read_factors(p.root);
    const auto F = factors.names.size();
    std::vector<scores> rows;
    auto embedded = [&](const paper::model_result& r) {
      const auto fit_ids = [&] {
        auto v = r.train.track_ids;
        v.insert(v.end(), r.validation.track_ids.begin(), r.validation.track_ids.end());
        return v;
      }();
      return score(r.model, stack(paper::as_matrix(r.train), paper::as_matrix(r.validation)), factors_of(fit_ids, factors),
                   paper::as_matrix(r.test), factors_of(r.test.track_ids, factors), o.seed);
    };
    for (const auto& name : o.models) {
      auto r = paper::run_model(name, p, o);
      if (o.root()) rows.push_back(embedded(r));
    }
    if (o.root()) {  // the hand-made representation, scored the same way
      std::vector<int> unused;
      auto fit = p.train;
      fit.insert(fit.end(), p.validation.begin(), p.validation.end());
      rows.push_back(score("logmel_statistics", paper::logmel_statistics(p, fit, unused), factors_of(ids_of(fit), factors),
                           paper::logmel_statistics(p, p.test, unused), factors_of(ids_of(p.test), factors), o.seed));
    }
    // The capacity sweep: the step-VAE at every (C, gamma), each a run of its own (its own checkpoint).
    struct sweep_row {
      double capacity, gamma, error;
      scores s;
    };
    std::vector<sweep_row> sweep;
    for (double c : o.sweep_capacity)
      for (double g : o.sweep_gamma) {
        auto so = o;
        so.vae_capacity = c, so.vae_gamma = g;
        // C at its value from the first step unless --vae-anneal-steps says otherwise: while KL > C the
        // gradient of |KL - C| does not depend on C, so a C still annealing from 0 in a short run would
        // make every capacity train alike
        if (!so.vae_anneal_steps) so.vae_anneal_steps = 0;
        auto r = paper::run_model("step_vae", p, so, true);
        if (o.root()) sweep.push_back({c, g, r.test_error, embedded(r)});
      }
    if (!o.root()) return 0;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    // chance per factor: the test split's most frequent value
    std::vector<double> chance(F);
    {
      const auto Fte = factors_of(ids_of(p.test), factors);
      for (std::size_t k = 0; k < F; ++k) {
        std::map<int, int> n;
        for (Eigen::Index i = 0; i < Fte.rows(); ++i) ++n[Fte(i, static_cast<Eigen::Index>(k))];
        int most = 0;
        for (auto [v, c] : n) most = std::max(most, c);
        chance[k] = Fte.rows() ? double(most) / double(Fte.rows()) : 0.0;
      }
    }
    std::string md = "# Table 3: disentanglement of each model's latents\n\n" + p.description + ", " + (o.quick ? "--quick" : "full settings") +
                     ", seed " + std::to_string(o.seed) + ". Factors: ";
    for (std::size_t k = 0; k < F; ++k)
      md += factors.names[k] + " (" + std::to_string(factors.values[k].size()) + " values)" + (k + 1 < F ? ", " : ".\n\n");
    md += "| representation | MIG | DCI disentanglement | DCI completeness | DCI informativeness | SAP |\n|---|---|---|---|---|---|\n";
    for (const auto& r : rows)
      md += "| " + r.model + " | " + fmt(r.mig) + " | " + fmt(r.dci_d) + " | " + fmt(r.dci_c) + " | " + fmt(r.dci_i) + " | " + fmt(r.sap) + " |\n";
    md += "\nTest accuracy per factor, logistic regression / DCI's random forest (chance: the test split's most frequent value):\n\n| representation |";
    for (const auto& n : factors.names) md += " " + n + " |";
    md += "\n|---|";
    for (std::size_t k = 0; k < F; ++k) md += "---|";
    md += "\n| chance |";
    for (double c : chance) md += " " + fmt(c) + " |";
    md += "\n";
    for (const auto& r : rows) {
      md += "| " + r.model + " |";
      for (std::size_t k = 0; k < F; ++k) md.append(" ").append(fmt(r.linear[k])).append(" / ").append(fmt(r.forest[k])).append(" |");
      md += "\n";
    }
    md += "\nMIG per factor:\n\n| representation |";
    for (const auto& n : factors.names) md += " " + n + " |";
    md += "\n|---|";
    for (std::size_t k = 0; k < F; ++k) md += "---|";
    md += "\n";
    for (const auto& r : rows) {
      md += "| " + r.model + " |";
      for (double v : r.mig_factor) md.append(" ").append(fmt(v)).append(" |");
      md += "\n";
    }
    if (!sweep.empty()) {
      md += "\nstep_vae capacity sweep (C in nats, held from the first step unless --vae-anneal-steps is given; gamma; "
            "reconstruction MSE per standardised log-mel bin on the test tracks, genre accuracy of the logistic regression, "
            "disentanglement):\n\n| C | gamma | reconstruction MSE | genre accuracy | MIG | DCI disentanglement | SAP |\n|---|---|---|---|---|---|---|\n";
      for (const auto& w : sweep)
        md += "| " + fmt(w.capacity) + " | " + fmt(w.gamma) + " | " + fmt(w.error) + " | " + fmt(w.s.linear[0]) + " | " + fmt(w.s.mig) + " | " +
              fmt(w.s.dci_d) + " | " + fmt(w.s.sap) + " |\n";
    }
    md += "\nMIG: mean over factors of the gap between the two code dimensions sharing most information with the factor, over "
          "its entropy (20 equal-width bins, all tracks). DCI: a random forest per factor on the training + validation tracks' "
          "latents, importances aggregated as Eastwood & Williams; informativeness = mean test accuracy. SAP: per factor the gap "
          "between the two best single-dimension classifiers' test accuracy. docs/results.md reads these numbers.\n";

    std::string json = "{\n  \"program\": \"table3\",\n  \"corpus\": " + paper::json_string(p.description) + ",\n  \"quick\": " +
                       (o.quick ? "true" : "false") + ",\n  \"seed\": " + std::to_string(o.seed) + ",\n  \"seconds\": " +
                       paper::json_number(seconds) + ",\n  \"factors\": [";
    for (std::size_t k = 0; k < F; ++k) json += (k ? ", " : "") + paper::json_string(factors.names[k]);
    json += "],\n  \"chance\": " + json_list(chance) + ",\n  \"rows\": [\n";
    auto row_json = [&](const scores& r) {
      return "{\"model\": " + paper::json_string(r.model) + ", \"mig\": " + paper::json_number(r.mig) + ", \"mig_per_factor\": " +
             json_list(r.mig_factor) + ", \"dci\": {\"disentanglement\": " + paper::json_number(r.dci_d) + ", \"completeness\": " +
             paper::json_number(r.dci_c) + ", \"informativeness\": " + paper::json_number(r.dci_i) + "}, \"sap\": " +
             paper::json_number(r.sap) + ", \"sap_per_factor\": " + json_list(r.sap_factor) + ", \"linear_accuracy\": " +
             json_list(r.linear) + ", \"forest_accuracy\": " + json_list(r.forest) + "}";
    };
    for (std::size_t i = 0; i < rows.size(); ++i) json += "    " + row_json(rows[i]) + (i + 1 < rows.size() ? ",\n" : "\n");
    json += "  ],\n  \"sweep\": [\n";
    for (std::size_t i = 0; i < sweep.size(); ++i)
      json += "    {\"capacity\": " + paper::json_number(sweep[i].capacity) + ", \"gamma\": " + paper::json_number(sweep[i].gamma) +
              ", \"reconstruction_mse\": " + paper::json_number(sweep[i].error) + ", \"scores\": " + row_json(sweep[i].s) + "}" +
              (i + 1 < sweep.size() ? ",\n" : "\n");
    json += "  ]\n}\n";
    paper::write_text(o.out / "table3.json", json);
    paper::write_text(o.out / "table3.md", md);
#if CANTUS_EXAMPLE_HAVE_VIZ
    {
      std::vector<std::string> names;
      Eigen::MatrixXd acc(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(F)), mig = acc;
      for (std::size_t i = 0; i < rows.size(); ++i) {
        names.push_back(rows[i].model);
        for (std::size_t k = 0; k < F; ++k) {
          acc(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) = rows[i].forest[k];
          mig(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) = rows[i].mig_factor[k];
        }
      }
      cantus::viz::value_heatmap(o.out / "table3.png", acc, names, factors.names,
                                 {.title = "Test accuracy of each factor from the latents (random forest)", .cell = 64});
      cantus::viz::value_heatmap(o.out / "table3_mig.png", mig, names, factors.names,
                                 {.title = "Mutual information gap per factor", .cell = 64});
      if (!sweep.empty()) {
        std::vector<std::string> groups;
        std::vector<std::vector<double>> v(4);
        for (const auto& w : sweep) {
          groups.push_back("C " + fmt(w.capacity).substr(0, fmt(w.capacity).find('.')) + ", g " + fmt(w.gamma).substr(0, fmt(w.gamma).find('.')));
          v[0].push_back(w.error), v[1].push_back(w.s.linear[0]), v[2].push_back(w.s.mig), v[3].push_back(w.s.dci_d);
        }
        double top = 1;
        for (double e : v[0]) top = std::max(top, std::isfinite(e) ? e * 1.1 : top);
        cantus::viz::bar_chart(o.out / "table3_sweep.png", groups,
                               {"reconstruction MSE", "genre accuracy", "MIG", "DCI disentanglement"}, v,
                               {.title = "step_vae: capacity C and gamma against reconstruction, genre and disentanglement",
                                .y_label = "value", .y_max = top, .group_width = 150});
      }
    }
#endif
    std::printf("%s\nwritten: %s, %s (%.0f s)\n", md.c_str(), (o.out / "table3.json").c_str(), (o.out / "table3.md").c_str(), seconds);
    return 0;
  } catch (const std::exception& e) {
    return paper::fail(o, e);
  }
}
