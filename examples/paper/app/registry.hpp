#pragma once
// The models the paper programs (table1, table2, table3, figure5/6, embed, predict), bench_models and
// the data-parallel tests know. Adding a model is its typedef and an entry of a few lines here:
//
//   struct step_vae {                                   // in namespace paper::entries
//     static constexpr const char* name = "step_vae";   // what --models says
//     template <class B> using model_on = models::step_vae<B>;
//     using data = mel_frames;                          // what it reads (app/data_kinds.hpp)
//     static constexpr const char* error_measure = "..."; // what table2 reports for it
//   };
//
// and its model_entry<> in `model_entries`. Optional members: `reference` (its name in the PyTorch
// benchmark script; default: name), `matches(name)` and `configure(config, name)` for a family of
// names (naive_seq2seq_zN). Everything else comes from the model and the presets (app/presets.hpp):
// its configuration type, whether it is supervised (its data kind is labelled), its sizes and plans.
#include <charconv>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "app/data_kinds.hpp"
#include "app/presets.hpp"
#include "cantus/base/error.hpp"
#include "cantus/models/naive_seq2seq.hpp"
#include "cantus/models/seq2seq_mel.hpp"
#include "cantus/models/step_vae.hpp"
#include "cantus/models/supervised_cnn.hpp"
#include "cantus/models/wavenet.hpp"

namespace paper {

namespace entries {

// (1) The naive GRU on raw audio. "naive_seq2seq_zN" is the same model with latent size N (the paper
// tries 8, 16 and 32); plain "naive_seq2seq" keeps the configured size.
struct naive_seq2seq {
  static constexpr const char* name = "naive_seq2seq";
  template <class B>
  using model_on = models::naive_seq2seq<B>;
  using data = raw_chunks;
  static constexpr const char* error_measure =
      "MSE per sample, raw waveform scaled to unit RMS over the training tracks, teacher-forced decoder vs chunk";
  static constexpr const char* reference = "gru_seq2seq";
  // The latent size N of "naive_seq2seq_zN" (0 for plain "naive_seq2seq"), or -1 when `n` is neither.
  static long latent_of(const std::string& n) {
    static const std::string sized = std::string(name) + "_z";
    if (n == name) return 0;
    if (n.rfind(sized, 0) != 0) return -1;
    long v = 0;
    const char *first = n.data() + sized.size(), *last = n.data() + n.size();
    const auto [end, ec] = std::from_chars(first, last, v);
    return first == last || ec != std::errc{} || end != last || v < 1 || v > 4096 ? -1 : v;
  }
  static bool matches(const std::string& n) { return latent_of(n) >= 0; }
  static void configure(models::naive_seq2seq_config& c, const std::string& n) {
    if (const long z = latent_of(n); z > 0) c.hidden = static_cast<index_t>(z);
  }
};

// (2) The step-based beta-VAE on log-mel frames.
struct step_vae {
  static constexpr const char* name = "step_vae";
  template <class B>
  using model_on = models::step_vae<B>;
  using data = mel_frames;
  static constexpr const char* error_measure = "MSE per log-mel bin, standardised log-mel, decoder(mu) vs frame";
};

// (3) The LSTM autoencoder on log-mel chunks.
struct seq2seq_mel {
  static constexpr const char* name = "seq2seq_mel";
  template <class B>
  using model_on = models::seq2seq_mel<B>;
  using data = mel_chunks;
  static constexpr const char* error_measure = "MSE per log-mel bin, standardised log-mel, teacher-forced decoder vs chunk";
  static constexpr const char* reference = "lstm_seq2seq";
};

// (4) WaveNet on mu-law audio conditioned on the log-mel.
struct wavenet {
  static constexpr const char* name = "wavenet";
  template <class B>
  using model_on = models::wavenet<B>;
  using data = mulaw_with_mel;
  static constexpr const char* error_measure = "cross-entropy (nats) of the next mu-law sample (not a reconstruction: WaveNet predicts)";
};

// (5) The supervised CNN baseline (its genre count is the corpus's).
struct supervised_cnn {
  static constexpr const char* name = "supervised_cnn";
  template <class B>
  using model_on = models::supervised_cnn<B>;
  using data = labelled_mel_chunks;
  static constexpr const char* error_measure = "cross-entropy of the genre (nats)";
  static constexpr const char* reference = "cnn";
};

}  // namespace entries

// An entry with everything the programs use derived from it: the model on the CPU, its configuration
// in a preset, its plans, its data set and a synthetic batch.
template <class Entry>
struct model_entry : Entry {
  using model = typename Entry::template model_on<cpu>;
  using config_type = typename model::config_type;
  using data_kind = typename Entry::data;
  static constexpr bool supervised = data_kind::labelled;
  static constexpr const char* reference = [] {
    if constexpr (requires { Entry::reference; }) return Entry::reference;
    else return Entry::name;
  }();

