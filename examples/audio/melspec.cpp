// melspec: an audio file to a float32 .npy log-mel spectrogram [n_mels, frames] (librosa 0.10's
// melspectrogram + power_to_db), or to the decoded, resampled mono signal with --raw.
//
//   build/examples/melspec song.mp3 song.logmel.npy
//   build/examples/melspec song.mp3 song.npy --pad-mode reflect --n-mels 96 --raw song.wave.npy
//   build/examples/melspec --help
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "cantus/audio.hpp"
#include "cantus/core/npy.hpp"
#include "cli.hpp"


int main(int argc, char** argv) {
  namespace ca = cantus::audio;
  ca::mel_params p;
  std::string in, out;
  std::optional<std::string> raw_out;
  bool db = true;
  int threads = 0;
  cli::app app{R"(Decodes IN (WAV, FLAC, OGG/Vorbis, Opus, MP3: whatever libsndfile reads), mixes it down to mono
(mean of the channels), resamples it with libsoxr (high quality) to --sr and writes the log-mel
spectrogram to OUT.npy as float32 [n_mels, frames], computed like librosa 0.10:
  power_to_db(melspectrogram(y, sr, n_fft, hop_length, window='hann', center=True, ...),
              ref=1.0, amin=1e-10, top_db=80)
Options have librosa's names and defaults.)",
               "melspec"};
  constexpr double real_max = std::numeric_limits<double>::max();
  constexpr int int_max = std::numeric_limits<int>::max();
  cli::value_option(app, "IN", "the audio file", "FILE", [&in](const std::string& f, const std::string& t) {
    cli::check_exists(f, t, cli::must_be::file);
    in = t;
  })->required();
  app.add_option("OUT", out, "OUT.npy: the spectrogram (without it, --raw is needed)");
  cli::real(app, "--sr", p.sr, 0, real_max, "target sample rate; 0 keeps the file's own rate [22050]", "a sample rate > 0 (or 0: the file's own)");
  cli::integer(app, "--n-fft", p.n_fft, 1, int_max, "FFT length (samples per frame) [2048]");
  cli::integer(app, "--hop-length", p.hop_length, 1, int_max, "samples between frame starts (<= n_fft) [512]");
  cli::integer(app, "--win-length", p.win_length, 0, int_max, "periodic Hann window length, centred in n_fft (0 = n_fft) [0]");
  cli::integer(app, "--n-mels", p.n_mels, 1, int_max, "mel bands (<= n_fft/2 + 1) [128]");
  cli::real(app, "--fmin", p.fmin, 0, real_max, "lowest filter edge in Hz [0]");
  cli::real(app, "--fmax", p.fmax, 0, real_max, "highest filter edge in Hz, <= sr/2 (0 = sr/2) [0]");
  cli::real(app, "--power", p.power, std::numeric_limits<double>::min(), real_max, "exponent of the magnitude: 2 power, 1 magnitude [2]",
            "a finite number > 0");
  cli::choice(app, "--pad-mode", p.pad, {{"constant", ca::pad_mode::constant}, {"reflect", ca::pad_mode::reflect}},
              "constant (zeros, librosa >= 0.9) or reflect (librosa < 0.9, the paper) [constant]");
  app.add_flag_callback("--no-center", [&p] { p.center = false; }, "frames start at sample 0 instead of being centred (no padding)");
  app.add_flag("--htk", p.htk, "HTK mel formula instead of Slaney's");
  cli::choice(app, "--norm", p.norm, {{"slaney", ca::mel_norm::slaney}, {"none", ca::mel_norm::none}}, "slaney (area normalisation) or none [slaney]");
  cli::real(app, "--top-db", p.top_db, -real_max, real_max, "floor at max - DB; negative turns the floor off [80]", "a finite number");
  cli::real(app, "--ref", p.ref, std::numeric_limits<double>::min(), real_max, "power_to_db reference power (0 dB) [1]", "a finite number > 0");
  app.add_flag("--ref-max", p.ref_max, "dB relative to the loudest value (librosa's ref=np.max)");
  app.add_flag_callback("--no-db", [&db] { db = false; }, "write the mel power itself instead of power_to_db");
  cli::value_option(app, "--raw", "also (or, without OUT.npy, only) write the decoded, resampled mono signal as float32 [samples]", "RAW.npy",
                    [&raw_out](const std::string&, const std::string& t) { raw_out = t; });
  cli::threads(app, threads, true, "OpenMP threads for the spectrogram (default: OMP_NUM_THREADS or all cores)");
  auto check = [&] {
    if (out.empty() && !raw_out) throw cli::usage_error("missing OUT.npy (or --raw RAW.npy)");
    // Judge the spectrogram parameters before decoding anything (with --sr 0 the rate is known
    // only after decoding; they are checked again then).
    if (!out.empty() && p.sr > 0) {
      try {
        p.validate();
      } catch (const cantus::value_error& e) {
        throw cli::usage_error(e.what());
      }
    }
    // Before decoding: an output that cannot be written fails now, not after the work.
    if (!out.empty()) cli::check_writable_file("OUT", out);
    if (raw_out) cli::check_writable_file("--raw", *raw_out);
  };
  return cli::run(app, argc, argv, check, [&] {
    if (threads > 0) omp_set_num_threads(threads);
    const auto sig = ca::load(in, p.sr);
    p.sr = sig.sample_rate;  // --sr 0 keeps the file's rate
    if (!out.empty()) {
      std::optional<ca::mel_spectrogram> mel;
      try {
        mel.emplace(p);
      } catch (const cantus::value_error& e) {  // with --sr 0, the parameters judged against the file's rate
        throw cli::usage_error(e.what());
      }
      const auto S = db ? mel->log(sig.samples) : mel->power(sig.samples);
      cantus::npy::write(out, S);
      std::fprintf(stderr, "melspec: %s (%.2f s at %g Hz) -> %s [%lld, %lld]\n", in.c_str(), sig.seconds(), sig.sample_rate, out.c_str(),
                   static_cast<long long>(S.extent(0)), static_cast<long long>(S.extent(1)));
    }
    if (raw_out) {
      cantus::npy::write(*raw_out, sig.samples);
      std::fprintf(stderr, "melspec: %s -> %s [%zu] at %g Hz\n", in.c_str(), raw_out->c_str(), sig.samples.size(), sig.sample_rate);
    }
    return int(cli::success);
  });
}
