// paper::apply (apply_model.hpp): the run's model on audio files, segment by segment.
#include "apply_model.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "cantus/audio/stream.hpp"
#include "cantus/core/progress.hpp"
#include "paper_experiment_run.hpp"

namespace paper::apply {

std::vector<fs::path> audio_files(const std::vector<std::string>& inputs) {
  static const std::vector<std::string> exts = {".wav", ".flac", ".mp3", ".ogg", ".opus"};
  auto audio = [&](const fs::path& p) {
    auto e = p.extension().string();
    std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return std::find(exts.begin(), exts.end(), e) != exts.end();
  };
  std::vector<fs::path> out;
  for (const auto& in : inputs) {
    std::error_code ec;
    const fs::path p(in);
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> found;
      for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
        if (!audio(it->path())) continue;
        // An entry that cannot be read (a symbolic link loop, a dangling link) is skipped, saying so.
        std::error_code entry;
        if (it->is_regular_file(entry)) found.push_back(it->path());
        else if (entry) std::fprintf(stderr, "warning: %s: skipped: %s\n", it->path().c_str(), entry.message().c_str());
      }
      if (ec) throw cantus::io_error(cantus::detail::concat(in, ": cannot list the folder: ", ec.message()));
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else if (fs::exists(p, ec)) {
      out.push_back(p);
    } else {
      throw cantus::io_error(cantus::detail::concat(in, ": no such file or folder"));
    }
  }
  return out;
}

std::string genre_key(const std::string& name) {
  std::string k;
  for (unsigned char c : name)
    if (std::isalnum(c)) k += static_cast<char>(std::tolower(c));
  return k;
}