  // Whether `n` names this model (its own matches() where it has one).
  static bool names(const std::string& n) {
    if constexpr (requires { Entry::matches(n); }) return Entry::matches(n);
    else return n == Entry::name;
  }
  static config_type config(bool quick, const std::string& n = Entry::name) {
    auto c = preset_config<config_type>(quick);
    if constexpr (requires { Entry::configure(c, n); }) Entry::configure(c, n);
    return c;
  }
  static training_plan plan(bool quick) {
    const auto p = preset_for(Entry::name);
    return quick ? p.quick : p.full;
  }
  // Rows per batch when measuring the test error.
  static index_t eval_batch(bool quick) {
    const auto p = preset_for(Entry::name);
    return p.eval_batch > 0 ? p.eval_batch : plan(quick).training.batch_size;
  }
  static auto data(track_source s, const config_type& c, bool quick, index_t cap) {
    return data_kind::make(std::move(s), c, quick, cap);
  }
  static typename model::batch_type synthetic_batch(const config_type& c, index_t batch, std::uint64_t seed) {
    return data_kind::synthetic(c, batch, seed);
  }
};

using naive_seq2seq_entry = model_entry<entries::naive_seq2seq>;
using step_vae_entry = model_entry<entries::step_vae>;
using seq2seq_mel_entry = model_entry<entries::seq2seq_mel>;
using wavenet_entry = model_entry<entries::wavenet>;
using supervised_cnn_entry = model_entry<entries::supervised_cnn>;

// Every model the programs know, in the order they run.
using model_entries = std::tuple<naive_seq2seq_entry, step_vae_entry, seq2seq_mel_entry, wavenet_entry, supervised_cnn_entry>;

inline std::vector<std::string> model_names(bool unsupervised_only = false) {
  std::vector<std::string> r;
  std::apply([&](auto... e) { ((unsupervised_only && decltype(e)::supervised ? void() : r.push_back(decltype(e)::name)), ...); },
             model_entries{});
  return r;
}
inline bool known_model(const std::string& name) {
  return std::apply([&](auto... e) { return (decltype(e)::names(name) || ...); }, model_entries{});
}

namespace internal {
template <std::size_t I, class F>
decltype(auto) visit_from(const std::string& name, F& f) {
  using E = std::tuple_element_t<I, model_entries>;
  if constexpr (I + 1 < std::tuple_size_v<model_entries>) {
    if (E::names(name)) return f(E{});
    return visit_from<I + 1>(name, f);
  } else {
    if (E::names(name)) return f(E{});
    std::string known;
    for (const auto& n : model_names()) known += (known.empty() ? "" : ", ") + n;
    throw value_error("unknown model '" + name + "' (known: " + known + ")");
  }
}
}  // namespace internal

// Calls f(Entry{}) for the entry that names `name`; an unknown name is a value_error listing the known.
template <class F>
decltype(auto) visit_model(const std::string& name, F&& f) {
  return internal::visit_from<0>(name, f);
}

}  // namespace paper
