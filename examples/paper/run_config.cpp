// A run's settings as JSON: what a paper program writes to --out/config.json and reads back with
// --config FILE, so that a run can be repeated exactly. Compiled once (nlohmann/json is heavy).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>
#include <initializer_list>

#include "cli.hpp"
#include "paper_experiment.hpp"
#include "settings.hpp"

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

namespace {

// A config file parsed with every object's keys checked for repeats: JSON allows a key twice and the
// library keeps the last, so a file could say two things and mean one silently.
json parse_without_repeats(std::istream& in, const std::string& file) {
  std::vector<std::vector<std::string>> keys;  // the keys seen in each open object
  std::vector<std::string> path;               // the object keys leading to the current one
  std::string last_key;
  const json::parser_callback_t cb = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        keys.emplace_back();
        path.push_back(last_key);
        break;
      case json::parse_event_t::object_end:
        keys.pop_back();
        path.pop_back();
        break;
      case json::parse_event_t::key: {
        last_key = parsed.get<std::string>();
        auto& seen = keys.back();
        if (std::find(seen.begin(), seen.end(), last_key) != seen.end()) {
          std::string where;
          for (const auto& p : path)
            if (!p.empty()) where += p + ".";
          throw value_error(cantus::detail::concat(file, ": key '", where, last_key, "' given twice"));
        }
        seen.push_back(last_key);
        break;
      }
      default:
        break;
    }
    return true;
  };
  return json::parse(in, cb);
}

// One object of a config file: each key taken once, known keys only, each value's text checked by the
// setting's own function (paper::setting, the flags' checks) under the name "FILE: key".
class config_object {
 public:
  config_object(const json& j, std::string file, std::string prefix) : j_(j), file_(std::move(file)), prefix_(std::move(prefix)) {
    if (!j_.is_object()) throw value_error(cantus::detail::concat(name(""), ": expected a JSON object, found ", j_.dump()));
  }
  std::string name(const std::string& key) const { return file_ + ": " + prefix_ + key; }
  bool has(const std::string& key) const {
    used_.push_back(key);
    return j_.contains(key) && !j_.at(key).is_null();
  }
  const json& at(const std::string& key) const {
    used_.push_back(key);
    if (!j_.contains(key))
      throw value_error(cantus::detail::concat(name(key), ": missing (a run configuration lists every setting; write one with a paper program's run)"));
    return j_.at(key);
  }
  // The value's text as a flag would carry it: a string's content, a number as JSON writes it. `words`:
  // the strings a setting takes besides numbers ("all"); a setting of numbers refuses any other string,
  // a setting of words refuses numbers.
  std::string text(const std::string& key, bool number, std::initializer_list<const char*> words = {}) const {
    const json& v = at(key);
    if (v.is_string()) {
      const auto t = v.get<std::string>();
      if (!number) return t;
      for (const char* w : words)
        if (t == w) return t;
    } else if (number && v.is_number()) {
      return v.dump();
    }
    std::string expected = number ? "a number" : "a string";
    for (const char* w : words) expected += cantus::detail::concat(" or \"", w, "\"");
    throw cli::bad_value(name(key), expected, v.dump());
  }
  // After reading: a key nobody asked for is a misspelt or foreign setting, not one to ignore.
  void refuse_unknown() const {
    for (const auto& [k, v] : j_.items())
      if (std::find(used_.begin(), used_.end(), k) == used_.end())
        throw value_error(cantus::detail::concat(name(k), ": unknown key (a run configuration has no such setting)"));
  }

 private:
  const json& j_;
  std::string file_, prefix_;
  mutable std::vector<std::string> used_;
};

plan plan_from(const config_object& c) {
  plan p;
  auto& t = p.training;
  t.epochs = setting::count(c.name("epochs"), c.text("epochs", true));
  t.steps_per_epoch = setting::count_or_all(c.name("steps_per_epoch"), c.text("steps_per_epoch", true, {"all"}));
  t.patience = setting::count(c.name("patience"), c.text("patience", true));
  p.train_windows = static_cast<index_t>(setting::count_or_all(c.name("train_windows"), c.text("train_windows", true, {"all"})));
  p.embed_windows = static_cast<index_t>(setting::count_or_all(c.name("embed_windows"), c.text("embed_windows", true, {"all"})));
  // "model": configs written before batch size and learning rate were recorded as numbers; 0 here,
  // filled in from the preset by fill_from_preset.
  const auto batch = c.text("batch_size", true, {"model"});
  t.batch_size = batch == "model" ? 0 : setting::batch_size(c.name("batch_size"), batch);
  const auto lr = c.text("learning_rate", true, {"model"});
  t.learning_rate = lr == "model" ? 0 : setting::learning_rate(c.name("learning_rate"), lr);
  t.schedule = setting::schedule(c.name("lr_schedule"), c.text("lr_schedule", false));
  t.clip_norm = setting::non_negative(c.name("clip_norm"), c.text("clip_norm", true));
  t.validation_batches = setting::count_or_all(c.name("validation_batches"), c.text("validation_batches", true, {"all"}));
  c.refuse_unknown();
  return p;
}

}  // namespace

