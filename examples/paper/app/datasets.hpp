#pragma once
// The five models' inputs cut from a cantus::data::feature_store: each data set is a list of (track, offset)
// items over a set of tracks and makes batches of the shape its model takes (the trainer's
// batch_source). Log-mel is standardised per mel bin with statistics of the training tracks only.
//   frame_dataset      step_vae        [B, 1, n_mels]        one frame per item
//   mel_chunk_dataset  seq2seq_mel     [B, frames, n_mels]   time-major chunks
//   cnn_chunk_dataset  supervised_cnn  [B, 1, n_mels, frames] + genre labels
//   raw_chunk_dataset  naive_seq2seq   [B, chunk_samples]    raw audio
//   wavenet_dataset    wavenet         mu-law [B, T + 1] + the log-mel frames covering them
// Items of one track are contiguous, so embedding a track is batch(items_of(track)). Part of
// cantus::paper (docs/paper.md): the paper's inputs, over the library's models.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "cantus/base/error.hpp"
#include "cantus/core/tensor.hpp"
#include "cantus/models/embeddings.hpp"
#include "cantus/models/supervised_cnn.hpp"
#include "cantus/models/wavenet.hpp"
#include "cantus/nn/loss/mu_law.hpp"
#include "cantus/data/feature_store.hpp"

namespace paper {

using namespace cantus;  // the application is written in the library's terms

// Per-bin mean and standard deviation of the log-mel (dB) over every frame of some tracks.
struct mel_standardizer {
  std::vector<float> mean, scale;  // scale = 1 / (std + 1e-3): silent bins do not blow up

  static mel_standardizer fit(const data::feature_store& store, const std::vector<const data::stored_track*>& tracks) {
    if (tracks.empty()) throw value_error("mel_standardizer::fit: no tracks (is the training split empty?)");
    const index_t bins = store.n_mels();
    std::vector<double> s(static_cast<std::size_t>(bins), 0.0), s2(static_cast<std::size_t>(bins), 0.0);
    double count = 0;
    for (const auto* t : tracks) {
      const auto m = store.mel(*t);
      for (index_t b = 0; b < bins; ++b)
        for (index_t f = 0; f < m.extent(1); ++f) {
          const double v = m(b, f);
          s[static_cast<std::size_t>(b)] += v;
          s2[static_cast<std::size_t>(b)] += v * v;
        }
      count += static_cast<double>(m.extent(1));
    }
    mel_standardizer z;
    for (index_t b = 0; b < bins; ++b) {
      const double mu = s[static_cast<std::size_t>(b)] / count;
      const double var = std::max(0.0, s2[static_cast<std::size_t>(b)] / count - mu * mu);
      z.mean.push_back(static_cast<float>(mu));
      z.scale.push_back(static_cast<float>(1.0 / (std::sqrt(var) + 1e-3)));
    }
    return z;
  }
  float operator()(index_t bin, float v) const {
    return (v - mean[static_cast<std::size_t>(bin)]) * scale[static_cast<std::size_t>(bin)];
  }
};

// 1 / RMS of the raw samples of some tracks: music sits around 0.1 RMS, and a GRU fed samples that
// small starts out nearly blind to them (input weights ~ 1/sqrt(H)), so the raw-audio model reads
// audio scaled to unit power over the training tracks; loudness differences between tracks remain.
inline float raw_gain(const data::feature_store& store, const std::vector<const data::stored_track*>& tracks) {
  double s2 = 0, n = 0;
  for (const auto* t : tracks) {
    for (float v : store.raw(*t)) s2 += double(v) * double(v);
    n += static_cast<double>(t->raw_samples);
  }
  if (n == 0 || !(s2 > 0)) throw value_error("raw_gain: the tracks hold no raw audio (or only silence)");
  return static_cast<float>(1.0 / std::sqrt(s2 / n));
}

// Where items come from: a store, the tracks of one split (or several) and the standardiser.
struct track_source {
  const data::feature_store* store = nullptr;
  std::vector<const data::stored_track*> tracks;
  const mel_standardizer* norm = nullptr;
  float gain = 1.0f;  // raw_chunk_dataset multiplies the samples by this (see raw_gain)
};

struct dataset_item {
  std::int32_t track = 0;  // index into track_source::tracks
  index_t start = 0;       // frame or sample offset
};

namespace internal {
// `count` windows of a track, keeping at most `cap` (> 0) evenly spaced ones.
inline std::vector<index_t> spaced(index_t count, index_t cap) {
  std::vector<index_t> k;
  if (count <= 0) return k;
  if (cap <= 0 || count <= cap) {
    for (index_t i = 0; i < count; ++i) k.push_back(i);
  } else {
    for (index_t i = 0; i < cap; ++i) k.push_back(i * count / cap);
  }
  return k;
}
}  // namespace internal

// Common part: items grouped by track, and the per-track ranges.
class item_dataset {
 public:
  index_t size() const { return static_cast<index_t>(items_.size()); }
  index_t tracks() const { return static_cast<index_t>(src_.tracks.size()); }
  // Rows of track t's items (contiguous).
  std::vector<index_t> items_of(index_t t) const {
    std::vector<index_t> r;
    for (index_t i = first_[static_cast<std::size_t>(t)]; i < first_[static_cast<std::size_t>(t + 1)]; ++i) r.push_back(i);
    return r;
  }
  const track_source& source() const { return src_; }

