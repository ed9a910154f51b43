#pragma once
// What every classifier shares: the matrix and label types it accepts, input checks whose messages
// name the argument with what was expected and what was found, scikit-learn's `classes_` encoding,
// and the versioned binary format used by save()/load().
#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cantus/base/error.hpp"
#include "cantus/core/atomic_file.hpp"

// Separate compilation, as the SIMD dispatch units: the build tree compiles the classifiers' member
// functions once (classify/compiled.cpp, object library cantus_classify_objects) and defines
// CANTUS_CLASSIFY_COMPILED for every other file, which then sees declarations only (the random forest,
// logistic regression and t-SNE cost 10-15 s of compile time in each file that fits them). Without
// it (an installed cantus, any consumer) they are inline definitions, header-only as ever.
#if defined(CANTUS_CLASSIFY_COMPILED) && CANTUS_CLASSIFY_COMPILED && !defined(CANTUS_CLASSIFY_IMPLEMENTATION)
#define CANTUS_CLASSIFY_DEFINITIONS 0
#else
#define CANTUS_CLASSIFY_DEFINITIONS 1
#endif
#if defined(CANTUS_CLASSIFY_IMPLEMENTATION)
#define CANTUS_CLASSIFY_INLINE
#else
#define CANTUS_CLASSIFY_INLINE inline
#endif

namespace cantus::classify {

// Samples in rows, features in columns. A column-major Eigen::MatrixXd binds too (Eigen copies it
// into a row-major temporary for the call).
using row_matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using matrix_ref = Eigen::Ref<const row_matrix>;

// Integer labels from an Eigen::VectorXi, a std::vector<int> or any contiguous span of int.
struct labels_ref {
  std::span<const int> values;
  labels_ref(const std::vector<int>& v) : values(v) {}                                    // NOLINT
  labels_ref(const Eigen::VectorXi& v) : values(v.data(), static_cast<std::size_t>(v.size())) {}  // NOLINT
  labels_ref(std::span<const int> v) : values(v) {}                                        // NOLINT
  std::size_t size() const { return values.size(); }
  int operator[](std::size_t i) const { return values[i]; }
};

namespace detail {

// X must be non-empty and finite everywhere; `where` names the call ("random_forest::fit").
inline void check_matrix(std::string_view where, std::string_view arg, const matrix_ref& X) {
  if (X.rows() == 0 || X.cols() == 0)
    throw value_error(cantus::detail::concat(where, ": ", arg, " must be a non-empty matrix but found shape [", X.rows(),
                                             ", ", X.cols(), "]"));
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    for (Eigen::Index j = 0; j < X.cols(); ++j)
      if (!std::isfinite(X(i, j)))
        throw value_error(cantus::detail::concat(where, ": ", arg, " must be finite but ", arg, "(", i, ", ", j,
                                                 ") = ", X(i, j)));
}

inline void check_labels(std::string_view where, const matrix_ref& X, labels_ref y) {
  if (static_cast<Eigen::Index>(y.size()) != X.rows())
    throw shape_error(cantus::detail::concat(where, ": y must hold one label per row of X: expected ", X.rows(),
                                             " labels but found ", y.size()));
}

inline void check_features(std::string_view where, const matrix_ref& X, Eigen::Index fitted_features) {
  if (fitted_features == 0)
    throw value_error(cantus::detail::concat(where, ": the model is not fitted; call fit(X, y) or load(path) first"));
  if (X.cols() != fitted_features)
    throw shape_error(cantus::detail::concat(where, ": X has ", X.cols(), " features but the model was fitted with ",
                                             fitted_features, " (expected shape [n, ", fitted_features, "], found [",
                                             X.rows(), ", ", X.cols(), "])"));
}

// scikit-learn's classes_: the sorted distinct labels; returns each sample's class index.
inline std::vector<int> encode_labels(std::string_view where, labels_ref y, std::vector<int>& classes) {
  classes.assign(y.values.begin(), y.values.end());
  std::sort(classes.begin(), classes.end());
  classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
  if (classes.size() < 2)
    throw value_error(cantus::detail::concat(where, ": y must hold at least 2 classes to fit a classifier but found ",
                                             classes.size(), classes.empty() ? "" : " (label ",
                                             classes.empty() ? 0 : classes[0], classes.empty() ? "" : ")"));
  std::vector<int> encoded(y.size());
  for (std::size_t i = 0; i < y.size(); ++i)
    encoded[i] = static_cast<int>(std::lower_bound(classes.begin(), classes.end(), y[i]) - classes.begin());
  return encoded;
}

// The class of each row's largest score (the first maximum, as numpy.argmax): what predict() returns
// from decision values or probabilities whose columns follow `classes`.
inline Eigen::VectorXi classes_of_row_max(const Eigen::MatrixXd& scores, const std::vector<int>& classes) {
  Eigen::VectorXi out(scores.rows());
  for (Eigen::Index i = 0; i < scores.rows(); ++i) {
    Eigen::Index best = 0;
    scores.row(i).maxCoeff(&best);
    out[i] = classes[static_cast<std::size_t>(best)];
  }
  return out;
}

// --- versioned binary files: magic, version, then plain little-endian values ----------------------
class binary_writer {
 public:
  explicit binary_writer(std::ostream& out) : out_(out) {}
  template <class T>
  void put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    out_.write(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  template <class T>
  void put_vector(const std::vector<T>& v) {
    put<std::uint64_t>(v.size());
    out_.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(T)));
  }
  void put_string(const std::string& s) {
    put<std::uint64_t>(s.size());
    out_.write(s.data(), static_cast<std::streamsize>(s.size()));
  }