void read_run_config(const fs::path& file, options& o) {
  std::ifstream f(file);
  if (!f) throw io_error(cantus::detail::concat(file.string(), ": cannot open the run configuration"));
  const std::string w = file.string();
  json j;
  try {
    j = parse_without_repeats(f, w);
  } catch (const json::exception& e) {
    throw value_error(w + ": not valid JSON: " + e.what());
  }
  if (!j.is_object() || !j.contains("cantus_run_config"))
    throw value_error(w + ": not a cantus run configuration (no \"cantus_run_config\" key)");
  const config_object c(j, w, "");
  if (c.at("cantus_run_config") != 1)
    throw value_error(cantus::detail::concat(w, ": run configuration version ", j.at("cantus_run_config").dump(), ", expected 1"));
  c.text("written_by", false);  // who wrote it: for people, not checked further
  o.fma = c.text("fma", false);
  o.folders = c.text("folders", false);
  o.quick = setting::quick_preset(c.name("preset"), c.text("preset", false));
  o.seed = setting::seed(c.name("seed"), c.text("seed", true));
  o.threads = setting::threads(c.name("threads"), c.text("threads", true));
  // Absent in configurations written before the share existed: the default then applied too.
  o.min_decoded_share =
      c.has("min_decoded_share") ? setting::share(c.name("min_decoded_share"), c.text("min_decoded_share", true)) : cantus::audio::default_min_decoded_share;
  o.backend = setting::backend(c.name("backend"), c.text("backend", false));
  const json& models = c.at("models");
  std::string list;
  if (!models.is_array()) throw cli::bad_value(c.name("models"), "a list of model names", models.dump());
  for (const auto& m : models) {
    if (!m.is_string() || m.get<std::string>().find(',') != std::string::npos)
      throw cli::bad_value(c.name("models"), "a list of model names", m.dump());
    list += (list.empty() ? "" : ",") + m.get<std::string>();
  }
  o.models = setting::models(c.name("models"), list);
  o.pooling = c.has("pooling") ? setting::pooling(c.name("pooling"), c.text("pooling", false)) : models::pooling::mean;
  o.vae_capacity.reset(), o.vae_gamma.reset(), o.vae_anneal_steps.reset();
  if (c.has("vae_capacity")) o.vae_capacity = setting::non_negative(c.name("vae_capacity"), c.text("vae_capacity", true));
  if (c.has("vae_gamma")) o.vae_gamma = setting::non_negative(c.name("vae_gamma"), c.text("vae_gamma", true));
  if (c.has("vae_anneal_steps")) o.vae_anneal_steps = setting::count(c.name("vae_anneal_steps"), c.text("vae_anneal_steps", true));
  o.plans.clear();
  const config_object training(c.at("training"), w, "training.");
  for (const auto& [model, pj] : j.at("training").items()) {
    training.has(model);
    if (!is_model(model)) throw cli::bad_value(training.name(model), "a model name", model);
    o.plans[model] = plan_from(config_object(pj, w, "training." + model + "."));
  }
  c.refuse_unknown();
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
    // A key given twice is refused as in a run configuration (the library would keep the last).
    std::istringstream in(text);
    const json j = parse_without_repeats(in, where);
    if (j.value("cantus_model_card", 0) != 1) throw value_error(cantus::detail::concat(where, ": not a cantus model card (version 1)"));
    model_card c;
    c.model = j.at("model").get<std::string>();
    if (!is_model(c.model)) throw value_error(cantus::detail::concat(where, ": unknown model '", c.model, "'"));
    const auto preset = j.at("preset").get<std::string>();
    if (preset != "quick" && preset != "full") throw value_error(cantus::detail::concat(where, ".preset: expected quick or full, found ", preset));
    c.quick = preset == "quick";
    // Checked as --seed is: a negative seed was wrapped into another one.
    const auto& seed = j.at("seed");
    if (!seed.is_number_integer()) throw value_error(cantus::detail::concat(where, ": seed: expected an integer, found ", seed.dump()));
    c.seed = setting::seed(where + ": seed", seed.dump());
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
