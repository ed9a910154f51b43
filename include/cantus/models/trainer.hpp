#pragma once
// The training loop every model shares: epochs of shuffled mini-batches, a validation loss each
// epoch, early stopping on it, an atomic checkpoint after each epoch and resume from it, progress
// with loss and throughput, and a hard stop on NaN/inf that leaves the last good checkpoint intact.
//
// It is written against three small interfaces so that any model, data set and optimizer fit:
//   data set  : size(), batch(std::span<const index_t> rows) -> batch_type
//   model     : loss_and_backward(batch, step_info) -> loss (accumulates gradients),
//               validation_loss(batch) -> loss (no gradients, evaluation mode),
//               parameters() -> nn::parameter_list<float, B> (B = the model's backend_type, cpu when it
//               names none), save_state(ostream&), load_state(istream&)
//   optimizer : zero_grad(), step(), save_state(ostream&), load_state(istream&); set_lr(double) when
//               training_settings::learning_rate is given
// Determinism: the batch order of epoch e depends only on (seed, e), and models draw their noise
// from Philox streams keyed by step_info, so a run is bit-identical for a seed and thread count, and
// a resumed run is bit-identical to an uninterrupted one.
//
// Data parallel (trainer_options::group with more than one rank): every rank holds a replica of the
// model and the whole data set, and takes its contiguous shard of each global batch; the gradients
// of the shards are summed, weighted by their share of the rows (distributed/gradients.hpp), so each
// rank takes the step one process would take on the whole batch. A model whose loss couples the rows
// of a batch reduces that term over the group itself (step_info::group). The validation loss is
// computed whole on every rank (the same weights give the same value without communication). Rank 0
// writes the checkpoint; a resuming job reads it on rank 0 and broadcasts it, so the number of ranks
// may change between runs.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cantus/core/atomic_file.hpp"
#include "cantus/base/error.hpp"
#include "cantus/core/progress.hpp"
#include "cantus/core/thread_share.hpp"
#include "cantus/core/random.hpp"
#include "cantus/data/checksum.hpp"
#include "cantus/distributed/gradients.hpp"
#include "cantus/distributed/group.hpp"
#include "cantus/models/training_settings.hpp"
#include "cantus/nn/checkpoint.hpp"
#include "cantus/nn/optim/clip.hpp"
#include "cantus/nn/parameter.hpp"
#include "cantus/nn/tt/optimizers.hpp"

