// melspec: an audio file to a float32 .npy log-mel spectrogram [n_mels, frames] (librosa 0.10's
// melspectrogram + power_to_db), or to the decoded, resampled mono signal with --raw.
//
//   build/examples/melspec song.mp3 song.logmel.npy
//   build/examples/melspec song.mp3 song.npy --pad-mode reflect --n-mels 96 --raw song.wave.npy
//   build/examples/melspec --help
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cantus/audio.hpp"
#include "cantus/core/npy.hpp"

namespace {

constexpr const char* usage = R"(usage: melspec IN [OUT.npy] [options]

Decodes IN (WAV, FLAC, OGG/Vorbis, Opus, MP3: whatever libsndfile reads), mixes it down to mono
(mean of the channels), resamples it with libsoxr (high quality) to --sr and writes the log-mel
spectrogram to OUT.npy as float32 [n_mels, frames], computed like librosa 0.10:
  power_to_db(melspectrogram(y, sr, n_fft, hop_length, window='hann', center=True, ...),
              ref=1.0, amin=1e-10, top_db=80)

options (librosa's names and defaults):
  --sr HZ             target sample rate; 0 keeps the file's own rate        [22050]
  --n-fft N           FFT length (samples per frame)                         [2048]
  --hop-length N      samples between frame starts (<= n_fft)                [512]
  --win-length N      periodic Hann window length, centred in n_fft (0 = n_fft) [0]
  --n-mels N          mel bands (<= n_fft/2 + 1)                             [128]
  --fmin HZ           lowest filter edge                                     [0]
  --fmax HZ           highest filter edge, <= sr/2 (0 = sr/2)                [0]
  --power P           exponent of the magnitude: 2 power, 1 magnitude        [2]
  --pad-mode MODE     constant (zeros, librosa >= 0.9) or reflect (librosa < 0.9, the paper) [constant]
  --no-center         frames start at sample 0 instead of being centred (no padding)
  --htk               HTK mel formula instead of Slaney's
  --norm MODE         slaney (area normalisation) or none                    [slaney]
  --top-db DB         floor at max - DB; negative turns the floor off        [80]
  --ref P             power_to_db reference power (0 dB)                     [1]
  --ref-max           dB relative to the loudest value (librosa's ref=np.max)
  --no-db             write the mel power itself instead of power_to_db
  --raw RAW.npy       also (or, without OUT.npy, only) write the decoded, resampled mono signal
                      as float32 [samples]
  --threads N         OpenMP threads for the spectrogram (default: OMP_NUM_THREADS or all cores)
  -h, --help          this text

exit status: 0 success, 1 the input could not be read or the output written, 2 bad arguments.
)";

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

double parse_number(const std::string& flag, const char* text) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || errno == ERANGE)
    throw usage_error(flag + " expects a number, got '" + text + "'");
  return v;
}
int parse_int(const std::string& flag, const char* text) {
  const double v = parse_number(flag, text);
  if (!(std::abs(v) < 2147483647.0) || v != std::floor(v))
    throw usage_error(flag + " expects an integer, got '" + text + "'");
  return static_cast<int>(v);
}

}  // namespace

