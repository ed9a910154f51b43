// Latent traversals of the step-VAE, to see and hear what its dimensions do. Trains the run's
// step-VAE as table1 does (or loads its finished checkpoint from --out), takes five seconds from the
// middle of the first test clip, encodes every frame, and for the six dimensions whose mean varies
// most over the test clips shifts that one dimension of every frame by -2 to +2 of its standard
// deviation (seven steps), decodes, and draws the decoded log-mel spectrograms as a grid
// (DIR/traversal/traversal.png, first row: the clip and its reconstruction). Each log-mel is taken
// back to audio (cantus/audio/inverse.hpp: NNLS onto the linear spectrum, 32 iterations of fast
// Griffin-Lim) and written as WAV: the clip, the reconstruction, and both ends of every dimension.
//   traversal [the paper programs' flags: --fma/--folders/embedded corpus, --quick, --out, ...]
#include "cantus/audio/inverse.hpp"
#include "cantus/audio/save.hpp"
#include "paper_cli.hpp"
#ifndef CANTUS_EXAMPLE_HAVE_VIZ
#define CANTUS_EXAMPLE_HAVE_VIZ 0
#endif
#if CANTUS_EXAMPLE_HAVE_VIZ
#include "cantus/viz/image_grid.hpp"
#endif

int main(int argc, char** argv) {
  using cantus::index_t;
  using cantus::tensor;
  namespace fs = std::filesystem;
  auto o = paper::parse(argc, argv, "The step-VAE's latent traversals as a log-mel grid (PNG) and as audio (WAV).");
  try {
    const auto t0 = std::chrono::steady_clock::now();
    auto p = paper::prepare(o);
    if (p.test.empty()) throw cantus::value_error("traversal: the corpus has no test clips");
    paper::trained_step_vae m(p, o);
    const index_t bins = m.n_mels(), latent = m.latent();
    // The standardised frames of a track, [frames, 1, n_mels], every `step`-th frame from `first`.
    auto frames_of = [&](const cantus::data::stored_track& t, index_t first, index_t count, index_t step) {
      const auto mel = p.store.mel(t);
      count = std::min(count, (mel.extent(1) - first + step - 1) / step);
      tensor<float, 3> x({count, 1, bins});
      for (index_t f = 0; f < count; ++f)
        for (index_t b = 0; b < bins; ++b) x(f, 0, b) = p.norm(b, mel(b, first + f * step));
      return x;
    };
    // Which dimensions the model uses: the variance of mu over frames of every test clip.
    std::vector<double> s(static_cast<std::size_t>(latent), 0.0), s2 = s;
    double n = 0;
    for (const auto* t : p.test) {
      const auto frames = static_cast<index_t>(t->frames);
      const auto mu = m.encode(frames_of(*t, 0, 64, std::max<index_t>(1, frames / 64)));
      for (index_t f = 0; f < mu.extent(0); ++f, ++n)
        for (index_t d = 0; d < latent; ++d) s[d] += mu(f, d), s2[d] += double(mu(f, d)) * mu(f, d);
    }
    std::vector<index_t> dims(static_cast<std::size_t>(latent));
    std::iota(dims.begin(), dims.end(), 0);
    auto var = [&](index_t d) { return std::max(0.0, s2[d] / n - (s[d] / n) * (s[d] / n)); };
    std::stable_sort(dims.begin(), dims.end(), [&](index_t a, index_t b) { return var(a) > var(b); });
    dims.resize(std::min<std::size_t>(6, dims.size()));

    // Five seconds from the middle of the first test clip.
    const auto& clip = *p.test.front();
    const auto& mp = p.features.mel;
    const index_t seg = std::min<index_t>(static_cast<index_t>(clip.frames), static_cast<index_t>(5 * mp.sr / mp.hop_length) + 1);
    const auto x = frames_of(clip, (static_cast<index_t>(clip.frames) - seg) / 2, seg, 1);
    const auto mu = m.encode(x);
    // decoded [seg, 1, bins] standardised -> log-mel dB [bins, seg]
    auto to_db = [&](const tensor<float, 3>& y) {
      tensor<float, 2> db({bins, seg});
      for (index_t f = 0; f < seg; ++f)
        for (index_t b = 0; b < bins; ++b) db(b, f) = y(f, 0, b) / p.norm.scale[static_cast<std::size_t>(b)] + p.norm.mean[static_cast<std::size_t>(b)];
      return db;
    };
    const fs::path dir = o.out / "traversal";
    cantus::make_directories(dir, "--out");
    std::vector<std::string> written;
    auto wav = [&](const std::string& name, const tensor<float, 2>& db) {
      tensor<float, 2> power({bins, seg});
      for (index_t i = 0; i < db.size(); ++i) power.data()[i] = std::pow(10.0f, db.data()[i] / 10.0f);  // the features' ref is 1
      const auto y = cantus::audio::mel_to_audio(power, mp, (seg - 1) * mp.hop_length, {.n_iter = 32, .seed = o.seed});
      cantus::audio::write_wav(dir / (name + ".wav"), y, static_cast<int>(mp.sr));
      written.push_back(name + ".wav");
    };
    const auto original = to_db(x), reconstruction = to_db(m.decode(mu));
    wav("clip", original);
    wav("reconstruction", reconstruction);
    const std::vector<double> steps = {-2, -4.0 / 3, -2.0 / 3, 0, 2.0 / 3, 4.0 / 3, 2};
    std::vector<tensor<float, 2>> cells{original, reconstruction};
    for (std::size_t c = 2; c < steps.size(); ++c) cells.emplace_back(tensor<float, 2>({bins, seg}, std::nanf("")));
    std::vector<std::string> rows{"clip / decoded"};
    std::string md = "# Latent traversals of the step-VAE\n\n" + p.description + ", " + (o.quick ? "--quick" : "full settings") +
                     ", seed " + std::to_string(o.seed) + ". Clip " + std::to_string(clip.id) + ", " +
                     std::to_string(seg) + " frames from its middle. Level and tilt: the decoded log-mel at +2 sd minus at -2 sd, "
                     "averaged over frames: all bands (level), and the top quarter of the bands minus the bottom quarter "
                     "(tilt, > 0: brighter).\n\n| dimension | sd of its mean over test frames | level change (dB) | tilt change (dB) | files |\n|---|---|---|---|---|\n";
    // mean dB of a log-mel over bands [lo, hi) and all frames
    auto band_mean = [&](const tensor<float, 2>& db, index_t lo, index_t hi) {
      double t = 0;
      for (index_t b = lo; b < hi; ++b)
        for (index_t f = 0; f < seg; ++f) t += db(b, f);
      return t / double((hi - lo) * seg);
    };
    for (index_t d : dims) {
      const double sd = std::sqrt(var(d));
      for (double v : steps) {
        auto z = mu;
        for (index_t f = 0; f < seg; ++f) z(f, d) += static_cast<float>(v * sd);
        cells.push_back(to_db(m.decode(z)));
      }
      const std::string name = "dim" + std::to_string(d);
      wav(name + "_minus2sd", cells[cells.size() - steps.size()]);
      wav(name + "_plus2sd", cells.back());
      rows.push_back("z" + std::to_string(d));
      const auto& lo = cells[cells.size() - steps.size()];
      const auto& hi = cells.back();
      const index_t q = bins / 4;
      auto tilt = [&](const tensor<float, 2>& db) { return band_mean(db, bins - q, bins) - band_mean(db, 0, q); };
      char row[160];
      std::snprintf(row, sizeof row, " | %+.2f | %+.2f | ", band_mean(hi, 0, bins) - band_mean(lo, 0, bins), tilt(hi) - tilt(lo));
      md += "| " + std::to_string(d) + " | " + paper::json_number(sd) + row + name + "_minus2sd.wav, " + name + "_plus2sd.wav |\n";
    }
#if CANTUS_EXAMPLE_HAVE_VIZ
    std::vector<std::string> cols;
    for (double v : steps) {
      char b[16];
      std::snprintf(b, sizeof b, "%+.2f sd", v);
      cols.emplace_back(b);
    }
    cantus::viz::image_grid(dir / "traversal.png", cells, static_cast<int>(rows.size()), static_cast<int>(steps.size()), rows, cols,
                            {.title = "step_vae: one latent dimension shifted at a time (log-mel, dB)", .scale = 1});
    written.push_back("traversal.png");
#endif
    md += "\nFirst row of traversal.png: the clip's log-mel and the decoded mu. Audio: mel -> linear power by NNLS, 32 "
          "iterations of fast Griffin-Lim (clip.wav and reconstruction.wav went the same way).\n";
    paper::write_text(dir / "traversal.md", md);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%s\nwritten in %s (%.0f s):", md.c_str(), dir.c_str(), secs);
    for (const auto& w : written) std::printf(" %s", w.c_str());
    std::printf("\n");
    return 0;
  } catch (const std::exception& e) {
    return paper::fail(o, e);
  }
}
