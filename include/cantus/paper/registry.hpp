#pragma once
// The paper's models as the paper programs (table1, table2, figure5, figure6), bench_models and the
// embedding code find them: one entry per model naming its typedef, its configuration within a
// models::paper_config, how long it trains, the data set it reads, how its test error is measured
// and a synthetic batch of its input shape. Adding a model is a header with its typedef, one entry
// here and its name in `model_entries` (docs/models.md walks through it).
//
// An entry is a struct with
//   template <class B> using model_on = ...;   the model's typedef on backend B
//   using model = model_on<cpu>;
//   static constexpr const char* name;         what --models says
//   static constexpr const char* reference;    the model's name in the PyTorch benchmark script
//   static constexpr bool supervised;          trained on the genres (its own predictions go to table1)
//   static constexpr index_t eval_batch;       batch size when measuring the test error
//   static constexpr const char* error_measure;
//   static bool matches(const std::string& name);  optional: by default the entry's own name only
//   static model::config_type config(const models::paper_config&, const std::string& name);
//   static training_plan plan(bool quick);     the quick and full presets (the full one: whole epochs,
//                                              early stopping on the validation split)
//   static auto data(track_source, const model::config_type&, bool quick, index_t max_per_track);
//   static model::batch_type synthetic_batch(const model::config_type&, std::uint64_t seed);
#include <charconv>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "cantus/core/error.hpp"
#include "cantus/core/random.hpp"
#include "cantus/models/config.hpp"
#include "cantus/models/naive_seq2seq.hpp"
#include "cantus/models/seq2seq_mel.hpp"
#include "cantus/models/step_vae.hpp"
#include "cantus/models/supervised_cnn.hpp"
#include "cantus/models/wavenet.hpp"
#include "cantus/paper/datasets.hpp"
#include "cantus/paper/training_plan.hpp"