int main(int argc, char** argv) {
  namespace ca = cantus::audio;
  ca::mel_params p;
  std::vector<std::string> positional;
  std::optional<std::string> raw_out;
  bool db = true;
  int threads = 0;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      const auto value = [&]() -> const char* {
        if (i + 1 >= argc) throw usage_error(a + " needs a value");
        return argv[++i];
      };
      if (a == "-h" || a == "--help") {
        std::fputs(usage, stdout);
        return 0;
      } else if (a == "--sr") p.sr = parse_number(a, value());
      else if (a == "--n-fft") p.n_fft = parse_int(a, value());
      else if (a == "--hop-length") p.hop_length = parse_int(a, value());
      else if (a == "--win-length") p.win_length = parse_int(a, value());
      else if (a == "--n-mels") p.n_mels = parse_int(a, value());
      else if (a == "--fmin") p.fmin = parse_number(a, value());
      else if (a == "--fmax") p.fmax = parse_number(a, value());
      else if (a == "--power") p.power = parse_number(a, value());
      else if (a == "--top-db") p.top_db = parse_number(a, value());
      else if (a == "--threads") threads = parse_int(a, value());
      else if (a == "--ref") p.ref = parse_number(a, value());
      else if (a == "--ref-max") p.ref_max = true;
      else if (a == "--raw") raw_out = value();
      else if (a == "--no-db") db = false;
      else if (a == "--no-center") p.center = false;
      else if (a == "--htk") p.htk = true;
      else if (a == "--pad-mode") {
        const std::string m = value();
        if (m == "constant") p.pad = ca::pad_mode::constant;
        else if (m == "reflect") p.pad = ca::pad_mode::reflect;
        else throw usage_error("--pad-mode expects constant or reflect, got '" + m + "'");
      } else if (a == "--norm") {
        const std::string m = value();
        if (m == "slaney") p.norm = ca::mel_norm::slaney;
        else if (m == "none") p.norm = ca::mel_norm::none;
        else throw usage_error("--norm expects slaney or none, got '" + m + "'");
      } else if (a.size() > 1 && a[0] == '-') {
        throw usage_error("unknown option '" + a + "' (see --help)");
      } else {
        positional.push_back(a);
      }
    }
    if (positional.empty()) throw usage_error("missing the input file");
    if (positional.size() > 2) throw usage_error("too many arguments: '" + positional[2] + "'");
    if (positional.size() == 1 && !raw_out) throw usage_error("missing OUT.npy (or --raw RAW.npy)");
    if (threads < 0 || threads > 1024) throw usage_error("--threads must be 0 (every core) to 1024");
    if (p.sr < 0) throw usage_error("--sr must be > 0 (or 0 for the file's own rate)");
    // Judge the spectrogram parameters before decoding anything (with --sr 0 the rate is known
    // only after decoding; they are checked again then).
    if (positional.size() == 2 && p.sr > 0) p.validate();
  } catch (const cantus::value_error& e) {
    std::fprintf(stderr, "melspec: %s\n(run melspec --help for the options)\n", e.what());
    return 2;
  } catch (const usage_error& e) {
    std::fprintf(stderr, "melspec: %s\n(run melspec --help for the options)\n", e.what());
    return 2;
  }

  try {
    if (threads > 0) omp_set_num_threads(threads);
    const auto sig = ca::load(positional[0], p.sr);
    p.sr = sig.sample_rate;  // --sr 0 keeps the file's rate
    if (positional.size() == 2) {
      std::optional<ca::mel_spectrogram> mel;
      try {
        mel.emplace(p);
      } catch (const cantus::value_error& e) {
        std::fprintf(stderr, "melspec: %s\n", e.what());
        return 2;
      }
      const auto S = db ? mel->log(sig.samples) : mel->power(sig.samples);
      cantus::npy::write(positional[1], S);
      std::fprintf(stderr, "melspec: %s (%.2f s at %g Hz) -> %s [%lld, %lld]\n", positional[0].c_str(), sig.seconds(),
                   sig.sample_rate, positional[1].c_str(), static_cast<long long>(S.extent(0)),
                   static_cast<long long>(S.extent(1)));
    }
    if (raw_out) {
      cantus::npy::write(*raw_out, sig.samples);
      std::fprintf(stderr, "melspec: %s -> %s [%zu] at %g Hz\n", positional[0].c_str(), raw_out->c_str(),
                   sig.samples.size(), sig.sample_rate);
    }
  } catch (const cantus::value_error& e) {
    std::fprintf(stderr, "melspec: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "melspec: %s\n", e.what());
    return 1;
  }
  return 0;
}
