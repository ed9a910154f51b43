// Train a random forest or logistic regression on .npy features and report accuracy, macro-F1 and
// the confusion matrix on a test set.
//   build/examples/classify --train X.npy y.npy --test X.npy y.npy --model rf|lr [options]
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>

#include "cantus/classify.hpp"
#include "cantus/viz.hpp"
#include "cli.hpp"

namespace {

const char* kUsage = R"(usage: classify --train X.npy y.npy --test X.npy y.npy --model rf|lr [options]
  features: float32/float64 [n, d]; labels: int32/int64 [n]
  --n-estimators N   (rf, default 100)      --max-depth D    (rf, default -1 = unlimited)
  --criterion gini|entropy (rf)             --max-features sqrt|log2|all|FRACTION|COUNT (rf)
  --min-samples-leaf N (rf, default 1)      --C C            (lr, default 1.0)
  --max-iter N      (lr, default 100)       --standardize 0|1 (lr, default 1)
  --seed S          (default 0)             --threads T      (default: OpenMP's)
  --json OUT.json   --confusion-png OUT.png|OUT.svg   --labels names.txt   --save MODEL
)";

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
  std::string train_x, train_y, test_x, test_y, model, json_out, figure, names_file, save_path;
  classify::random_forest_params rf;
  classify::logistic_regression_params lr;
  lr.standardize = true;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      auto next = [&] { return cli::next_value(argc, argv, i); };
      if (a == "--help" || a == "-h") {
        std::fputs(kUsage, stdout);
        return 0;
      } else if (a == "--train") {
        train_x = next(), train_y = next();
      } else if (a == "--test") {
        test_x = next(), test_y = next();
      } else if (a == "--model") model = next();
      else if (a == "--n-estimators") rf.n_estimators = static_cast<int>(cli::to_int(a, next()));
      else if (a == "--max-depth") rf.max_depth = static_cast<int>(cli::to_int(a, next()));
      else if (a == "--criterion") rf.criterion = next();
      else if (a == "--max-features") rf.max_features = next();
      else if (a == "--min-samples-leaf") rf.min_samples_leaf = static_cast<int>(cli::to_int(a, next()));
      else if (a == "--C") lr.C = cli::to_double(a, next());
      else if (a == "--max-iter") lr.max_iter = static_cast<int>(cli::to_int(a, next()));
      else if (a == "--standardize") lr.standardize = cli::to_int(a, next()) != 0;
      else if (a == "--seed") rf.random_state = static_cast<std::uint64_t>(cli::to_int(a, next()));
      else if (a == "--threads") omp_set_num_threads(cli::to_threads(a, next()));
      else if (a == "--json") json_out = next();
      else if (a == "--confusion-png") figure = next();
      else if (a == "--labels") names_file = next();
      else if (a == "--save") save_path = next();
      else throw value_error(detail::concat("unknown argument \"", a, "\" (try --help)"));
    }
    if (train_x.empty() || test_x.empty() || (model != "rf" && model != "lr")) {
      std::fputs(kUsage, stderr);
      return 2;
    }
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
  } catch (const std::exception& e) {
    std::fprintf(stderr, "classify: %s\n", e.what());
    return 1;
  }
  return 0;
}