namespace cantus::models {

// Where in training a step is: models key their random streams (reparameterisation, dropout) by it.
struct step_info {
  std::uint64_t seed = 0;
  std::int64_t epoch = 0;
  std::int64_t step = 0;  // optimizer steps taken before this one, over the whole run
  bool training = true;
  // Data parallel: this batch is rows [row_offset, row_offset + rows) of a global batch of batch_rows
  // rows (0: the batch is whole); per-row noise is drawn for the global row, and a loss term that
  // couples the batch's rows is reduced over `group`.
  index_t row_offset = 0, batch_rows = 0;
  distributed::process_group* group = nullptr;
  bool sharded() const { return group != nullptr && group->size() > 1; }
};

// Training stopped because a loss or gradient was not finite.
struct training_diverged : value_error {
  using value_error::value_error;
};

template <class D>
concept batch_source = requires(const D& d, std::span<const index_t> rows) {
  typename D::batch_type;
  { d.size() } -> std::convertible_to<index_t>;
  { d.batch(rows) } -> std::same_as<typename D::batch_type>;
};

// The backend a model's parameters live on: its backend_type, or cpu for a model that names none.
template <class M>
struct model_backend {
  using type = cpu;
};
template <class M>
  requires requires { typename M::backend_type; }
struct model_backend<M> {
  using type = typename M::backend_type;
};
template <class M>
using model_backend_t = typename model_backend<M>::type;

template <class M, class Batch>
concept trainable_model = requires(M& m, const Batch& b, step_info s, std::ostream& o, std::istream& i) {
  { m.loss_and_backward(b, s) } -> std::convertible_to<double>;
  { m.validation_loss(b) } -> std::convertible_to<double>;
  { m.parameters() } -> std::convertible_to<nn::parameter_list<float, model_backend_t<M>>>;
  m.save_state(o);
  m.load_state(i);
};

template <class O>
concept trainer_optimizer = requires(O& opt, std::ostream& o, std::istream& i) {
  opt.zero_grad();
  opt.step();
  opt.save_state(o);
  opt.load_state(i);
};

// How train() runs: the settings that decide the weights (training_settings, recorded with a run) and
// where and how it executes, which never changes the numbers.
struct trainer_options {
  training_settings training;
  int threads = 0;                // OpenMP threads; 0 keeps the current setting
  std::filesystem::path checkpoint_dir;  // empty: no checkpoints (and no resume)
  bool resume = true;             // continue from checkpoint_dir/last.ckpt when it exists
  std::string label = "train";
  // What the run is, in the caller's words (every setting that decides its weights): recorded in each
  // checkpoint, and a checkpoint in checkpoint_dir recorded under another key (or none) is refused
  // instead of resumed. Empty: not checked (only the seed is).
  std::string run_key;
  bool verbose = true;            // progress bars and one summary line per epoch on stderr
  // Data-parallel training over these processes (null or one rank: this process alone).
  distributed::process_group* group = nullptr;
  std::size_t bucket_bytes = std::size_t(4) << 20;  // gradient all-reduce bucket size
};

using nn::epoch_record;

struct training_result {
  std::vector<epoch_record> history;
  std::int64_t best_epoch = -1;
  double best_validation_loss = std::numeric_limits<double>::infinity();
  bool stopped_early = false;
  std::int64_t resumed_from_epoch = -1;  // epochs already done when training resumed; -1: fresh start
  std::int64_t steps = 0;
  double communication_seconds = 0;      // this run's time in the gradient all-reduce (data parallel)
};

namespace detail {

// A model's whole state as bytes and back: the checkpoint's own conversion (nn/checkpoint.hpp).
template <class M>
std::string model_state(M& m) {
  return nn::checkpoint_detail::state_bytes(m);
}
template <class M>
void restore_model_state(M& m, const std::string& s) {
  nn::checkpoint_detail::load_state_bytes(m, s);
}

inline bool all_finite(const float* p, index_t n) {
  // A sum is not enough (inf - inf); but any NaN/inf element makes the product 0*x non-zero-or-NaN.
  float acc = 0.0f;
  for (index_t i = 0; i < n; ++i) acc += p[i] * 0.0f;
  return acc == 0.0f;
}

inline std::string format_loss(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

}  // namespace detail

// A model's state as save_state writes it, and the trainer's checkpoints: nn/checkpoint.hpp.
using nn::checkpoint_in_dir;
using nn::load_parameters;
using nn::read_newest_intact_checkpoint;
using nn::save_parameters;
using nn::training_checkpoint;

// Whether every gradient element is finite; on a device one squared-norm reduction (a NaN or an
// infinity makes it non-finite) instead of copying every gradient to the host each step.
template <class T, class B>
bool gradient_finite(const nn::parameter<T, B>& p) {
  if constexpr (B::host_accessible) return detail::all_finite(p.grad.data(), p.grad.size());
  else return std::isfinite(nn::tt::optimizers<T, B>::sum_of_squares(p.grad.size(), p.grad.data()));
}

// The batch order of one epoch: a permutation of [0, n) that depends only on (seed, epoch).
inline std::vector<index_t> epoch_order(index_t n, std::uint64_t seed, std::int64_t epoch) {
  std::vector<index_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), index_t(0));
  random_engine rng(seed, 0x7261696EULL + static_cast<std::uint64_t>(epoch));
  rng.shuffle(order.begin(), order.end());
  return order;
}

