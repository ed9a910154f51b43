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
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "cantus/audio.hpp"
#include "cantus/audio/inverse.hpp"
#include "cantus/audio/save.hpp"

int main(int argc, char** argv) {
  using namespace cantus::audio;
  std::vector<std::string> files;
  double seconds = 10;
  int n_iter = 32;
  std::filesystem::path out;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "mel_inversion: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    auto number = [&](const std::string& v) {
      char* end = nullptr;
      const double d = std::strtod(v.c_str(), &end);
      if (v.empty() || *end || !(d > 0)) {
        std::fprintf(stderr, "mel_inversion: %s expects a positive number, got '%s'\n", a.c_str(), v.c_str());
        std::exit(2);
      }
      return d;
    };
    if (a == "--seconds") seconds = number(value());
    else if (a == "--n-iter") n_iter = static_cast<int>(number(value()));
    else if (a == "--out") out = value();
    else if (a == "--help" || a == "-h") {
      std::printf("usage: mel_inversion FILE... [--seconds S (10)] [--n-iter N (32)] [--out DIR: write NAME.inverted.wav]\n");
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "mel_inversion: unknown argument '%s'\n", a.c_str());
      return 2;
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: mel_inversion FILE... [--seconds S (10)] [--n-iter N (32)] [--out DIR]\n");
    return 2;
  }
  try {
    if (!out.empty()) std::filesystem::create_directories(out);
    const mel_params p;
    const mel_spectrogram mel(p);
    const stft_transform tf(p);
    std::printf("| file | seconds | spectral convergence | time (s) |\n|---|---|---|---|\n");
    for (const auto& f : files) {
      auto s = load(f, p.sr);
      s.samples.resize(std::min(s.samples.size(), static_cast<std::size_t>(seconds * p.sr)));
      const auto n = static_cast<cantus::index_t>(s.samples.size());
      const auto S = magnitude(tf.forward(s.samples));
      const auto t0 = std::chrono::steady_clock::now();
      const auto y = mel_to_audio(mel.power(s.samples), p, n, {.n_iter = n_iter});
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::printf("| %s | %.1f | %.4f | %.2f |\n", std::filesystem::path(f).filename().c_str(), double(n) / p.sr,
                  spectral_convergence(S, y, tf), secs);
      if (!out.empty()) write_wav(out / (std::filesystem::path(f).stem().string() + ".inverted.wav"), y, static_cast<int>(p.sr));
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mel_inversion: %s\n", e.what());
    return 1;
  }
}
