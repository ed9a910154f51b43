#pragma once
// Multinomial logistic regression with scikit-learn's objective (LogisticRegression, lbfgs solver):
//   sum_i -log softmax(W x_i + b)[y_i]  +  0.5 / C * ||W||^2      (intercept not penalised)
// minimised by L-BFGS from zeros. With two classes it fits one weight vector against a fixed zero
// logit for classes()[0], which is sklearn's binary (sigmoid) model with the same penalty. Optional
// standardisation (StandardScaler: mean 0, population std 1, constant columns left unscaled) is
// fitted on the training X and applied inside predict.
#include <Eigen/Core>
#include <omp.h>

#include <cmath>
#include <vector>

#include "cantus/backend/cpu/cpu_backend.hpp"
#include "cantus/classify/common.hpp"
#include "cantus/classify/lbfgs.hpp"
#include "cantus/classify/metrics.hpp"

namespace cantus::classify {

struct logistic_regression_params {
  double C = 1.0;
  int max_iter = 100;
  double tol = 1e-4;
  bool fit_intercept = true;
  bool standardize = false;
};

class logistic_regression {
 public:
  logistic_regression() = default;
  explicit logistic_regression(logistic_regression_params params) : params_(params) {}

  logistic_regression& fit(const matrix_ref& X_in, labels_ref y);

  // Raw logits, n x n_classes (for two classes the first column is the fixed zero logit).
  Eigen::MatrixXd decision_function(const matrix_ref& X_in) const;

  Eigen::MatrixXd predict_proba(const matrix_ref& X) const;

  Eigen::VectorXi predict(const matrix_ref& X) const;

  double score(const matrix_ref& X, labels_ref y) const;

  void save(const std::filesystem::path& path) const;

  static logistic_regression load(const std::filesystem::path& path);

  // The bytes save() writes, and the model back from them (`name` stands for the file in messages):
  // for files that hold a model among other things (core/sealed_file.hpp).
  std::string to_bytes() const;
  static logistic_regression from_bytes(std::string_view bytes, const std::string& name);

  const std::vector<int>& classes() const { return classes_; }
  int n_classes() const { return static_cast<int>(classes_.size()); }
  Eigen::Index n_features_in() const { return coef_.cols(); }
  // sklearn's coef_ / intercept_: one row per class, or a single row for two classes.
  const row_matrix& coef() const { return coef_; }
  const Eigen::VectorXd& intercept() const { return intercept_; }
  const lbfgs_report& report() const { return report_; }
  int n_iter() const { return report_.iterations; }
  const logistic_regression_params& params() const { return params_; }

 private:
  static constexpr char kMagic[9] = "CNTS-LR1";
  static constexpr std::uint32_t kVersion = 1;

  row_matrix transform(const matrix_ref& X) const;