namespace {

template <class Entry>
embed_report embed_with(const fs::path& run_dir, model_card card, const std::vector<fs::path>& files, const std::string& pooling,
                        bool verbose) {
  // The model exactly as the paper programs configure it (entry_config), from the card's settings.
  options o;
  o.program = "embed";
  o.quick = card.quick, o.seed = card.seed;
  o.vae_capacity = card.vae_capacity, o.vae_gamma = card.vae_gamma, o.vae_anneal_steps = card.vae_anneal_steps;
  auto pl = plan_for(card.model, card.quick);
  o.plans[card.model] = pl;
  prepared shape;
  shape.corpus.labels = card.genres;
  std::string key;
  const auto cfg = entry_config<Entry>(card.model, shape, o, key);
  typename Entry::model m(cfg, card.seed);
  // A damaged last.ckpt falls back to previous.ckpt as training does, saying so: the weights are then
  // an epoch older than the card's run finished with.
  auto found = models::read_newest_intact_checkpoint(run_dir);
  if (!found.checkpoint) throw cantus::io_error(cantus::detail::concat(run_dir.string(), ": no checkpoint (last.ckpt or previous.ckpt)"));
  const auto& ckpt = *found.checkpoint;
  if (!found.fallback_note.empty())
    std::fprintf(stderr, "warning: %s (weights after epoch %lld)\n", found.fallback_note.c_str(), static_cast<long long>(ckpt.epochs_done));
  if (ckpt.seed != card.seed)
    throw cantus::value_error(cantus::detail::concat(found.path.string(), ": seed ", ckpt.seed, ", the card says ", card.seed));
  try {
    models::detail::restore_model_state(m, ckpt.best_model.empty() ? ckpt.model : ckpt.best_model);  // what training left
  } catch (const std::exception& e) {  // a model of another shape than the card's (an edited card, another build)
    throw cantus::value_error(cantus::detail::concat(found.path.string(), ": its weights do not fit the ", card.model,
                                                     " the model card describes: ", e.what()));
  }

  embed_report rep;
  rep.card = card;
  const bool with_std = (pooling.empty() ? card.pooling : pooling) == "mean+std";
  rep.card.pooling = with_std ? "mean+std" : "mean";
  const cantus::audio::mel_spectrogram mel(card.features.mel);
  const double sr = card.features.mel.sr, max_s = card.features.max_seconds > 0 ? card.features.max_seconds : 30.0;
  const auto seg = static_cast<std::size_t>(std::llround(max_s * sr));
  const index_t eb = pl.training.batch_size;
  std::optional<cantus::progress> bar;
  if (verbose) bar.emplace("embed " + card.model, static_cast<std::int64_t>(files.size()), "files");
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& path : files) {
    file_embedding f;
    f.path = path;
    try {
      cantus::audio::stream_reader in(path, sr, cantus::audio::decode_block_frames, card.features.min_decoded_share);
      std::vector<double> sum, square;
      std::vector<float> buf;
      for (index_t k = 0;; ++k) {
        buf.clear();
        in.read(buf, seg);
        // The feature store's decode checks (audio/decode_check.hpp): the stream refuses a partial or
        // truncated file as extraction does; here, a file shorter than one analysis window.
        if (k == 0) cantus::audio::require_length(path.string(), buf.size(), sr, static_cast<std::uint64_t>(card.features.mel.n_fft));
        if (buf.empty() || (k > 0 && buf.size() < seg / 2)) {  // the end, or a short tail after whole segments
          f.seconds += static_cast<double>(buf.size()) / sr;
          break;
        }
        f.seconds += static_cast<double>(buf.size()) / sr;
        auto ex = cantus::data::internal::extract_samples(k, std::move(buf), card.features, mel);
        std::vector<cantus::data::internal::extracted> one;
        one.push_back(std::move(ex));
        const auto store = cantus::data::feature_store::in_memory(card.features, std::move(one), path.string());
        track_source src{&store, store.tracks(cantus::data::split::training), &card.norm};
        src.gain = card.raw_gain;
        const auto ds = Entry::data(std::move(src), cfg, card.quick, card.embed_windows);
        const auto rows = ds.items_of(0);
        if (rows.empty())
          throw cantus::value_error(cantus::detail::concat("segment ", k, " (", static_cast<double>(store.all()[0].seconds), " s) holds no ",
                                                           card.model, " window: too short"));
        for (std::size_t b = 0; b < rows.size(); b += static_cast<std::size_t>(eb)) {
          const std::size_t e = std::min(rows.size(), b + static_cast<std::size_t>(eb));
          const tensor<float, 2> z = m.encode(ds.batch(std::span<const index_t>(rows.data() + b, e - b)));
          if (sum.empty()) sum.assign(static_cast<std::size_t>(z.extent(1)), 0.0), square = sum;
          for (index_t c = 0; c < z.extent(0); ++c)
            for (index_t d = 0; d < z.extent(1); ++d) sum[static_cast<std::size_t>(d)] += z(c, d), square[static_cast<std::size_t>(d)] += double(z(c, d)) * z(c, d);
        }
        f.windows += static_cast<index_t>(rows.size());
        ++f.segments;
      }
      if (f.windows == 0) throw cantus::value_error("no audio");
      const auto dim = sum.size();
      f.latent.resize(with_std ? 2 * dim : dim);
      for (std::size_t d = 0; d < dim; ++d) {
        const double v = sum[d] / static_cast<double>(f.windows);
        if (!std::isfinite(v)) throw cantus::value_error(cantus::detail::concat("non-finite latent in dimension ", d));
        f.latent[d] = static_cast<float>(v);
        if (with_std) f.latent[dim + d] = static_cast<float>(std::sqrt(std::max(0.0, square[d] / static_cast<double>(f.windows) - v * v)));
      }
    } catch (const std::exception& e) {
      f.latent.clear();
      f.error = e.what();
    }
    rep.audio_seconds += f.seconds;
    rep.files.push_back(std::move(f));
    if (bar) bar->advance();
  }
  if (bar) bar->finish();
  rep.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return rep;
}

}  // namespace

embed_report embed_files(const fs::path& run_dir, const std::vector<fs::path>& files, const std::string& pooling, bool verbose) {
  const auto card = read_model_card(run_dir / "model.json");
  return visit_model(card.model, [&](auto e) { return embed_with<decltype(e)>(run_dir, card, files, pooling, verbose); });
}

}  // namespace paper::apply
