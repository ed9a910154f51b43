// Train a random forest or logistic regression on .npy features and report accuracy, macro-F1 and
// the confusion matrix on a test set.
//   build/examples/classify --train X.npy y.npy --test X.npy y.npy --model rf|lr [options]
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>

#include "cantus/classify.hpp"
#include "cantus/viz.hpp"
#include "cli.hpp"

namespace {

std::string json_matrix(const Eigen::MatrixXi& m) {
  std::ostringstream o;
  o << '[';
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    o << (i ? ", [" : "[");
    for (Eigen::Index j = 0; j < m.cols(); ++j) o << (j ? ", " : "") << m(i, j);
    o << ']';
  }
  o << ']';
  return o.str();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cantus;
  std::string model, json_out, figure, names_file, save_path;
  std::vector<std::string> train, test;  // X.npy y.npy each
  classify::random_forest_params rf;
  classify::logistic_regression_params lr;
  lr.standardize = true;
  int threads = 0;
  cli::app app{"Trains a random forest or logistic regression on .npy features and reports accuracy, macro-F1 and the\n"
               "confusion matrix on a test set. Features: float32/float64 [n, d]; labels: int32/int64 [n].",
               "classify"};
  auto two_files = [&](const std::string& name, std::vector<std::string>& target, const std::string& help) {
    app.add_option(name, [&target, name](const cli::app::results& r) {
         for (const auto& f : r) cli::check_exists(name, f, cli::must_be::file);
         target = r;
         return true;
       }, help)
        ->type_name("X.npy y.npy")
        ->expected(2)
        ->required();
  };
  two_files("--train", train, "training features and labels");
  two_files("--test", test, "test features and labels");
  cli::choice(app, "--model", model, {"rf", "lr"}, "rf (random forest) or lr (logistic regression)")->required();
  constexpr int int_max = std::numeric_limits<int>::max();
  cli::integer(app, "--n-estimators", rf.n_estimators, 1, int_max, "rf: trees (default 100)");
  cli::integer(app, "--max-depth", rf.max_depth, -1, int_max, "rf: depth limit (default -1 = unlimited)",
               "-1 (unlimited) or a depth from 0");
  cli::choice(app, "--criterion", rf.criterion, {"gini", "entropy"}, "rf: split criterion (default gini)");
  app.add_option("--max-features", rf.max_features, "rf: sqrt|log2|all|FRACTION|COUNT (default sqrt)");
  cli::integer(app, "--min-samples-leaf", rf.min_samples_leaf, 1, int_max, "rf: (default 1)");
  cli::real(app, "--C", lr.C, std::numeric_limits<double>::min(), std::numeric_limits<double>::max(), "lr: inverse regularisation (default 1.0)",
            "a finite number > 0");
  cli::integer(app, "--max-iter", lr.max_iter, 1, int_max, "lr: L-BFGS iterations (default 100)");
  cli::choice(app, "--standardize", lr.standardize, {{"0", false}, {"1", true}}, "lr: standardise the features (default 1)");
  cli::seed(app, rf.random_state, "rf: random seed (default 0)");
  cli::threads(app, threads, false, "threads (default: OpenMP's)");
  app.add_option("--json", json_out, "write the results as JSON");
  cli::value_option(app, "--confusion-png", "draw the confusion matrix", "OUT.png|OUT.svg", [&figure](const std::string& f, const std::string& t) {
    try {
      viz::format_of(t);  // a bad extension is refused before the training
    } catch (const std::exception& e) {
      throw cli::validation_error(f, e.what());
    }
    figure = t;
  });
  cli::existing(app, "--labels", names_file, cli::must_be::file, "class names, one per line, in sorted label order");
  app.add_option("--save", save_path, "save the trained classifier");
  return cli::run(app, argc, argv, [&] {
    // Outputs first: a file that cannot be written fails now, not after the training.
    if (!json_out.empty()) cli::check_writable_file("--json", json_out);
    if (!figure.empty()) cli::check_writable_file("--confusion-png", figure);
    if (!save_path.empty()) cli::check_writable_file("--save", save_path);
    if (threads > 0) omp_set_num_threads(threads);
    const std::string &train_x = train[0], &train_y = train[1], &test_x = test[0], &test_y = test[1];
    const classify::row_matrix Xtr = classify::load_features(train_x), Xte = classify::load_features(test_x);
    const std::vector<int> ytr = classify::load_labels(train_y), yte = classify::load_labels(test_y);
    if (static_cast<Eigen::Index>(ytr.size()) != Xtr.rows())
      throw shape_error(detail::concat(train_y, ": expected ", Xtr.rows(), " labels (one per row of ", train_x, ") but found ", ytr.size()));
    if (static_cast<Eigen::Index>(yte.size()) != Xte.rows())
      throw shape_error(detail::concat(test_y, ": expected ", Xte.rows(), " labels (one per row of ", test_x, ") but found ", yte.size()));

    std::optional<classify::random_forest> forest;
    std::optional<classify::logistic_regression> logistic;
    const auto t0 = std::chrono::steady_clock::now();
    if (model == "rf") forest.emplace(rf).fit(Xtr, ytr);
    else logistic.emplace(lr).fit(Xtr, ytr);
    const double fit_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    auto predict = [&](const classify::row_matrix& X) { return forest ? forest->predict(X) : logistic->predict(X); };
    const Eigen::VectorXi ptr = predict(Xtr), pte = predict(Xte);
    const double train_acc = classify::accuracy_score(ytr, ptr), test_acc = classify::accuracy_score(yte, pte);
    const std::vector<int> labels = classify::unique_labels(yte, pte);
    const double macro_f1 = classify::f1_macro(yte, pte, labels);
    const Eigen::MatrixXi cm = classify::confusion_matrix(yte, pte, labels);

    std::printf("model %s: %lld train x %lld features, %zu test samples, %d threads\n", model.c_str(),
                static_cast<long long>(Xtr.rows()), static_cast<long long>(Xtr.cols()), yte.size(), omp_get_max_threads());
    if (logistic) {
      const auto& r = logistic->report();
      std::printf("L-BFGS: %d iterations, loss %.6g, max|grad| %.3g, %s (%s)\n", r.iterations, r.loss, r.gradient_norm,
                  r.converged ? "converged" : "NOT converged", r.message.c_str());
    }
    std::printf("fit %.3f s\ntrain accuracy %.4f\ntest accuracy  %.4f\nmacro-F1       %.4f\n", fit_seconds, train_acc, test_acc, macro_f1);
    std::printf("confusion matrix (rows true, columns predicted; labels");
    for (int l : labels) std::printf(" %d", l);
    std::printf("):\n");
    for (Eigen::Index i = 0; i < cm.rows(); ++i) {
      for (Eigen::Index j = 0; j < cm.cols(); ++j) std::printf("%6d", cm(i, j));
      std::printf("\n");
    }
    if (!json_out.empty()) {
      std::ostringstream o;
      o.precision(17);
      o << "{\"model\": \"" << model << "\", \"train_accuracy\": " << train_acc << ", \"test_accuracy\": " << test_acc
        << ", \"macro_f1\": " << macro_f1 << ", \"confusion_matrix\": " << json_matrix(cm) << ", \"labels\": [";
      for (std::size_t k = 0; k < labels.size(); ++k) o << (k ? ", " : "") << labels[k];
      o << "], \"fit_seconds\": " << fit_seconds << "}\n";
      const std::string text = o.str();
      write_file_atomically(json_out, [&](std::ofstream& out) { out << text; });
    }
    if (!figure.empty()) {
      std::vector<std::string> names;
      if (!names_file.empty()) {
        // names.txt names the training classes in sorted order; map them onto the matrix's labels.
        const auto all = cli::read_names(names_file);
        const auto& classes = forest ? forest->classes() : logistic->classes();
        for (int l : labels) {
          auto it = std::find(classes.begin(), classes.end(), l);
          const auto k = static_cast<std::size_t>(it - classes.begin());
          names.push_back(it != classes.end() && k < all.size() ? all[k] : std::to_string(l));
        }
      } else {
        for (int l : labels) names.push_back(std::to_string(l));
      }
      char title[128];
      std::snprintf(title, sizeof title, "%s: test accuracy %.1f%%", model == "rf" ? "Random forest" : "Logistic regression", 100 * test_acc);
      viz::confusion_heatmap(figure, cm, names, {.title = title});
    }
    if (!save_path.empty()) {
      if (forest) forest->save(save_path);
      else logistic->save(save_path);
    }
    return int(cli::success);
  });
}
