#pragma once
// Training and embedding one registry model on backend B, for the paper programs: instantiated for
// the CPU in paper_experiment.cpp and, where the CUDA backend is built, for cuda in
// paper_experiment_cuda.cpp. The data sets build host batches; on a device backend
// each batch is copied over as it is used (models::data_on, models::to_backend).
#include <cmath>
#include <numeric>
#include <span>
#include <type_traits>

#include "cantus/models/optimizer_adapter.hpp"
#include "cantus/models/to_backend.hpp"
#include "cantus/nn/optim/adam.hpp"
#include "app/registry.hpp"
#include "paper_experiment.hpp"

namespace paper {

namespace {

// A host batch on backend B (the data sets build batches in host memory).
template <class B, class Batch>
decltype(auto) on_backend(const Batch& b) {
  if constexpr (std::is_same_v<B, cpu>) return (b);
  else return models::to_backend<B>(b);
}

// A model's output in host memory: itself on the CPU, a copy from a device.
template <class T, std::size_t R, class B>
tensor<T, R, cpu> on_host(tensor<T, R, B>&& t) {
  if constexpr (std::is_same_v<B, cpu>) return std::move(t);
  else return t.template to<cpu>();
}

template <class Model, class Dataset>
models::training_result train(Model& m, const Dataset& tr, const Dataset& va, const options& o, const std::string& name,
                              const plan& pl, const std::string& model_key) {
  using B = typename Model::backend_type;
  nn::adam<float, B> opt(m.parameters());  // its rate is the plan's, set by train() before every step
  models::optimizer_adapter ad(opt);
  auto t = detail_::trainer_options_for(o, name, pl, !m.buffers().empty(), model_key);
  if constexpr (std::is_same_v<B, cpu>) {
    return models::train(m, ad, tr, va.size() > 0 ? &va : nullptr, t);
  } else {  // batches are built on the host and copied to the device one at a time
    const models::data_on<B, Dataset> trb(tr), vab(va);
    return models::train(m, ad, trb, va.size() > 0 ? &vab : nullptr, t);
  }
}


// The configuration of registry entry Entry for this run: the preset's, the corpus's genre count, the
// step-VAE's objective from the flags (model_key: non-empty when that makes it a run of its own).
template <class Entry>
auto entry_config(const std::string& name, const prepared& p, const options& o, std::string& model_key) {
  auto cfg = Entry::config(o.quick, name);
  if constexpr (requires { cfg.genres; }) cfg.genres = static_cast<index_t>(p.corpus.labels.size());
  // The step-VAE's objective from the flags; a changed one is a run of its own (model_key).
  model_key.clear();
  if constexpr (requires { cfg.capacity_max; cfg.gamma; cfg.capacity_anneal_steps; }) {
    if (o.vae_capacity) cfg.capacity_max = static_cast<float>(*o.vae_capacity);
    if (o.vae_gamma) cfg.gamma = static_cast<float>(*o.vae_gamma);
    if (o.vae_anneal_steps) cfg.capacity_anneal_steps = *o.vae_anneal_steps;
    if (o.vae_capacity || o.vae_gamma || o.vae_anneal_steps)
      model_key = cantus::detail::concat(" capacity ", cfg.capacity_max, " gamma ", cfg.gamma, " anneal ", cfg.capacity_anneal_steps);
  }
  // A run on another corpus is another run: its checkpoint and embeddings must not be picked up.
  if (!p.corpus_key.empty()) model_key += " " + p.corpus_key;
  return cfg;
}

// Entry's data set over some of the corpus's tracks, at most `cap` windows each (0: all).
template <class Entry, class Config>
auto entry_data(const prepared& p, const Config& cfg, bool quick, const std::vector<const cantus::data::stored_track*>& tracks,
                index_t cap) {
  paper::track_source s{&p.store, tracks, &p.norm};
  s.gain = p.raw_gain;
  return Entry::data(std::move(s), cfg, quick, cap);
}

// Trains m (Entry's model, made from entry_config's cfg and model_key) by the run's plan: a finished
// run's checkpoint is loaded, an unfinished one resumed.
template <class Entry, class Model, class Config>
models::training_result train_entry(Model& m, const Config& cfg, const std::string& model_key, const std::string& name,
                                    const prepared& p, const options& o) {
  const plan& pl = detail_::resolved_plan(o, name);
  auto tr = entry_data<Entry>(p, cfg, o.quick, p.train, pl.train_windows), va = entry_data<Entry>(p, cfg, o.quick, p.validation, pl.train_windows);
  auto r = train(m, tr, va, o, name, pl, model_key);
  if (o.root()) {  // the card beside the checkpoint: what embed and predict need besides it
    model_card c;
    c.model = name, c.quick = o.quick, c.seed = o.seed;
    c.vae_capacity = o.vae_capacity, c.vae_gamma = o.vae_gamma, c.vae_anneal_steps = o.vae_anneal_steps;
    c.genres = p.corpus.labels;
    c.features = p.features, c.norm = p.norm, c.raw_gain = p.raw_gain;
    c.embed_windows = pl.embed_windows;
    c.pooling = models::pooling_name(o.pooling);
    write_model_card(detail_::run_dir(o, name, pl, model_key) / "model.json", c);
  }
  return r;
}

template <class Entry, class B>
model_result run_entry(const std::string& name, const prepared& p, const options& o, bool measure_error) {
  const auto t0 = std::chrono::steady_clock::now();
  std::string model_key;
  const auto cfg = entry_config<Entry>(name, p, o, model_key);
  const plan& pl = detail_::resolved_plan(o, name);
  model_result r;
  r.model = name;
  r.run_key = detail_::run_key(o, name, pl, model_key);
  r.run = detail_::run_dir(o, name, pl, model_key).filename().string();
  typename Entry::template model_on<B> m(cfg, o.seed);
  r.training = train_entry<Entry>(m, cfg, model_key, name, p, o);
  const fs::path emb_dir = o.out / "embeddings";
  auto mk = [&](const std::vector<const cantus::data::stored_track*>& t, index_t cap) { return entry_data<Entry>(p, cfg, o.quick, t, cap); };
  auto enc = [&](const auto& b) { return on_host(m.encode(on_backend<B>(b))); };
  const index_t eb = pl.training.batch_size;
  auto e_tr = mk(p.train, pl.embed_windows), e_va = mk(p.validation, pl.embed_windows), e_te = mk(p.test, pl.embed_windows);
  // The run, how its windows were pooled, and (appended when written) a checksum of the files.
  const std::string stamp = cantus::detail::concat("run ", r.run, " pooling ", models::pooling_name(o.pooling), " embed_windows ",
                                                   pl.embed_windows, " steps ", r.training.steps, " best_epoch ", r.training.best_epoch,
                                                   " windows ", e_tr.size(), " ", e_va.size(), " ", e_te.size());
  const fs::path stamp_file = emb_dir / (name + "_embeddings.stamp");
  // Rank 0 decides (it owns the files); with several ranks only rank 0 needs them afterwards.
  const std::string found = o.root() ? read_text(stamp_file) : std::string();  // empty when there is none
  const bool same_run = !found.empty() && found.rfind(stamp + " files ", 0) == 0;
  std::string reuse = o.root() && e_va.tracks() > 0 && detail_::have_embeddings(emb_dir, name) && same_run &&
                              found == stamp + detail_::embedding_files_sum(emb_dir, name) + "\n"
                          ? "reuse" : "embed";
  if (reuse == "embed" && !found.empty())
    std::fprintf(stderr, "%s: %s embeddings in %s %s; computing them anew\n", o.program.c_str(), name.c_str(), emb_dir.c_str(),
                 same_run ? "were changed since this run wrote them (their checksum differs from the stamp's)"
                          : ("belong to another run (" + found.substr(0, found.find(' ', 4)) + ")").c_str());
  o.group->broadcast(reuse, 0);
  if (reuse == "reuse") {
    if (o.root()) {
      std::fprintf(stderr, "%s: %s embeddings of this run found in %s, reused\n", o.program.c_str(), name.c_str(),
                   emb_dir.c_str());
      r.train = models::track_embeddings::load(emb_dir, name + "_train");
      r.validation = models::track_embeddings::load(emb_dir, name + "_validation");
      r.test = models::track_embeddings::load(emb_dir, name + "_test");
    }
  } else {  // the ranks share the tracks out
    r.train = paper::embed_dataset(e_tr, enc, eb, name + " embed train", o.group, o.pooling);
    if (e_va.tracks() > 0)
      r.validation = paper::embed_dataset(e_va, enc, eb, name + " embed validation", o.group, o.pooling);
    r.test = paper::embed_dataset(e_te, enc, eb, name + " embed test", o.group, o.pooling);
    if (o.root()) {
      r.train.save(emb_dir, name + "_train");
      if (e_va.tracks() > 0) r.validation.save(emb_dir, name + "_validation");
      r.test.save(emb_dir, name + "_test");
      write_text(stamp_file, stamp + detail_::embedding_files_sum(emb_dir, name) + "\n");
    }
  }
  r.error_measure = Entry::error_measure;
  if (measure_error) {
    // A reconstructing model's own error measure, else its loss; weighted by the batch sizes.
    double total = 0;
    index_t n = 0;
    std::vector<index_t> rows;
    // The ranks take the batches in turn and sum their totals.
    const index_t eval_batch = Entry::eval_batch(o.quick);
    const index_t stride = eval_batch * o.group->size();
    for (index_t b = eval_batch * o.group->rank(); b < e_te.size(); b += stride) {
      const index_t e = std::min(e_te.size(), b + eval_batch);
      rows.resize(static_cast<std::size_t>(e - b));
      std::iota(rows.begin(), rows.end(), b);
      const auto host_batch = e_te.batch(rows);
      decltype(auto) batch = on_backend<B>(host_batch);
      double v;
      if constexpr (requires { m.reconstruction_error(batch); }) v = m.reconstruction_error(batch);
      else v = m.validation_loss(batch);
      total += v * static_cast<double>(e - b);
      n += e - b;
    }
    double sums[2] = {total, static_cast<double>(n)};
    o.group->all_reduce_sum(sums, 2);
    r.test_error = sums[1] > 0 ? sums[0] / sums[1] : std::numeric_limits<double>::quiet_NaN();
  }
  if constexpr (Entry::supervised) {
    // Track-level predictions: mean softmax over the track's chunks.
    auto predict = [&](const std::vector<const cantus::data::stored_track*>& tracks) {
      auto ds = mk(tracks, 0);
      std::vector<int> pred;
      for (index_t t = 0; t < ds.tracks(); ++t) {
        const auto rows = ds.items_of(t);
        std::vector<double> mean(static_cast<std::size_t>(cfg.genres), 0.0);
        for (std::size_t b = 0; b < rows.size(); b += 32) {
          const std::size_t e = std::min(rows.size(), b + 32);
          const auto logits =
              on_host(m.logits(on_backend<B>(ds.batch(std::span<const index_t>(rows.data() + b, e - b)).x)));
          for (index_t i = 0; i < logits.extent(0); ++i) {
            float mx = logits(i, 0);
            for (index_t k = 1; k < cfg.genres; ++k) mx = std::max(mx, logits(i, k));
            double z = 0;
            for (index_t k = 0; k < cfg.genres; ++k) z += std::exp(double(logits(i, k) - mx));
            for (index_t k = 0; k < cfg.genres; ++k) mean[static_cast<std::size_t>(k)] += std::exp(double(logits(i, k) - mx)) / z;
          }
        }
        pred.push_back(static_cast<int>(std::max_element(mean.begin(), mean.end()) - mean.begin()));
      }
      return pred;
    };
    if (o.root()) {  // only rank 0 reports
      r.train_pred = predict(p.train);
      r.test_pred = predict(p.test);
    }
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (o.root())
    std::fprintf(stderr, "%s: %s done in %.1f s (best validation loss %.5g at epoch %lld)%s\n", o.program.c_str(), name.c_str(),
                 r.seconds, r.training.best_validation_loss, static_cast<long long>(r.training.best_epoch),
                 o.group->size() > 1 ? cantus::detail::concat(", ", o.group->size(), " ranks, ", r.training.communication_seconds,
                                                              " s in the gradient all-reduce").c_str()
                                     : "");
  return r;
}

}  // namespace

template <class B>
model_result run_model_on(const std::string& name, const prepared& p, const options& o, bool measure_error) {
  return visit_model(name, [&](auto e) { return run_entry<decltype(e), B>(name, p, o, measure_error); });
}

}  // namespace paper