// Mean loss over a data set, weighted by batch size (no gradients). With max_batches > 0 only that
// many batches are evaluated, of rows spread evenly over the set (the same rows every time).
template <class Model, batch_source Data>
double evaluate_loss(Model& model, const Data& data, index_t batch_size, std::int64_t max_batches = 0) {
  const index_t n = data.size();
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  std::vector<index_t> all(static_cast<std::size_t>(n));
  std::iota(all.begin(), all.end(), index_t(0));
  if (max_batches > 0 && max_batches * batch_size < n) {
    const index_t k = max_batches * batch_size;
    for (index_t i = 0; i < k; ++i) all[static_cast<std::size_t>(i)] = i * n / k;
    all.resize(static_cast<std::size_t>(k));
  }
  const index_t m = static_cast<index_t>(all.size());
  double total = 0;
  for (index_t b = 0; b < m; b += batch_size) {
    const index_t e = std::min(m, b + batch_size);
    const std::span<const index_t> rows(all.data() + b, static_cast<std::size_t>(e - b));
    total += static_cast<double>(model.validation_loss(data.batch(rows))) * static_cast<double>(e - b);
  }
  return total / static_cast<double>(m);
}

namespace detail {

// The checkpoint a run resumes from, when there is one: rank 0 reads it and sends it to the others
// (they need no shared file system, and a file rank 0 cannot read fails every rank with the same
// message instead of leaving them waiting). Two checkpoints are kept: a damaged or missing last.ckpt
// (a torn disk, a kill between the two renames of a save) falls back to previous.ckpt, saying so;
// nothing damaged is used. Returns the checkpoint and the file it came from ("" and nothing: start
// fresh).
inline std::optional<training_checkpoint> find_resume_point(const trainer_options& opt, distributed::process_group& group,
                                                            std::string& path) {
  namespace fs = std::filesystem;
  const bool parallel = group.size() > 1, root = group.root();
  path.clear();
  if (opt.checkpoint_dir.empty()) return std::nullopt;
  if (root) remove_stale_temporaries(opt.checkpoint_dir);
  std::string bytes, error;
  std::optional<training_checkpoint> checked;  // rank 0's parse of `bytes`, not repeated
  if (root && opt.resume && (fs::exists(opt.checkpoint_dir / "last.ckpt") || fs::exists(opt.checkpoint_dir / "previous.ckpt"))) {
    try {
      auto found = read_newest_intact_checkpoint(opt.checkpoint_dir, parallel);  // other ranks parse the bytes themselves
      if (!found.fallback_note.empty()) std::fprintf(stderr, "%s: %s\n", opt.label.c_str(), found.fallback_note.c_str());
      checked = std::move(found.checkpoint);
      bytes = std::move(found.bytes);
      path = found.path.string();
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  if (parallel) {
    group.broadcast(error, 0);
    group.broadcast(bytes, 0);
    group.broadcast(path, 0);
  }
  if (!error.empty()) throw io_error(error);
  if (!checked && !bytes.empty()) checked = training_checkpoint::parse(bytes, path);
  return checked;
}

// Ranks that disagree on the data, the batch plan or the model (another corpus, another build)
// would wait in a collective forever or train garbage: compared before the first step. Every rank
// takes part in every step (a model may sum batch statistics over the group inside its step), so
// each needs a row of every batch.
template <class T, class B>
void check_ranks_agree(distributed::process_group& group, const std::string& label, index_t rows,
                       const training_settings& s, index_t batches, const nn::parameter_list<T, B>& params) {
  std::string shape = cantus::detail::concat(label, ": ", rows, " training rows, batch ", s.batch_size, ", ", batches,
                                             " batches per epoch, seed ", s.seed, ", parameters");
  for (auto& p : params) shape += cantus::detail::concat(" ", p.name, ":", p.value.size());
  const auto all = group.all_gather(shape);
  for (int r = 1; r < group.size(); ++r)
    if (all[static_cast<std::size_t>(r)] != all[0])
      group.abort(cantus::detail::concat("train: rank ", r, " disagrees with rank 0 on what to train (a different corpus, "
                                         "plan or build?)\n  rank 0: ", all[0], "\n  rank ", r, ": ",
                                         all[static_cast<std::size_t>(r)]));
  if (s.batch_size < group.size())
    group.abort(cantus::detail::concat("train (", label, "): batch size ", s.batch_size, " is smaller than the ",
                                       group.size(), " ranks; every rank needs a row of each batch"));
}

// The replicas must hold the same weights after an epoch; a difference would grow silently.
template <class Model>
void check_replicas_identical(distributed::process_group& group, const std::string& label, std::int64_t epoch, Model& model) {
  const auto all = group.all_gather(std::to_string(data::checksum(model_state(model))));
  for (int r = 1; r < group.size(); ++r)
    if (all[static_cast<std::size_t>(r)] != all[0])
      group.abort(cantus::detail::concat(label, ": after epoch ", epoch + 1, " rank ", r,
                                         " holds other weights than rank 0 (the gradient all-reduce did not give "
                                         "every rank the same sum)"));
}

// The first non-finite value of a step, "" when there is none: the loss, or a parameter's gradient.
template <class T, class B>
std::string first_non_finite(double loss, const nn::parameter_list<T, B>& params) {
  if (!std::isfinite(loss)) return "loss is " + format_loss(loss);
  for (auto& p : params)
    if (!gradient_finite(p)) return "gradient of " + p.name + " is not finite";
  return {};
}

// Where a diverged run stands and what to do about it.
inline std::string divergence_message(const std::string& label, const std::string& what, std::int64_t epoch, index_t batch,
                                      index_t batches, std::int64_t step, std::int64_t epochs_done,
                                      const std::filesystem::path& last_path) {
  return cantus::detail::concat(
      label, ": training diverged: ", what, " at epoch ", epoch + 1, ", batch ", batch + 1, "/", batches, " (step ", step, "); ",
      last_path.empty() ? std::string("no checkpoint directory was given")
                        : (epochs_done > 0 ? cantus::detail::concat("the last good checkpoint (after epoch ", epochs_done,
                                                                    ") is kept at ", last_path.string())
                                           : std::string("no epoch had completed, so there is no checkpoint")),
      "; try a lower learning rate");
}

// Whether the run has gone `patience` epochs without improving (never, with patience 0).
inline bool patience_spent(const training_checkpoint& state, const training_settings& s) {
  return s.patience > 0 && state.bad_epochs >= s.patience;
}

// Adds a finished epoch to the run's state: its line of history, and the model when it is the best
// so far. Returns whether the patience has run out.
template <class Model>
bool record_epoch(training_checkpoint& state, const epoch_record& rec, const training_settings& s, Model& model) {
  if (rec.validation_loss < state.best_validation_loss - s.min_delta) {
    state.best_validation_loss = rec.validation_loss;
    state.best_epoch = rec.epoch;
    state.bad_epochs = 0;
    state.best_model = model_state(model);
  } else {
    ++state.bad_epochs;
  }
  state.history.push_back(rec);
  state.epochs_done = rec.epoch;
  return patience_spent(state, s);
}

inline void print_epoch(const trainer_options& opt, const epoch_record& rec, bool have_validation, bool stop) {
  std::fprintf(stderr, "%s: epoch %lld/%lld  train loss %s  %s loss %s  %.1f s  %.1f items/s%s\n", opt.label.c_str(),
               static_cast<long long>(rec.epoch), static_cast<long long>(opt.training.epochs),
               format_loss(rec.train_loss).c_str(), have_validation ? "validation" : "(no validation set) train",
               format_loss(rec.validation_loss).c_str(), rec.seconds, rec.items_per_second, stop ? "  (early stop)" : "");
}

}  // namespace detail

template <class Model, class Optimizer, batch_source Data>
  requires trainable_model<Model, typename Data::batch_type> && trainer_optimizer<Optimizer>
training_result train(Model& model, Optimizer& optimizer, const Data& train_data, const Data* validation_data,
                      const trainer_options& opt) {
  const training_settings& s = opt.training;
  s.validate("train (" + opt.label + ")");
  if constexpr (!requires(Optimizer& o) { o.set_lr(1.0); })
    if (s.learning_rate > 0) throw_value_error("train (", opt.label, "): a learning rate needs an optimizer with set_lr");
  const index_t n = train_data.size();
  if (n == 0) throw_value_error("train (", opt.label, "): the training set is empty");
  if (opt.threads > 0) omp_set_num_threads(opt.threads);
  const bool have_validation = validation_data && validation_data->size() > 0;

  distributed::single_process alone;
  distributed::process_group& group = opt.group ? *opt.group : alone;
  const bool parallel = group.size() > 1, root = group.root(), verbose = opt.verbose && root;

  training_result result;
  training_checkpoint state;
  state.seed = s.seed;
  state.run_key = opt.run_key;
  const std::filesystem::path last_path = opt.checkpoint_dir.empty() ? std::filesystem::path() : opt.checkpoint_dir / "last.ckpt";
  std::string ckpt_path;
  if (auto found = detail::find_resume_point(opt, group, ckpt_path)) {
    state = std::move(*found);
    if (state.seed != s.seed)
      throw value_error(cantus::detail::concat(ckpt_path, ": checkpoint was trained with seed ", state.seed,
                                               " but this run asks for seed ", s.seed,
                                               "; delete the checkpoint or use the same seed"));
    if (!opt.run_key.empty() && state.run_key != opt.run_key)
      throw value_error(cantus::detail::concat(
          opt.checkpoint_dir.string(), ": holds a checkpoint (", ckpt_path, ") of another run; it was written under the run key '",
          state.run_key.empty() ? std::string("(none: written before checkpoints recorded their run)") : state.run_key,
          "', this run's key is '", opt.run_key, "'; give this run another checkpoint directory, or delete that one to train it anew"));
    state.restore(model, optimizer, ckpt_path);
    result.resumed_from_epoch = state.epochs_done;
    if (verbose)
      std::fprintf(stderr, "%s: resuming from %s after epoch %lld\n", opt.label.c_str(), ckpt_path.c_str(),
                   static_cast<long long>(state.epochs_done));
  }

  auto params = model.parameters();
  const index_t per_epoch_batches_all =
      s.drop_last ? n / s.batch_size : (n + s.batch_size - 1) / s.batch_size;
  const index_t batches = s.steps_per_epoch > 0 ? std::min<index_t>(per_epoch_batches_all, s.steps_per_epoch)
                                                        : per_epoch_batches_all;
  if (batches == 0)
    throw_value_error("train (", opt.label, "): ", n, " training rows give no full batch of ", s.batch_size);

  std::optional<distributed::gradient_reducer_t<float, model_backend_t<Model>>> reduce, reduce_buffers;
  if (parallel) {
    detail::check_ranks_agree(group, opt.label, n, s, batches, params);
    reduce.emplace(group, params, opt.bucket_bytes);
    if constexpr (requires { model.buffers(); })
      if (auto bufs = model.buffers(); !bufs.empty()) reduce_buffers.emplace(group, std::move(bufs), opt.bucket_bytes, true);
  }

  bool stop = detail::patience_spent(state, s);
  result.stopped_early = stop;
  // As many OpenMP threads as cores other processes leave free (core/thread_share.hpp): the numbers do
  // not depend on the count, the speed does.
  thread_governor threads;
  for (std::int64_t epoch = state.epochs_done; epoch < s.epochs && !stop; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto order = epoch_order(n, s.seed, epoch);
    std::optional<progress> bar;
    if (verbose)
      bar.emplace(cantus::detail::concat(opt.label, " epoch ", epoch + 1, "/", s.epochs), batches, "batches");
    double loss_sum = 0;
    index_t items = 0;
    for (index_t b = 0; b < batches; ++b) {
      if (threads.poll() && verbose)
        std::fprintf(stderr, "\n%s: %d of %d threads (other processes keep the rest of the cores busy)\n", opt.label.c_str(),
                     threads.threads(), threads.requested());
      const index_t begin = b * s.batch_size, end = std::min(n, begin + s.batch_size);
      const index_t len = end - begin;
      if (parallel && len < group.size()) continue;  // a last partial batch too small to give every rank a row
      const auto shard = distributed::shard_of(static_cast<std::size_t>(len), group.rank(), group.size());
      const std::span<const index_t> rows(order.data() + begin + shard.begin, shard.size());
      optimizer.zero_grad();
      double loss = 0;
      if (!rows.empty()) {
        auto batch = train_data.batch(rows);
        step_info info{s.seed, epoch, state.steps, true};
        if (parallel) {
          info.row_offset = static_cast<index_t>(shard.begin);
          info.batch_rows = len;
          info.group = &group;
        }
        loss = model.loss_and_backward(batch, info);
      }
      if (parallel) {  // the whole batch's mean loss and gradient, on every rank
        const double share = static_cast<double>(shard.size()) / static_cast<double>(len);
        double l = loss * share;
        group.all_reduce_sum(&l, 1);
        loss = l;
        (*reduce)(static_cast<float>(share));
      }
      if (const std::string bad = detail::first_non_finite(loss, params); !bad.empty()) {
        if (bar) bar->finish();
        throw training_diverged(detail::divergence_message(opt.label, bad, epoch, b, batches, state.steps, state.epochs_done, last_path));
      }
      if (s.clip_norm > 0) nn::clip_grad_norm(params, s.clip_norm);
      if constexpr (requires { optimizer.set_lr(1.0); })
        if (s.learning_rate > 0) optimizer.set_lr(s.rate_at(state.steps, batches));
      optimizer.step();
      // Buffers a rank updated from its own shard become their average, weighted like the gradients,
      // so the replicas stay identical (synchronised BatchNorm's running statistics already are).
      if (reduce_buffers) (*reduce_buffers)(static_cast<float>(static_cast<double>(shard.size()) / static_cast<double>(len)));
      ++state.steps;
      loss_sum += loss * static_cast<double>(len);
      items += len;
      if (bar) {
        const double el = bar->elapsed();
        bar->advance(1, cantus::detail::concat("loss ", detail::format_loss(loss_sum / static_cast<double>(items)), ", ",
                                               static_cast<long long>(el > 0 ? items / el : 0), " items/s"));
      }
    }
    if (bar) bar->finish();
    if (items == 0)
      throw_value_error("train (", opt.label, "): no batch of epoch ", epoch + 1, " had a row for each of the ", group.size(),
                        " ranks (", n, " training rows)");
    epoch_record rec;
    rec.epoch = epoch + 1;
    rec.train_loss = loss_sum / static_cast<double>(items);
    rec.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rec.items_per_second = rec.seconds > 0 ? static_cast<double>(items) / rec.seconds : 0.0;
    rec.validation_loss =
        have_validation ? evaluate_loss(model, *validation_data, s.batch_size, s.validation_batches) : rec.train_loss;
    if (!std::isfinite(rec.validation_loss))
      throw training_diverged(cantus::detail::concat(
          opt.label, ": validation loss is ", detail::format_loss(rec.validation_loss), " after epoch ", epoch + 1,
          last_path.empty() ? std::string() : cantus::detail::concat("; the last good checkpoint is kept at ", last_path.string())));

    stop = detail::record_epoch(state, rec, s, model);
    if (parallel) detail::check_replicas_identical(group, opt.label, epoch, model);
    if (!last_path.empty() && root) state.save_in(opt.checkpoint_dir, model, optimizer);
    if (verbose) detail::print_epoch(opt, rec, have_validation, stop);
    result.stopped_early = stop;
  }
  if (s.restore_best && !state.best_model.empty()) detail::restore_model_state(model, state.best_model);
  result.history = state.history;
  result.best_epoch = state.best_epoch;
  result.best_validation_loss = state.best_validation_loss;
  result.steps = state.steps;
  if (reduce) result.communication_seconds = reduce->seconds();
  return result;
}

}  // namespace cantus::models