  logistic_regression_params params_;
  std::vector<int> classes_;
  row_matrix coef_;
  Eigen::VectorXd intercept_;
  Eigen::RowVectorXd mean_, scale_;
  lbfgs_report report_;
};

#if CANTUS_CLASSIFY_DEFINITIONS
CANTUS_CLASSIFY_INLINE logistic_regression& logistic_regression::fit(const matrix_ref& X_in, labels_ref y) {
  const auto& p = params_;
  if (!(p.C > 0) || !std::isfinite(p.C)) throw value_error(cantus::detail::concat("logistic_regression: C must be > 0 but found ", p.C));
  if (p.max_iter < 1) throw value_error(cantus::detail::concat("logistic_regression: max_iter must be >= 1 but found ", p.max_iter));
  if (!(p.tol > 0)) throw value_error(cantus::detail::concat("logistic_regression: tol must be > 0 but found ", p.tol));
  detail::check_matrix("logistic_regression::fit", "X", X_in);
  detail::check_labels("logistic_regression::fit", X_in, y);
  const std::vector<int> encoded = detail::encode_labels("logistic_regression::fit", y, classes_);
  const Eigen::Index n = X_in.rows(), d = X_in.cols();
  const int K = static_cast<int>(classes_.size());
  const int rows = K == 2 ? 1 : K;  // parameterised logit rows

  mean_ = Eigen::RowVectorXd::Zero(d);
  scale_ = Eigen::RowVectorXd::Ones(d);
  if (p.standardize) {
    mean_ = X_in.colwise().mean();
    for (Eigen::Index j = 0; j < d; ++j) {
      const double var = (X_in.col(j).array() - mean_[j]).square().mean();
      scale_[j] = var > 0 ? std::sqrt(var) : 1.0;
    }
  }
  const row_matrix X = transform(X_in);
  Eigen::MatrixXd Y = Eigen::MatrixXd::Zero(n, rows);  // one-hot targets of the parameterised rows
  for (Eigen::Index i = 0; i < n; ++i) {
    if (K == 2) Y(i, 0) = encoded[i];
    else Y(i, encoded[i]) = 1.0;
  }
  const double alpha = 1.0 / p.C;
  const Eigen::Index nw = rows * d;
  // Rows are processed in fixed blocks whose partial sums are added in block order, so the loss
  // and gradient are bit-identical for any thread count (and Eigen's own GEMM threading, which
  // spins badly on a busy machine, stays out of the way: inside a parallel region it runs serial).
  constexpr Eigen::Index kBlock = 512;
  const Eigen::Index n_blocks = (n + kBlock - 1) / kBlock;
  std::vector<row_matrix> partial_dW(static_cast<std::size_t>(n_blocks));
  std::vector<Eigen::VectorXd> partial_db(static_cast<std::size_t>(n_blocks));
  std::vector<double> partial_loss(static_cast<std::size_t>(n_blocks));
  // Threads pay only when an evaluation is big enough to outweigh waking them (a 6400 x 100 x 8
  // problem evaluates in ~1.5 ms on one core). Serially, the products use a matrix type of at most
  // 32 rows (classes first), for which Eigen's GEMM never starts an OpenMP team of its own (it
  // would spin against ours, or nest inside the inactive region); in a real team they use the
  // backend's dispatched GEMM. More than 32 classes always take the parallel path.
  const bool parallel = rows > 32 || static_cast<double>(n) * static_cast<double>(d) * rows > 8e6;
  auto block = [&](const Eigen::VectorXd& theta, Eigen::Index blk, auto& Zt, auto& dWb) {
    Eigen::Map<const row_matrix> W(theta.data(), rows, d);
    const Eigen::Index i0 = blk * kBlock, m = std::min(kBlock, n - i0);
    const auto Xb = X.middleRows(i0, m);
    if constexpr (std::is_same_v<std::decay_t<decltype(Zt)>, row_matrix>) {
      // Inside an active parallel team: the backend's run-time dispatched (AVX2/AVX-512) GEMM,
      // which runs single-threaded there.
      Zt.resize(rows, m);
      backend_ops<cpu>::gemm<double>(transpose::no, transpose::yes, rows, m, d, 1.0, W.data(), d, Xb.data(), d, 0.0,
                                     Zt.data(), m);
    } else {
      Zt.noalias() = W * Xb.transpose();  // logits, classes x samples
    }
    if (p.fit_intercept) Zt.colwise() += theta.tail(rows);
    double loss = 0;
    for (Eigen::Index r = 0; r < m; ++r) {
      const auto i = i0 + r;
      // Log-sum-exp over all K logits, the implicit zero logit of class 0 included when K == 2.
      const double mx = K == 2 ? std::max(0.0, Zt(0, r)) : Zt.col(r).maxCoeff();
      double s = K == 2 ? std::exp(-mx) : 0.0;
      for (int k = 0; k < rows; ++k) s += std::exp(Zt(k, r) - mx);
      const double lse = mx + std::log(s);
      const double target = K == 2 ? (encoded[i] ? Zt(0, r) : 0.0) : Zt(encoded[i], r);
      loss += lse - target;
      for (int k = 0; k < rows; ++k) Zt(k, r) = std::exp(Zt(k, r) - lse) - Y(i, k);  // now dloss/dlogits
    }
    partial_loss[blk] = loss;
    if constexpr (std::is_same_v<std::decay_t<decltype(Zt)>, row_matrix>) {
      dWb.resize(rows, d);
      backend_ops<cpu>::gemm<double>(transpose::no, transpose::no, rows, d, m, 1.0, Zt.data(), m, Xb.data(), d, 0.0,
                                     dWb.data(), d);
    } else {
      dWb.noalias() = Zt * Xb;
    }
    partial_dW[blk] = dWb;
    partial_db[blk] = Zt.rowwise().sum();
  };
  auto objective = [&](const Eigen::VectorXd& theta, Eigen::VectorXd& grad) {
    Eigen::Map<const row_matrix> W(theta.data(), rows, d);
#pragma omp parallel for schedule(static) if (parallel)
    for (Eigen::Index blk = 0; blk < n_blocks; ++blk) {
      if (rows <= 32 && (!parallel || omp_get_num_threads() == 1)) {
        using few_rows = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor, 32, Eigen::Dynamic>;
        few_rows Zt, dWb;
        block(theta, blk, Zt, dWb);
      } else {
        row_matrix Zt, dWb;
        block(theta, blk, Zt, dWb);
      }
    }
    double loss = 0.5 * alpha * theta.head(nw).squaredNorm();
    Eigen::Map<row_matrix> dW(grad.data(), rows, d);
    dW = alpha * W;
    if (p.fit_intercept) grad.tail(rows).setZero();
    for (Eigen::Index blk = 0; blk < n_blocks; ++blk) {
      loss += partial_loss[blk];
      dW += partial_dW[blk];
      if (p.fit_intercept) grad.tail(rows) += partial_db[blk];
    }
    return loss;
  };
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(nw + (p.fit_intercept ? rows : 0));
  lbfgs_options opt;
  opt.max_iter = p.max_iter;
  opt.gtol = p.tol;
  report_ = lbfgs_minimize(objective, theta, opt);
  coef_ = Eigen::Map<const row_matrix>(theta.data(), rows, d);
  intercept_ = p.fit_intercept ? Eigen::VectorXd(theta.tail(rows)) : Eigen::VectorXd::Zero(rows);
  return *this;
}

CANTUS_CLASSIFY_INLINE Eigen::MatrixXd logistic_regression::decision_function(const matrix_ref& X_in) const {
  detail::check_features("logistic_regression::decision_function", X_in, coef_.cols());
  detail::check_matrix("logistic_regression::decision_function", "X", X_in);
  const row_matrix X = transform(X_in);
  Eigen::MatrixXd Z(X.rows(), n_classes());
  if (n_classes() == 2) {
    Z.col(0).setZero();
    Z.col(1) = (X * coef_.row(0).transpose()).array() + intercept_[0];
  } else {
    Z.noalias() = X * coef_.transpose();
    Z.rowwise() += intercept_.transpose();
  }
  return Z;
}

CANTUS_CLASSIFY_INLINE Eigen::MatrixXd logistic_regression::predict_proba(const matrix_ref& X) const {
  Eigen::MatrixXd P = decision_function(X);
  for (Eigen::Index i = 0; i < P.rows(); ++i) {
    P.row(i).array() = (P.row(i).array() - P.row(i).maxCoeff()).exp();
    P.row(i) /= P.row(i).sum();
  }
  return P;
}

CANTUS_CLASSIFY_INLINE Eigen::VectorXi logistic_regression::predict(const matrix_ref& X) const {
  return detail::classes_of_row_max(decision_function(X), classes_);
}

CANTUS_CLASSIFY_INLINE double logistic_regression::score(const matrix_ref& X, labels_ref y) const {
  detail::check_labels("logistic_regression::score", X, y);
  return accuracy_score(y, predict(X));
}

CANTUS_CLASSIFY_INLINE void logistic_regression::save(const std::filesystem::path& path) const {
  const std::string bytes = to_bytes();
  write_file_atomically(path, [&](std::ofstream& out) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); });
}

