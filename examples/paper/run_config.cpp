// A run's settings as JSON: what a paper program writes to --out/config.json and reads back with
// --config FILE, so that a run can be repeated exactly. Compiled once (nlohmann/json is heavy).
#include <nlohmann/json.hpp>

#include "paper_experiment.hpp"

namespace paper {

using json = nlohmann::json;

namespace {

json plan_json(const plan& p) {
  const auto& t = p.training;
  return {{"epochs", t.epochs},
          {"steps_per_epoch", t.steps_per_epoch == 0 ? json("all") : json(t.steps_per_epoch)},
          {"patience", t.patience},
          {"train_windows", p.train_windows == 0 ? json("all") : json(p.train_windows)},
          {"embed_windows", p.embed_windows == 0 ? json("all") : json(p.embed_windows)},
          {"batch_size", t.batch_size},
          {"learning_rate", t.learning_rate},
          {"lr_schedule", t.schedule.str()},
          {"clip_norm", t.clip_norm},
          {"validation_batches", t.validation_batches == 0 ? json("all") : json(t.validation_batches)}};
}

// A count where "all" means 0; and "model", which configs written before batch size and learning rate
// were recorded as numbers hold: 0, filled in from the preset (fill_from_preset).
std::int64_t count(const json& j, const char* key, const std::string& where, const char* word = nullptr) {
  const auto& v = j.at(key);
  if (word && v.is_string() && v.get<std::string>() == word) return 0;
  if (!v.is_number_integer() || v.get<std::int64_t>() < 0)
    throw value_error(cantus::detail::concat(where, ".", key, ": expected an integer >= 0", word ? std::string(" or \"") + word + "\"" : "",
                                             ", found ", v.dump()));
  return v.get<std::int64_t>();
}
double real(const json& j, const char* key, const std::string& where, const char* word = nullptr) {
  const auto& v = j.at(key);
  if (word && v.is_string() && v.get<std::string>() == word) return 0;
  if (!v.is_number()) throw value_error(cantus::detail::concat(where, ".", key, ": expected a number, found ", v.dump()));
  return v.get<double>();
}

// Checked whole by the caller once the preset has filled a "model" batch size or rate (parse()).
plan plan_from(const json& j, const std::string& where) {
  plan p;
  auto& t = p.training;
  t.epochs = count(j, "epochs", where);
  t.steps_per_epoch = count(j, "steps_per_epoch", where, "all");
  t.patience = count(j, "patience", where);
  p.train_windows = count(j, "train_windows", where, "all");
  p.embed_windows = count(j, "embed_windows", where, "all");
  t.batch_size = count(j, "batch_size", where, "model");
  t.learning_rate = real(j, "learning_rate", where, "model");
  t.schedule = lr_schedule::parse(j.at("lr_schedule").get<std::string>(), where + ".lr_schedule");
  t.clip_norm = real(j, "clip_norm", where);
  t.validation_batches = count(j, "validation_batches", where, "all");
  return p;
}

}  // namespace

void write_run_config(const fs::path& file, const options& o) {
  json plans = json::object();
  for (const auto& [model, pl] : o.plans) plans[model] = plan_json(pl);
  const json j = {{"cantus_run_config", 1},
                  {"written_by", o.program},
                  {"fma", o.fma.string()},
                  {"folders", o.folders.string()},
                  {"preset", o.quick ? "quick" : "full"},
                  {"seed", o.seed},
                  {"threads", o.threads},
                  {"min_decoded_share", o.min_decoded_share},
                  {"backend", o.backend},
                  {"models", o.models},
                  {"pooling", models::pooling_name(o.pooling)},
                  {"vae_capacity", o.vae_capacity ? json(*o.vae_capacity) : json(nullptr)},
                  {"vae_gamma", o.vae_gamma ? json(*o.vae_gamma) : json(nullptr)},
                  {"vae_anneal_steps", o.vae_anneal_steps ? json(*o.vae_anneal_steps) : json(nullptr)},
                  {"training", plans}};
  write_text(file, j.dump(2) + "\n");
}

void read_run_config(const fs::path& file, options& o) {
  std::ifstream f(file);
  if (!f) throw io_error(cantus::detail::concat(file.string(), ": cannot open the run configuration"));
  const std::string w = file.string();
  try {
    const json j = json::parse(f);
    if (!j.is_object() || !j.contains("cantus_run_config"))
      throw value_error(w + ": not a cantus run configuration (no \"cantus_run_config\" key)");
    if (j.at("cantus_run_config") != 1)
      throw value_error(cantus::detail::concat(w, ": run configuration version ", j.at("cantus_run_config").dump(), ", expected 1"));
    o.fma = j.at("fma").get<std::string>();
    o.folders = j.at("folders").get<std::string>();
    const auto preset = j.at("preset").get<std::string>();
    if (preset != "quick" && preset != "full") throw value_error(w + ": preset must be quick or full, found '" + preset + "'");
    o.quick = preset == "quick";
    o.seed = j.at("seed").get<std::uint64_t>();
    o.threads = j.at("threads").get<int>();
    // Absent in configurations written before the share existed: the default then applied too.
    o.min_decoded_share = j.value("min_decoded_share", cantus::audio::default_min_decoded_share);
    if (!(o.min_decoded_share >= 0 && o.min_decoded_share <= 1))
      throw value_error(cantus::detail::concat(w, ": min_decoded_share must be a share from 0 to 1, found ", o.min_decoded_share));
    o.backend = j.at("backend").get<std::string>();
    o.models = j.at("models").get<std::vector<std::string>>();
    const auto pooling = j.value("pooling", std::string("mean"));
    if (pooling != "mean" && pooling != "mean+std") throw value_error(w + ": pooling must be mean or mean+std, found '" + pooling + "'");
    o.pooling = pooling == "mean" ? models::pooling::mean : models::pooling::mean_std;
    auto optional_number = [&](const char* key) -> std::optional<double> {
      if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
      if (!j.at(key).is_number() || !(j.at(key).get<double>() >= 0))
        throw value_error(cantus::detail::concat(w, ": ", key, " must be a number >= 0 or null, found ", j.at(key).dump()));
      return j.at(key).get<double>();
    };
    o.vae_capacity = optional_number("vae_capacity");
    o.vae_gamma = optional_number("vae_gamma");
    if (const auto a = optional_number("vae_anneal_steps")) o.vae_anneal_steps = static_cast<std::int64_t>(*a);
    else o.vae_anneal_steps.reset();
    o.plans.clear();
    for (const auto& [model, pj] : j.at("training").items()) o.plans[model] = plan_from(pj, w + ": training." + model);
  } catch (const json::exception& e) {
    throw value_error(w + ": " + e.what());
  }
}

void write_model_card(const fs::path& file, const model_card& c) {
  const auto& m = c.features.mel;
  json j = {{"cantus_model_card", 1},
            {"model", c.model},
            {"preset", c.quick ? "quick" : "full"},
            {"seed", c.seed},
            {"genres", c.genres},
            {"features",
             {{"sr", m.sr}, {"n_fft", m.n_fft}, {"hop_length", m.hop_length}, {"win_length", m.win_length}, {"n_mels", m.n_mels},
              {"fmin", m.fmin}, {"fmax", m.fmax}, {"power", m.power}, {"ref", m.ref}, {"amin", m.amin}, {"top_db", m.top_db},
              {"raw_sample_rate", c.features.raw_sample_rate}, {"max_seconds", c.features.max_seconds},
              {"description", cantus::data::describe(c.features)}}},
            {"standardizer", {{"mean", c.norm.mean}, {"scale", c.norm.scale}}},
            {"raw_gain", c.raw_gain},
            {"embed_windows", c.embed_windows == 0 ? json("all") : json(c.embed_windows)},
            {"pooling", c.pooling}};
  j["vae_capacity"] = c.vae_capacity ? json(*c.vae_capacity) : json(nullptr);
  j["vae_gamma"] = c.vae_gamma ? json(*c.vae_gamma) : json(nullptr);
  j["vae_anneal_steps"] = c.vae_anneal_steps ? json(*c.vae_anneal_steps) : json(nullptr);
  write_text(file, j.dump(2) + "\n");
}

model_card read_model_card(const fs::path& file) {
  const std::string text = read_text(file);
  if (text.empty()) throw cantus::io_error(cantus::detail::concat(file.string(), ": no model card (train the model with a paper program first)"));
  const std::string where = file.string();
  try {
    const json j = json::parse(text);
    if (j.value("cantus_model_card", 0) != 1) throw value_error(cantus::detail::concat(where, ": not a cantus model card (version 1)"));
    model_card c;
    c.model = j.at("model").get<std::string>();
    if (!is_model(c.model)) throw value_error(cantus::detail::concat(where, ": unknown model '", c.model, "'"));
    const auto preset = j.at("preset").get<std::string>();
    if (preset != "quick" && preset != "full") throw value_error(cantus::detail::concat(where, ".preset: expected quick or full, found ", preset));
    c.quick = preset == "quick";
    c.seed = j.at("seed").get<std::uint64_t>();
    c.genres = j.at("genres").get<std::vector<std::string>>();
    const auto& f = j.at("features");
    auto& m = c.features.mel;
    m.sr = real(f, "sr", where + ".features");
    m.n_fft = static_cast<int>(count(f, "n_fft", where + ".features"));
    m.hop_length = static_cast<int>(count(f, "hop_length", where + ".features"));
    m.win_length = static_cast<int>(count(f, "win_length", where + ".features"));
    m.n_mels = static_cast<int>(count(f, "n_mels", where + ".features"));
    m.fmin = real(f, "fmin", where + ".features");
    m.fmax = real(f, "fmax", where + ".features");
    m.power = real(f, "power", where + ".features");
    m.ref = real(f, "ref", where + ".features");
    m.amin = real(f, "amin", where + ".features");
    m.top_db = real(f, "top_db", where + ".features");
    c.features.raw_sample_rate = real(f, "raw_sample_rate", where + ".features");
    c.features.max_seconds = real(f, "max_seconds", where + ".features");
    m.validate();
    // Settings the card does not list keep their defaults; the description says whether that is so.
    if (f.at("description").get<std::string>() != cantus::data::describe(c.features))
      throw value_error(cantus::detail::concat(where, ": the features were made with settings this build does not reproduce"));
    c.norm.mean = j.at("standardizer").at("mean").get<std::vector<float>>();
    c.norm.scale = j.at("standardizer").at("scale").get<std::vector<float>>();
    if (c.norm.mean.size() != static_cast<std::size_t>(m.n_mels) || c.norm.scale.size() != c.norm.mean.size())
      throw value_error(cantus::detail::concat(where, ".standardizer: ", c.norm.mean.size(), " means and ", c.norm.scale.size(),
                                               " scales for ", m.n_mels, " mel bands"));
    c.raw_gain = j.at("raw_gain").get<float>();
    c.embed_windows = count(j, "embed_windows", where, "all");
    c.pooling = j.at("pooling").get<std::string>();
    if (c.pooling != "mean" && c.pooling != "mean+std") throw value_error(cantus::detail::concat(where, ".pooling: ", c.pooling));
    if (!j.at("vae_capacity").is_null()) c.vae_capacity = j.at("vae_capacity").get<double>();
    if (!j.at("vae_gamma").is_null()) c.vae_gamma = j.at("vae_gamma").get<double>();
    if (!j.at("vae_anneal_steps").is_null()) c.vae_anneal_steps = j.at("vae_anneal_steps").get<std::int64_t>();
    return c;
  } catch (const json::exception& e) {
    throw value_error(cantus::detail::concat(where, ": malformed model card: ", e.what()));
  }
}

}  // namespace paper
