#pragma once
// Track embeddings: every chunk of a track -> a latent vector (mu for the VAE) -> the mean over the
// track's chunks. Saved as three .npy files any classifier or plot (or NumPy) can read:
//   <prefix>_latents.npy   float32 [n_tracks, dim]
//   <prefix>_track_ids.npy int64   [n_tracks]
//   <prefix>_labels.npy    int64   [n_tracks]
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cantus/base/error.hpp"
#include "cantus/core/npy.hpp"
#include "cantus/core/progress.hpp"
#include "cantus/core/tensor.hpp"
#include "cantus/distributed/group.hpp"

namespace cantus::models {

struct track_embeddings {
  tensor<float, 2> latents;               // [n_tracks, dim]
  std::vector<std::int64_t> track_ids;    // one per row
  std::vector<std::int64_t> labels;       // one per row (genre index)

  index_t size() const { return latents.extent(0); }
  index_t dim() const { return latents.extent(1); }

  // Rows whose position is in `rows` (e.g. the training split), in that order.
  track_embeddings select(const std::vector<index_t>& rows) const {
    track_embeddings s;
    s.latents = tensor<float, 2>({static_cast<index_t>(rows.size()), dim()});
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const index_t i = rows[r];
      if (i < 0 || i >= size()) throw_value_error("track_embeddings::select: row ", i, " out of range [0, ", size(), ")");
      std::copy_n(&latents(i, 0), dim(), &s.latents(static_cast<index_t>(r), 0));
      s.track_ids.push_back(track_ids[static_cast<std::size_t>(i)]);
      s.labels.push_back(labels[static_cast<std::size_t>(i)]);
    }
    return s;
  }

  void save(const std::filesystem::path& dir, const std::string& prefix) const {
    npy::write(dir / (prefix + "_latents.npy"), latents);
    npy::write(dir / (prefix + "_track_ids.npy"), track_ids);
    npy::write(dir / (prefix + "_labels.npy"), labels);
  }
  static track_embeddings load(const std::filesystem::path& dir, const std::string& prefix) {
    track_embeddings e;
    e.latents = npy::read(dir / (prefix + "_latents.npy")).to_tensor<float, 2>();
    e.track_ids = npy::read(dir / (prefix + "_track_ids.npy")).values<std::int64_t>();
    e.labels = npy::read(dir / (prefix + "_labels.npy")).values<std::int64_t>();
    if (static_cast<index_t>(e.track_ids.size()) != e.size() || static_cast<index_t>(e.labels.size()) != e.size())
      throw io_error(cantus::detail::concat((dir / prefix).string(), ": ", e.size(), " latent rows but ", e.track_ids.size(),
                                    " track ids and ", e.labels.size(), " labels"));
    return e;
  }
};

// How a track's chunk latents become one vector: their mean, or their mean then their standard
// deviation (2 x dim values: how much the representation moves within the track, as the hand-made
// per-band statistics of table1 have it).
enum class pooling { mean, mean_std };
inline const char* pooling_name(pooling p) { return p == pooling::mean ? "mean" : "mean+std"; }

// Embeds tracks one at a time. `encode_track(i)` returns the latents of track i's chunks as a
// tensor<float, 2> [chunks, dim] (the model batches the chunks itself); the track's embedding is
// their mean (and standard deviation, with pooling::mean_std). A track without chunks or a
// non-finite latent is an error naming the track.
// With a group of several ranks each rank encodes its contiguous share of the tracks and every rank
// ends with all of them (the others' rows are zero until the sum brings them, so the sum is exact).
template <class EncodeTrack>
track_embeddings embed_tracks(const std::vector<std::int64_t>& track_ids, const std::vector<std::int64_t>& labels,
                              EncodeTrack&& encode_track, const std::string& label = "embed",
                              distributed::process_group* group = nullptr, pooling pool = pooling::mean) {
  if (track_ids.size() != labels.size())
    throw_value_error("embed_tracks: ", track_ids.size(), " track ids but ", labels.size(), " labels");
  track_embeddings out;
  out.track_ids = track_ids;
  out.labels = labels;
  const index_t n = static_cast<index_t>(track_ids.size());
  const bool parallel = group && group->size() > 1;
  const auto mine = parallel ? distributed::shard_of(static_cast<std::size_t>(n), group->rank(), group->size())
                             : distributed::shard_range{0, static_cast<std::size_t>(n)};
  std::optional<progress> bar;
  if (!parallel || group->root()) bar.emplace(label, static_cast<std::int64_t>(mine.size()), "tracks");
  std::vector<double> mean, square;
  const index_t per = pool == pooling::mean_std ? 2 : 1;  // output values per latent dimension
  bool have_dim = false;
  for (index_t t = static_cast<index_t>(mine.begin); t < static_cast<index_t>(mine.end); ++t) {
    const tensor<float, 2> z = encode_track(t);
    const index_t chunks = z.extent(0), dim = z.extent(1);
    if (chunks == 0)
      throw value_error(cantus::detail::concat(label, ": track ", track_ids[static_cast<std::size_t>(t)],
                                       " has no chunks (shorter than one chunk?)"));
    if (!have_dim) {
      out.latents = tensor<float, 2>({n, per * dim}, 0.0f);
      have_dim = true;
    } else if (per * dim != out.dim())
      throw_shape_mismatch(label, "latent width", shape_t<1>{out.dim() / per}, shape_t<1>{dim});
    mean.assign(static_cast<std::size_t>(dim), 0.0);
    square.assign(static_cast<std::size_t>(dim), 0.0);
    for (index_t c = 0; c < chunks; ++c)
      for (index_t d = 0; d < dim; ++d) {
        mean[static_cast<std::size_t>(d)] += z(c, d);
        square[static_cast<std::size_t>(d)] += double(z(c, d)) * z(c, d);
      }
    for (index_t d = 0; d < dim; ++d) {
      const double v = mean[static_cast<std::size_t>(d)] / static_cast<double>(chunks);
      if (!std::isfinite(v))
        throw value_error(cantus::detail::concat(label, ": track ", track_ids[static_cast<std::size_t>(t)], " has a non-finite latent (",
                                         v, " in dimension ", d, "); the model diverged"));
      out.latents(t, d) = static_cast<float>(v);
      if (per == 2)
        out.latents(t, dim + d) =
            static_cast<float>(std::sqrt(std::max(0.0, square[static_cast<std::size_t>(d)] / static_cast<double>(chunks) - v * v)));
    }
    if (bar) bar->advance();
  }
  if (parallel) {
    double dim = have_dim ? static_cast<double>(out.dim()) : 0.0;
    group->all_reduce_max(&dim, 1);
    if (have_dim && static_cast<index_t>(dim) != out.dim())
      throw_shape_mismatch(label, "latent width (across ranks)", shape_t<1>{static_cast<index_t>(dim)}, shape_t<1>{out.dim()});
    if (!have_dim) out.latents = tensor<float, 2>({n, static_cast<index_t>(dim)}, 0.0f);
    group->all_reduce_sum(out.latents.data(), static_cast<std::size_t>(out.latents.size()));
  } else if (!have_dim) {
    out.latents = tensor<float, 2>({0, 0});
  }
  return out;
}

}  // namespace cantus::models