 protected:
  // `windows(track)` returns the window starts of a track; at most `cap` evenly spaced are kept.
  template <class Windows>
  void build(track_source src, index_t cap, Windows&& windows) {
    if (!src.store) throw value_error("dataset: no feature store");
    src_ = std::move(src);
    first_.assign(1, 0);
    for (std::size_t t = 0; t < src_.tracks.size(); ++t) {
      const std::vector<index_t> starts = windows(*src_.tracks[t]);
      for (auto k : internal::spaced(static_cast<index_t>(starts.size()), cap))
        items_.push_back({static_cast<std::int32_t>(t), starts[static_cast<std::size_t>(k)]});
      first_.push_back(static_cast<index_t>(items_.size()));
    }
  }
  const dataset_item& item(index_t row) const {
    if (row < 0 || row >= size()) throw_value_error("dataset: row ", row, " out of range [0, ", size(), ")");
    return items_[static_cast<std::size_t>(row)];
  }
  tensor_view<const float, 2> mel_of(const dataset_item& it) const {
    return src_.store->mel(*src_.tracks[static_cast<std::size_t>(it.track)]);
  }
  float norm(index_t bin, float v) const { return src_.norm ? (*src_.norm)(bin, v) : v; }

  track_source src_;
  std::vector<dataset_item> items_;
  std::vector<index_t> first_;
};

inline std::vector<index_t> window_starts(index_t n, index_t length, index_t hop) {
  std::vector<index_t> s;
  for (index_t i = 0; i + length <= n; i += hop) s.push_back(i);
  return s;
}

class frame_dataset : public item_dataset {
 public:
  using batch_type = tensor<float, 3>;
  // Every `frame_stride`-th frame, at most `max_per_track` per track (0: all).
  frame_dataset(track_source src, index_t frame_stride = 1, index_t max_per_track = 0) {
    build(std::move(src), max_per_track, [&](const data::stored_track& t) {
      return window_starts(static_cast<index_t>(t.frames), 1, std::max<index_t>(1, frame_stride));
    });
  }
  batch_type batch(std::span<const index_t> rows) const {
    const index_t M = src_.store->n_mels();
    batch_type x({static_cast<index_t>(rows.size()), 1, M});
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const auto& it = item(rows[r]);
      const auto m = mel_of(it);
      for (index_t b = 0; b < M; ++b) x(static_cast<index_t>(r), 0, b) = norm(b, m(b, it.start));
    }
    return x;
  }
};

class mel_chunk_dataset : public item_dataset {
 public:
  using batch_type = tensor<float, 3>;
  mel_chunk_dataset(track_source src, index_t frames, index_t hop, index_t max_per_track = 0) : frames_(frames) {
    build(std::move(src), max_per_track,
          [&](const data::stored_track& t) { return window_starts(static_cast<index_t>(t.frames), frames, hop); });
  }
  batch_type batch(std::span<const index_t> rows) const {
    const index_t M = src_.store->n_mels();
    batch_type x({static_cast<index_t>(rows.size()), frames_, M});
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const auto& it = item(rows[r]);
      const auto m = mel_of(it);
      for (index_t t = 0; t < frames_; ++t)
        for (index_t b = 0; b < M; ++b) x(static_cast<index_t>(r), t, b) = norm(b, m(b, it.start + t));
    }
    return x;
  }

 private:
  index_t frames_;
};

class cnn_chunk_dataset : public item_dataset {
 public:
  using batch_type = models::labelled_chunks<>;
  cnn_chunk_dataset(track_source src, index_t frames, index_t hop, index_t max_per_track = 0) : frames_(frames) {
    build(std::move(src), max_per_track,
          [&](const data::stored_track& t) { return window_starts(static_cast<index_t>(t.frames), frames, hop); });
  }
  batch_type batch(std::span<const index_t> rows) const {
    const index_t M = src_.store->n_mels(), B = static_cast<index_t>(rows.size());
    batch_type out{tensor<float, 4>({B, 1, M, frames_}), tensor<index_t, 1>({B})};
    for (index_t r = 0; r < B; ++r) {
      const auto& it = item(rows[static_cast<std::size_t>(r)]);
      const auto m = mel_of(it);
      out.y(r) = src_.tracks[static_cast<std::size_t>(it.track)]->label;
      for (index_t b = 0; b < M; ++b)
        for (index_t t = 0; t < frames_; ++t) out.x(r, 0, b, t) = norm(b, m(b, it.start + t));
    }
    return out;
  }

