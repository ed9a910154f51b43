// mel_inversion: how much of a clip survives the way from its mel spectrogram back to audio, as
// cantus/audio/inverse.hpp does it (NNLS onto the linear spectrum, fast Griffin-Lim). For each file:
// the mel power spectrogram (librosa's defaults: n_fft 2048, hop 512, 128 bands), back to audio, and
// the spectral convergence || S - |STFT(y)| || / || S || against the clip's own STFT magnitude S.
// examples/audio/mel_inversion_librosa.py runs librosa.feature.inverse.mel_to_audio on the same
// files for comparison (docs/performance.md, "Mel inversion").
//   build/examples/mel_inversion FILE... [--seconds S (10)] [--n-iter N (32)] [--out DIR]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "cantus/audio.hpp"
#include "cantus/audio/inverse.hpp"
#include "cantus/audio/save.hpp"
#include "cantus/audio/stream.hpp"
#include "cli.hpp"

int main(int argc, char** argv) {
  using namespace cantus::audio;
  std::vector<std::string> files;
  double seconds = 10;
  int n_iter = 32;
  std::string out;
  cli::app app{"How much of a clip survives the way from its mel spectrogram back to audio (NNLS onto the linear\n"
               "spectrum, fast Griffin-Lim): the spectral convergence against the clip's own STFT magnitude.",
               "mel_inversion"};
  cli::existing_positionals(app, "FILE", files, cli::must_be::file, "audio files")->required();
  cli::real(app, "--seconds", seconds, std::numeric_limits<double>::min(), 24 * 3600.0, "seconds of each file (default 10)",
            "a number of seconds > 0");
  cli::integer(app, "--n-iter", n_iter, 1, 100000, "Griffin-Lim iterations (default 32)");
  app.add_option("--out", out, "write NAME.inverted.wav into DIR")->type_name("DIR");
  return cli::run(app, argc, argv, [&] {
    if (!out.empty()) cli::check_writable_folder("--out", out);  // before the work; created where missing
    const mel_params p;
    const mel_spectrogram mel(p);
    const stft_transform tf(p);
    std::printf("| file | seconds | spectral convergence | time (s) |\n|---|---|---|---|\n");
    for (const auto& f : files) {
      // Only --seconds are kept (decoded in blocks; the rest is decoded unkept for the decode checks):
      // memory follows --seconds, not the file.
      signal s;
      {
        stream_reader in(f, p.sr);
        const auto keep = static_cast<std::size_t>(seconds * p.sr);
        while (s.samples.size() < keep && in.read(s.samples, std::min<std::size_t>(keep - s.samples.size(), std::size_t{1} << 16)) > 0) {
        }
        in.skip_rest();
        s.sample_rate = in.sample_rate();
      }
      const auto n = static_cast<cantus::index_t>(s.samples.size());
      const auto S = magnitude(tf.forward(s.samples));
      const auto t0 = std::chrono::steady_clock::now();
      const auto y = mel_to_audio(mel.power(s.samples), p, n, {.n_iter = n_iter});
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::printf("| %s | %.1f | %.4f | %.2f |\n", std::filesystem::path(f).filename().c_str(), double(n) / p.sr,
                  spectral_convergence(S, y, tf), secs);
      if (!out.empty()) write_wav(std::filesystem::path(out) / (std::filesystem::path(f).stem().string() + ".inverted.wav"), y, static_cast<int>(p.sr));
    }
    return int(cli::success);
  });
}