CANTUS_CLASSIFY_INLINE std::string logistic_regression::to_bytes() const {
  if (coef_.size() == 0) throw value_error("logistic_regression::save: the model is not fitted");
  std::ostringstream out(std::ios::binary);
  {
    detail::binary_writer w(out);
    out.write(kMagic, 8);
    w.put<std::uint32_t>(kVersion);
    w.put(params_.C);
    w.put<std::int32_t>(params_.max_iter);
    w.put(params_.tol);
    w.put<std::uint8_t>(params_.fit_intercept);
    w.put<std::uint8_t>(params_.standardize);
    w.put_vector(classes_);
    w.put<std::int64_t>(coef_.rows());
    w.put<std::int64_t>(coef_.cols());
    w.put_vector(std::vector<double>(coef_.data(), coef_.data() + coef_.size()));
    w.put_vector(std::vector<double>(intercept_.data(), intercept_.data() + intercept_.size()));
    w.put_vector(std::vector<double>(mean_.data(), mean_.data() + mean_.size()));
    w.put_vector(std::vector<double>(scale_.data(), scale_.data() + scale_.size()));
    w.put<std::int32_t>(report_.iterations);
    w.put(report_.loss);
    w.put(report_.gradient_norm);
    w.put<std::uint8_t>(report_.converged);
  }
  return std::move(out).str();
}

