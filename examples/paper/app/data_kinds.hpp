#pragma once
// What a model reads, as a kind a registry entry names (`using data = mel_frames;`): how its data set
// is cut from the feature store (app/datasets.hpp) and a synthetic batch of the same shape (for the
// benchmarks and data-parallel tests). Each kind reads the sizes it needs from the model's
// configuration; `labelled` kinds carry the genre, and a model trained on one is supervised.
#include <cstdint>
#include <utility>

#include "app/datasets.hpp"
#include "cantus/core/random.hpp"
#include "cantus/models/classifier.hpp"
#include "cantus/models/wavenet_stack.hpp"

namespace paper {

namespace internal {
template <std::size_t R>
tensor<float, R> normal_tensor(const shape_t<R>& s, std::uint64_t seed, float scale = 1.0f) {
  tensor<float, R> t(s);
  const random_stream r(seed);
  for (index_t i = 0; i < t.size(); ++i) t.data()[i] = scale * static_cast<float>(r.normal(std::uint64_t(i)));
  return t;
}
inline tensor<index_t, 1> random_labels(index_t n, index_t classes, std::uint64_t seed) {
  tensor<index_t, 1> y({n});
  const random_stream r(seed);
  for (index_t i = 0; i < n; ++i) y(i) = static_cast<index_t>(r.below(std::uint64_t(i), std::uint64_t(classes)));
  return y;
}
}  // namespace internal

// Raw-audio chunks of c.chunk_samples samples, back to back: [batch, chunk_samples].
struct raw_chunks {
  static constexpr bool labelled = false;
  template <class C>
  static raw_chunk_dataset make(track_source s, const C& c, bool /*quick*/, index_t cap) {
    return raw_chunk_dataset(std::move(s), c.chunk_samples, c.chunk_samples, cap);
  }
  template <class C>
  static tensor<float, 2> synthetic(const C& c, index_t batch, std::uint64_t seed) {
    return internal::normal_tensor<2>({batch, c.chunk_samples}, seed, 0.1f);
  }
};

// Single log-mel frames [batch, 1, n_mels], every 8th frame in the quick preset, every 2nd in the full.
struct mel_frames {
  static constexpr bool labelled = false;
  template <class C>
  static frame_dataset make(track_source s, const C&, bool quick, index_t cap) {
    return frame_dataset(std::move(s), quick ? 8 : 2, cap);
  }
  template <class C>
  static tensor<float, 3> synthetic(const C& c, index_t batch, std::uint64_t seed) {
    return internal::normal_tensor<3>({batch, 1, c.n_mels}, seed);
  }
};

// Time-major log-mel chunks of c.frames frames, back to back: [batch, frames, n_mels].
struct mel_chunks {
  static constexpr bool labelled = false;
  template <class C>
  static mel_chunk_dataset make(track_source s, const C& c, bool, index_t cap) {
    return mel_chunk_dataset(std::move(s), c.frames, c.frames, cap);
  }
  template <class C>
  static tensor<float, 3> synthetic(const C& c, index_t batch, std::uint64_t seed) {
    return internal::normal_tensor<3>({batch, c.frames, c.n_mels}, seed);
  }
};

// Mu-law audio (c.classes levels) with its log-mel at the frame rate, for a conditioned WaveNet.
struct mulaw_with_mel {
  static constexpr bool labelled = false;
  template <class C>
  static wavenet_dataset make(track_source s, const C& c, bool, index_t cap) {
    return wavenet_dataset(std::move(s), c.chunk_samples, c.hop_length, c.chunk_samples / c.hop_length, cap, c.classes);
  }
  template <class C>
  static models::wavenet_batch<cpu> synthetic(const C& c, index_t batch, std::uint64_t seed) {
    models::wavenet_batch<cpu> b{tensor<index_t, 2>({batch, c.chunk_samples + 1}),
                                 internal::normal_tensor<3>({batch, c.n_mels, c.chunk_samples / c.hop_length + 1}, seed)};
    const random_stream r(seed + 1);
    for (index_t i = 0; i < b.q.size(); ++i) b.q.data()[i] = static_cast<index_t>(r.below(std::uint64_t(i), std::uint64_t(c.classes)));
    return b;
  }
};

// Log-mel chunks of c.frames frames, half-overlapping, as images [batch, 1, n_mels, frames], with the
// track's genre.
struct labelled_mel_chunks {
  static constexpr bool labelled = true;
  template <class C>
  static cnn_chunk_dataset make(track_source s, const C& c, bool, index_t cap) {
    return cnn_chunk_dataset(std::move(s), c.frames, c.frames / 2, cap);
  }
  template <class C>
  static models::labelled_chunks<cpu> synthetic(const C& c, index_t batch, std::uint64_t seed) {
    auto x = internal::normal_tensor<3>({batch, c.n_mels, c.frames}, seed);
    return {std::move(x).template reshaped<4>({batch, 1, c.n_mels, c.frames}), internal::random_labels(batch, c.genres, seed + 1)};
  }
};

}  // namespace paper