namespace cantus::paper {

namespace internal {
// Whether `n` names entry E (its own matches() where it has one, e.g. naive_seq2seq_zN).
template <class E>
bool names(const std::string& n) {
  if constexpr (requires { E::matches(n); }) return E::matches(n);
  else return n == E::name;
}

template <class T, std::size_t R>
tensor<T, R> normal_tensor(const shape_t<R>& s, std::uint64_t seed, float scale = 1.0f) {
  tensor<T, R> t(s);
  const random_stream r(seed);
  for (index_t i = 0; i < t.size(); ++i) t.data()[i] = scale * static_cast<T>(r.normal(std::uint64_t(i)));
  return t;
}
inline tensor<index_t, 1> random_labels(index_t n, index_t classes, std::uint64_t seed) {
  tensor<index_t, 1> y({n});
  const random_stream r(seed);
  for (index_t i = 0; i < n; ++i) y(i) = static_cast<index_t>(r.below(std::uint64_t(i), std::uint64_t(classes)));
  return y;
}
}  // namespace internal

// (1) The naive GRU on raw audio. "naive_seq2seq_zN" is the same model with latent size N (the
// paper tries 8, 16 and 32); plain "naive_seq2seq" keeps the configured size.
struct naive_seq2seq_entry {
  template <class B>
  using model_on = models::naive_seq2seq<B>;
  using model = model_on<cpu>;
  static constexpr const char* name = "naive_seq2seq";
  static constexpr const char* reference = "gru_seq2seq";
  static constexpr bool supervised = false;
  static constexpr index_t eval_batch = 32;
  static constexpr const char* error_measure =
      "MSE per sample, raw waveform scaled to unit RMS over the training tracks, teacher-forced decoder vs chunk";
  // Whether `n` names this model, and its latent size N for "naive_seq2seq_zN" (0 otherwise).
  static bool parse(const std::string& n, long* z = nullptr) {
    static const std::string sized = std::string(name) + "_z";
    if (z) *z = 0;
    if (n == name) return true;
    if (n.rfind(sized, 0) != 0) return false;
    long v = 0;
    const char *first = n.data() + sized.size(), *last = n.data() + n.size();
    const auto [end, ec] = std::from_chars(first, last, v);
    if (first == last || ec != std::errc{} || end != last || v < 1 || v > 4096) return false;
    if (z) *z = v;
    return true;
  }
  static bool matches(const std::string& n) { return parse(n); }
  static model::config_type config(const models::paper_config& c, const std::string& n) {
    auto m = c.naive_seq2seq;
    long z = 0;
    if (parse(n, &z) && z > 0) m.hidden = static_cast<index_t>(z);
    return m;
  }
  // Every window of a track is embedded: one GRU state is a snapshot of ~93 ms, and only the mean of
  // hundreds of them is a stable track descriptor (24 windows gave chance-level accuracy on fma-gtzan).
  static training_plan plan(bool quick) {
    return quick ? training_plan{.epochs = 8, .steps_per_epoch = 40, .patience = 3, .embed_windows = 64, .validation_batches = 10}
                 : training_plan{.epochs = 20, .steps_per_epoch = 0, .patience = 3, .train_windows = 32};
  }
  static auto data(track_source s, const model::config_type& c, bool, index_t cap) {
    return raw_chunk_dataset(std::move(s), c.chunk_samples, c.chunk_samples, cap);
  }
  static model::batch_type synthetic_batch(const model::config_type& c, std::uint64_t seed) {
    return internal::normal_tensor<float, 2>({c.batch_size, c.chunk_samples}, seed, 0.1f);
  }
};

// (2) The step-based beta-VAE on log-mel frames.
struct step_vae_entry {
  template <class B>
  using model_on = models::step_vae<B>;
  using model = model_on<cpu>;
  static constexpr const char* name = "step_vae";
  static constexpr const char* reference = "step_vae";
  static constexpr bool supervised = false;
  static constexpr index_t eval_batch = 512;
  static constexpr const char* error_measure = "MSE per log-mel bin, standardised log-mel, decoder(mu) vs frame";
  static model::config_type config(const models::paper_config& c, const std::string&) { return c.step_vae; }
  static training_plan plan(bool quick) {
    return quick ? training_plan{.epochs = 15, .steps_per_epoch = 60, .patience = 4, .validation_batches = 15}
                 : training_plan{.epochs = 30, .steps_per_epoch = 0, .patience = 4};
  }
  static auto data(track_source s, const model::config_type&, bool quick, index_t cap) {
    return frame_dataset(std::move(s), quick ? 8 : 2, cap);
  }
  static model::batch_type synthetic_batch(const model::config_type& c, std::uint64_t seed) {
    return internal::normal_tensor<float, 3>({c.batch_size, 1, c.n_mels}, seed);
  }
};

// (3) The LSTM autoencoder on log-mel chunks.
struct seq2seq_mel_entry {
  template <class B>
  using model_on = models::seq2seq_mel<B>;
  using model = model_on<cpu>;
  static constexpr const char* name = "seq2seq_mel";
  static constexpr const char* reference = "lstm_seq2seq";
  static constexpr bool supervised = false;
  static constexpr index_t eval_batch = 16;
  static constexpr const char* error_measure = "MSE per log-mel bin, standardised log-mel, teacher-forced decoder vs chunk";
  static model::config_type config(const models::paper_config& c, const std::string&) { return c.seq2seq_mel; }
  static training_plan plan(bool quick) {
    return quick ? training_plan{.epochs = 15, .steps_per_epoch = 40, .patience = 4, .validation_batches = 10}
                 : training_plan{.epochs = 20, .steps_per_epoch = 0, .patience = 3};
  }
  static auto data(track_source s, const model::config_type& c, bool, index_t cap) {
    return mel_chunk_dataset(std::move(s), c.frames, c.frames, cap);
  }
  static model::batch_type synthetic_batch(const model::config_type& c, std::uint64_t seed) {
    return internal::normal_tensor<float, 3>({c.batch_size, c.frames, c.n_mels}, seed);
  }
};

// (4) WaveNet on mu-law audio conditioned on the log-mel.
struct wavenet_entry {
  template <class B>
  using model_on = models::wavenet<B>;
  using model = model_on<cpu>;
  static constexpr const char* name = "wavenet";
  static constexpr const char* reference = "wavenet";
  static constexpr bool supervised = false;
  static constexpr index_t eval_batch = 4;
  static constexpr const char* error_measure =
      "cross-entropy (nats) of the next mu-law sample (not a reconstruction: WaveNet predicts)";
  static model::config_type config(const models::paper_config& c, const std::string&) { return c.wavenet; }
  static training_plan plan(bool quick) {
    return quick ? training_plan{.epochs = 6, .steps_per_epoch = 40, .patience = 3, .embed_windows = 8, .validation_batches = 10}
                 : training_plan{.epochs = 8, .steps_per_epoch = 0, .patience = 2, .train_windows = 4, .embed_windows = 6};
  }
  static auto data(track_source s, const model::config_type& c, bool, index_t cap) {
    return wavenet_dataset(std::move(s), c.chunk_samples, c.hop_length, c.chunk_samples / c.hop_length, cap, c.classes);
  }
  static model::batch_type synthetic_batch(const model::config_type& c, std::uint64_t seed) {
    model::batch_type b{tensor<index_t, 2>({c.batch_size, c.chunk_samples + 1}),
                        internal::normal_tensor<float, 3>({c.batch_size, c.n_mels, c.chunk_samples / c.hop_length + 1}, seed)};
    const random_stream r(seed + 1);
    for (index_t i = 0; i < b.q.size(); ++i) b.q.data()[i] = static_cast<index_t>(r.below(std::uint64_t(i), std::uint64_t(c.classes)));
    return b;
  }
};

// (5) The supervised CNN baseline (its genre count is the corpus's).
struct supervised_cnn_entry {
  template <class B>
  using model_on = models::supervised_cnn<B>;
  using model = model_on<cpu>;
  static constexpr const char* name = "supervised_cnn";
  static constexpr const char* reference = "cnn";
  static constexpr bool supervised = true;
  static constexpr index_t eval_batch = 32;
  static constexpr const char* error_measure = "cross-entropy of the genre (nats)";
  static model::config_type config(const models::paper_config& c, const std::string&) { return c.supervised_cnn; }
  static training_plan plan(bool quick) {
    return quick ? training_plan{.epochs = 15, .steps_per_epoch = 30, .patience = 4, .validation_batches = 7}
                 : training_plan{.epochs = 30, .steps_per_epoch = 0, .patience = 5};
  }
  static auto data(track_source s, const model::config_type& c, bool, index_t cap) {
    return cnn_chunk_dataset(std::move(s), c.frames, c.frames / 2, cap);
  }
  static model::batch_type synthetic_batch(const model::config_type& c, std::uint64_t seed) {
    auto x = internal::normal_tensor<float, 3>({c.batch_size, c.n_mels, c.frames}, seed);
    return {std::move(x).reshaped<4>({c.batch_size, 1, c.n_mels, c.frames}), internal::random_labels(c.batch_size, c.genres, seed + 1)};
  }
};

// Every model the programs know, in the order they run.
using model_entries = std::tuple<naive_seq2seq_entry, step_vae_entry, seq2seq_mel_entry, wavenet_entry, supervised_cnn_entry>;

// Calls f(Entry{}) for the entry that names `name`; an unknown name is a value_error listing the known.
template <class F>
decltype(auto) visit_model(const std::string& name, F&& f);

inline std::vector<std::string> model_names(bool unsupervised_only = false) {
  std::vector<std::string> r;
  std::apply([&](auto... e) { ((unsupervised_only && decltype(e)::supervised ? void() : r.push_back(decltype(e)::name)), ...); },
             model_entries{});
  return r;
}
inline bool known_model(const std::string& name) {
  return std::apply([&](auto... e) { return (internal::names<decltype(e)>(name) || ...); }, model_entries{});
}

namespace internal {
template <std::size_t I, class F>
decltype(auto) visit_from(const std::string& name, F& f) {
  using E = std::tuple_element_t<I, model_entries>;
  if constexpr (I + 1 < std::tuple_size_v<model_entries>) {
    if (internal::names<E>(name)) return f(E{});
    return visit_from<I + 1>(name, f);
  } else {
    if (internal::names<E>(name)) return f(E{});
    std::string known;
    for (const auto& n : model_names()) known += (known.empty() ? "" : ", ") + n;
    throw value_error("unknown model '" + name + "' (known: " + known + ")");
  }
}
}  // namespace internal

template <class F>
decltype(auto) visit_model(const std::string& name, F&& f) {
  return internal::visit_from<0>(name, f);
}

}  // namespace cantus::paper
