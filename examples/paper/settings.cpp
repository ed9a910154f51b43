// paper::setting (settings.hpp): every paper setting's check, for flags and --config alike.
#include "settings.hpp"

#include <algorithm>
#include <limits>

#include "cli.hpp"

namespace paper::setting {

namespace {
constexpr auto big = std::numeric_limits<std::int64_t>::max();
constexpr auto real_max = std::numeric_limits<double>::max();

std::string model_list() {
  std::string r;
  for (const auto& n : all_models()) r.append(r.empty() ? "" : ", ").append(n);
  return r;
}
}  // namespace

int threads(const std::string& name, const std::string& text) { return cli::parse_threads(name, text, false); }
std::uint64_t seed(const std::string& name, const std::string& text) { return cli::parse_seed(name, text); }

std::string backend(const std::string& name, const std::string& text) {
  if (text != "cpu" && text != "cuda") throw cli::bad_value(name, "one of cpu|cuda", text);
  return text;
}
bool quick_preset(const std::string& name, const std::string& text) {
  if (text != "quick" && text != "full") throw cli::bad_value(name, "one of quick|full", text);
  return text == "quick";
}
models::pooling pooling(const std::string& name, const std::string& text) {
  if (text == "mean") return models::pooling::mean;
  if (text == "mean+std") return models::pooling::mean_std;
  throw cli::bad_value(name, "one of mean|mean+std", text);
}
double share(const std::string& name, const std::string& text) { return cli::parse_real(name, text, 0, 1); }

std::vector<std::string> models(const std::string& name, const std::string& text) {
  auto names = cli::split_list(text);
  if (names.empty()) throw cli::bad_value(name, "a comma-separated list of models (" + model_list() + ")", text);
  for (const auto& m : names)
    if (!is_model(m))
      throw cli::bad_value(name, "a model name (naive_seq2seq, naive_seq2seq_zN with N in 1..4096, step_vae, seq2seq_mel, wavenet, supervised_cnn)", m);
  // A model named twice would train twice into the same run folder and fill two rows of every table.
  for (std::size_t i = 0; i < names.size(); ++i)
    if (std::count(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(i), names[i]) > 0)
      throw cli::bad_value(name, "each model once", text);
  return names;
}

double learning_rate(const std::string& name, const std::string& text) {
  const double v = cli::parse_real(name, text, 0, real_max, "a learning rate > 0");
  if (!(v > 0)) throw cli::bad_value(name, "a learning rate > 0", text);
  return v;
}
double non_negative(const std::string& name, const std::string& text) { return cli::parse_real(name, text, 0, real_max); }
std::int64_t count(const std::string& name, const std::string& text) { return cli::parse_integer<std::int64_t>(name, text, 0, big); }
std::int64_t count_or_all(const std::string& name, const std::string& text) {
  return text == "all" ? 0 : cli::parse_integer<std::int64_t>(name, text, 1, big, "a positive integer or all");
}
std::int64_t batch_size(const std::string& name, const std::string& text) {
  return cli::parse_integer<std::int64_t>(name, text, 1, std::numeric_limits<index_t>::max());
}
models::lr_schedule schedule(const std::string& name, const std::string& text) {
  try {
    return models::lr_schedule::parse(text, name);
  } catch (const std::exception& e) {
    throw cli::validation_error(e.what());
  }
}

}  // namespace paper::setting