 private:
  index_t frames_;
};

class raw_chunk_dataset : public item_dataset {
 public:
  using batch_type = tensor<float, 2>;
  raw_chunk_dataset(track_source src, index_t samples, index_t hop, index_t max_per_track = 0) : samples_(samples) {
    build(std::move(src), max_per_track,
          [&](const data::stored_track& t) { return window_starts(static_cast<index_t>(t.raw_samples), samples, hop); });
  }
  batch_type batch(std::span<const index_t> rows) const {
    batch_type x({static_cast<index_t>(rows.size()), samples_});
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const auto& it = item(rows[r]);
      const auto raw = src_.store->raw(*src_.tracks[static_cast<std::size_t>(it.track)]);
      float* row = &x(static_cast<index_t>(r), 0);
      for (index_t i = 0; i < samples_; ++i) row[i] = src_.gain * raw[static_cast<std::size_t>(it.start + i)];
    }
    return x;
  }

 private:
  index_t samples_;
};

// Chunks of T + 1 samples starting at a frame boundary k * hop, with frames [k, k + T/hop + 1): the
// log-mel frame f (centred) describes the samples around f * hop, as WaveNet's conditioning expects.
class wavenet_dataset : public item_dataset {
 public:
  using batch_type = models::wavenet_batch<>;
  wavenet_dataset(track_source src, index_t samples, index_t hop_length, index_t hop_frames, index_t max_per_track = 0,
                  index_t classes = 256)
      : samples_(samples), hop_(hop_length), classes_(classes) {
    if (samples % hop_length)
      throw_value_error("wavenet_dataset: chunk samples ", samples, " must be a multiple of hop_length ", hop_length);
    build(std::move(src), max_per_track, [&](const data::stored_track& t) {
      std::vector<index_t> ks;
      const index_t frames_needed = samples / hop_length + 1;
      for (index_t k = 0; k + frames_needed <= static_cast<index_t>(t.frames) &&
                          k * hop_length + samples + 1 <= static_cast<index_t>(t.raw_samples);
           k += std::max<index_t>(1, hop_frames))
        ks.push_back(k);
      return ks;
    });
  }
  batch_type batch(std::span<const index_t> rows) const {
    const index_t M = src_.store->n_mels(), B = static_cast<index_t>(rows.size()), F = samples_ / hop_ + 1;
    batch_type out{tensor<index_t, 2>({B, samples_ + 1}), tensor<float, 3>({B, M, F})};
    for (index_t r = 0; r < B; ++r) {
      const auto& it = item(rows[static_cast<std::size_t>(r)]);
      const auto& t = *src_.tracks[static_cast<std::size_t>(it.track)];
      const auto raw = src_.store->raw(t);
      for (index_t i = 0; i <= samples_; ++i) out.q(r, i) = nn::mu_law_encode(raw[static_cast<std::size_t>(it.start * hop_ + i)], classes_);
      const auto m = src_.store->mel(t);
      for (index_t b = 0; b < M; ++b)
        for (index_t f = 0; f < F; ++f) out.mel(r, b, f) = norm(b, m(b, it.start + f));
    }
    return out;
  }

 private:
  index_t samples_, hop_, classes_;
};

// Track embeddings of a model over a data set: encode each track's items (in batches of at most
// `max_batch`) and average. `encode(batch) -> tensor<float, 2>`.
// With a group of several ranks, each encodes its share of the tracks (models::embed_tracks).
template <class Dataset, class Encode>
models::track_embeddings embed_dataset(const Dataset& ds, Encode&& encode, index_t max_batch, const std::string& label,
                                       distributed::process_group* group = nullptr,
                                       models::pooling pool = models::pooling::mean) {
  std::vector<std::int64_t> ids, labels;
  for (const auto* t : ds.source().tracks) {
    ids.push_back(t->id);
    labels.push_back(t->label);
  }
  return models::embed_tracks(
      ids, labels,
      [&](index_t t) {
        const auto rows = ds.items_of(t);
        tensor<float, 2> all;
        index_t filled = 0;
        for (std::size_t b = 0; b < rows.size(); b += static_cast<std::size_t>(max_batch)) {
          const std::size_t e = std::min(rows.size(), b + static_cast<std::size_t>(max_batch));
          const tensor<float, 2> z = encode(ds.batch(std::span<const index_t>(rows.data() + b, e - b)));
          if (b == 0) all = tensor<float, 2>({static_cast<index_t>(rows.size()), z.extent(1)});
          std::copy_n(z.data(), z.size(), all.data() + filled * z.extent(1));
          filled += z.extent(0);
        }
        if (rows.empty()) all = tensor<float, 2>({0, 1});
        return all;
      },
      label, group, pool);
}

}  // namespace paper