CANTUS_CLASSIFY_INLINE logistic_regression logistic_regression::load(const std::filesystem::path& path) {
  return from_bytes(detail::binary_reader::file_bytes(path), path.string());
}

CANTUS_CLASSIFY_INLINE logistic_regression logistic_regression::from_bytes(std::string_view bytes, const std::string& name) {
  detail::binary_reader r(bytes, name, std::string_view(kMagic, 8), kVersion);
  logistic_regression m;
  m.params_.C = r.get<double>("C");
  m.params_.max_iter = r.get<std::int32_t>("max_iter");
  m.params_.tol = r.get<double>("tol");
  m.params_.fit_intercept = r.get<std::uint8_t>("fit_intercept") != 0;
  m.params_.standardize = r.get<std::uint8_t>("standardize") != 0;
  m.classes_ = r.get_vector<int>("classes");
  const auto rows = r.get<std::int64_t>("coef rows"), cols = r.get<std::int64_t>("coef columns");
  const auto K = static_cast<std::int64_t>(m.classes_.size());
  if (K < 2 || rows != (K == 2 ? 1 : K) || cols <= 0 || cols > (1ll << 32))
    r.corrupt(cantus::detail::concat("coefficient shape [", rows, ", ", cols, "] does not fit ", K, " classes"));
  auto coef = r.get_vector<double>("coef");
  auto intercept = r.get_vector<double>("intercept");
  auto mean = r.get_vector<double>("mean");
  auto scale = r.get_vector<double>("scale");
  if (coef.size() != static_cast<std::size_t>(rows * cols) || intercept.size() != static_cast<std::size_t>(rows) ||
      mean.size() != static_cast<std::size_t>(cols) || scale.size() != static_cast<std::size_t>(cols))
    r.corrupt("array sizes do not match the coefficient shape");
  m.coef_ = Eigen::Map<row_matrix>(coef.data(), rows, cols);
  m.intercept_ = Eigen::Map<Eigen::VectorXd>(intercept.data(), rows);
  m.mean_ = Eigen::Map<Eigen::RowVectorXd>(mean.data(), cols);
  m.scale_ = Eigen::Map<Eigen::RowVectorXd>(scale.data(), cols);
  m.report_.iterations = r.get<std::int32_t>("iterations");
  m.report_.loss = r.get<double>("loss");
  m.report_.gradient_norm = r.get<double>("gradient norm");
  m.report_.converged = r.get<std::uint8_t>("converged") != 0;
  r.expect_end();
  return m;
}

CANTUS_CLASSIFY_INLINE row_matrix logistic_regression::transform(const matrix_ref& X) const {
  if (!params_.standardize) return X;
  return (X.rowwise() - mean_).array().rowwise() / scale_.array();
}
#endif  // CANTUS_CLASSIFY_DEFINITIONS

}  // namespace cantus::classify