 private:
  std::ostream& out_;
};

class binary_reader {
 public:
  binary_reader(const std::filesystem::path& path, std::string_view magic, std::uint32_t version) : path_(path.string()) {
    const std::string b = file_bytes(path);
    bytes_.assign(b.begin(), b.end());
    check_header(magic, version);
  }
  // The whole of a model file, or an io_error naming it.
  static std::string file_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw io_error(cantus::detail::concat(path.string(), ": cannot open model file for reading"));
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  // A model's bytes held in memory (e.g. a sealed file's payload); `name` stands for the file in messages.
  binary_reader(std::string_view bytes, std::string name, std::string_view magic, std::uint32_t version) : path_(std::move(name)) {
    bytes_.assign(bytes.begin(), bytes.end());
    check_header(magic, version);
  }
  void check_header(std::string_view magic, std::uint32_t version) {
    if (bytes_.size() < magic.size() + 4 || std::memcmp(bytes_.data(), magic.data(), magic.size()) != 0)
      throw io_error(cantus::detail::concat(path_, ": not a ", magic, " model file (expected the magic bytes \"", magic,
                                            "\" at its start)"));
    pos_ = magic.size();
    const auto found = get<std::uint32_t>("version");
    if (found != version)
      throw io_error(cantus::detail::concat(path_, ": unsupported ", magic, " file version: expected ", version,
                                            " but found ", found));
  }
  template <class T>
  T get(std::string_view what) {
    static_assert(std::is_trivially_copyable_v<T>);
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  template <class T>
  std::vector<T> get_vector(std::string_view what, std::uint64_t max_count = (1ull << 40)) {
    const auto n = get<std::uint64_t>(what);
    if (n > max_count || n * sizeof(T) > bytes_.size() - pos_)
      throw io_error(cantus::detail::concat(path_, ": truncated or corrupt model file: ", what, " claims ", n,
                                            " values but only ", bytes_.size() - pos_, " bytes remain"));
    std::vector<T> v(n);
    if (n) std::memcpy(v.data(), bytes_.data() + pos_, n * sizeof(T));  // an empty vector's data() may be null
    pos_ += n * sizeof(T);
    return v;
  }
  std::string get_string(std::string_view what) {
    auto v = get_vector<char>(what);
    return std::string(v.begin(), v.end());
  }
  void expect_end() const {
    if (pos_ != bytes_.size())
      throw io_error(cantus::detail::concat(path_, ": corrupt model file: ", bytes_.size() - pos_,
                                            " unexpected bytes after the model"));
  }
  [[noreturn]] void corrupt(std::string_view what) const {
    throw io_error(cantus::detail::concat(path_, ": corrupt model file: ", what));
  }
  const std::string& path() const { return path_; }
  // Bytes not read yet: what a count read from the file is checked against before anything is
  // allocated for it.
  std::size_t remaining() const { return bytes_.size() - pos_; }

 private:
  void need(std::size_t n, std::string_view what) const {
    if (bytes_.size() - pos_ < n)
      throw io_error(cantus::detail::concat(path_, ": truncated model file: reading ", what, " needs ", n,
                                            " bytes but only ", bytes_.size() - pos_, " remain"));
  }
  std::string path_;
  std::vector<char> bytes_;
  std::size_t pos_ = 0;
};

}  // namespace detail
}  // namespace cantus::classify
