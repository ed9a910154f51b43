// bench_audio: speed of the audio front end on one core, against PyTorch measured in the same run.
//
//   build/examples/bench_audio [--seconds S] [--no-torch] [--clip WAV] [--mp3-dir DIR]
//
// 1. log-mel of one 30 s clip from samples (librosa defaults: 2048/512/128), one thread, against
//    torch.stft + mel matmul + log10 (examples/audio/torch_logmel_reference.py, one thread).
// 2. the FFT alone for that clip's frames: FFTW (ESTIMATE, as used, and MEASURE) and Eigen's FFT.
// 3. decode + resample to 22050 Hz + log-mel of every MP3 under ../shared/data/fma-gtzan/fma_small,
//    one thread, as x realtime per core, with the share of each stage.
// Figures are medians of repeated runs; absolute times drift between machines, ratios less so.
#include <omp.h>
#include <time.h>

#include <unsupported/Eigen/FFT>

#include <algorithm>
#include <chrono>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "cantus/audio.hpp"
#include "cantus/core/npy.hpp"
#include "cantus/core/random.hpp"
#include "cli.hpp"

namespace fs = std::filesystem;
namespace ca = cantus::audio;
using clock_type = std::chrono::steady_clock;

namespace {

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Median time of one call of f, repeated for about `budget` seconds (at least 5 times): wall clock,
// and the calling thread's CPU time, which other processes' time slices on a busy machine do not
// inflate (the one-thread figures quote it; both are printed).
struct timing {
  double wall, cpu;
};
timing median_time(const std::function<void()>& f, double budget) {
  f();  // warm caches and plans
  std::vector<double> wall, cpu;
  const auto end = clock_type::now() + std::chrono::duration<double>(budget);
  while (clock_type::now() < end || wall.size() < 5) {
    const auto t0 = clock_type::now();
    const double c0 = thread_cpu_seconds();
    f();
    cpu.push_back(thread_cpu_seconds() - c0);
    wall.push_back(std::chrono::duration<double>(clock_type::now() - t0).count());
  }
  const auto median = [](std::vector<double>& v) {
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  return {median(wall), median(cpu)};
}

std::vector<fs::path> mp3s_under(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::exists(dir)) return files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".mp3") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path shared = fs::path(CANTUS_SOURCE_DIR) / ".." / "shared" / "data";
  fs::path clip = shared / "gtzan-mini" / "blues" / "blues.00000.wav";
  fs::path mp3_dir = shared / "fma-gtzan" / "fma_small";
  double budget = 2.0;
  bool torch = true;
  cli::app app{"Times decoding, resampling and the log-mel front end against librosa and torchaudio.", "bench_audio"};
  cli::real(app, "--seconds", budget, 0.001, 3600, "least time per measurement (default 2)");
  app.add_flag_callback("--no-torch", [&torch] { torch = false; }, "skip the PyTorch reference");
  cli::existing(app, "--clip", clip, cli::must_be::file, "the WAV clip (default ../shared/data/gtzan-mini/blues/blues.00000.wav)");
  cli::existing(app, "--mp3-dir", mp3_dir, cli::must_be::folder, "MP3 files to decode (default ../shared/data/fma-gtzan/fma_small)");
  return cli::run(app, argc, argv, [&] {
    const int all_threads = omp_get_max_threads();
    omp_set_num_threads(1);

    ca::signal sig;
    if (fs::exists(clip)) {
      sig = ca::load(clip, 0);
    } else {
      std::printf("no %s: using 30 s of synthetic noise + tones (PyTorch comparison skipped)\n", clip.c_str());
      torch = false;
      sig.sample_rate = 22050;
      sig.samples.resize(30 * 22050);
      cantus::random_stream rs(7, 0);
      for (std::size_t i = 0; i < sig.samples.size(); ++i)
        sig.samples[i] = 0.1f * static_cast<float>(rs.normal(i)) + 0.3f * std::sin(0.05f * static_cast<float>(i));
    }
    const double clip_s = sig.seconds();
    std::printf("clip: %s, %.2f s at %g Hz; cantus SIMD: %s; FFTW %s\n", sig.source.empty() ? "synthetic" : sig.source.c_str(),
                clip_s, sig.sample_rate, cantus::cpu_kernels::simd_name(), fftwf_version);

    // ---- 1. log-mel from samples ------------------------------------------------------------------
    ca::mel_params p;
    p.sr = sig.sample_rate;
    const ca::mel_spectrogram mel(p);
    cantus::tensor<float, 2> S;
    const auto report = [&](const char* what, timing t) {
      std::printf("  %-44s %8.3f ms/clip CPU (%8.3f wall)  %7.0fx realtime\n", what, 1e3 * t.cpu, 1e3 * t.wall,
                  clip_s / t.cpu);
    };
    const timing t_mel = median_time([&] { S = mel.log(sig.samples); }, budget);
    std::printf("\n[log-mel of one clip, one thread] %lld frames x %d mels\n", static_cast<long long>(S.extent(1)), p.n_mels);
    report("cantus mel_spectrogram::log (reused)", t_mel);
    report("cantus log_mel (builds window + filters)", median_time([&] { S = ca::log_mel(sig.samples, p); }, budget / 2));
    report("cantus mel_spectrogram::power (no dB)", median_time([&] { S = mel.power(sig.samples); }, budget / 2));
    S = mel.log(sig.samples);

    if (torch) {
      const char* script = CANTUS_AUDIO_TORCH_REFERENCE;
      const fs::path ours = fs::temp_directory_path() / "cantus_bench_audio_logmel.npy";
      cantus::npy::write(ours, S);
      const std::string cmd = std::string("/usr/bin/python3 '") + script + "' '" + clip.string() + "' --seconds " +
                              std::to_string(budget) + " --compare '" + ours.string() + "' 2>&1";
      if (!fs::exists("/usr/bin/python3") || !fs::exists(script)) {
        std::printf("  PyTorch reference skipped: /usr/bin/python3 or %s missing\n", script);
      } else if (FILE* pipe = popen(cmd.c_str(), "r")) {
        char line[1024];
        double torch_cpu = 0, torch_wall = 0;
        while (std::fgets(line, sizeof line, pipe)) {
          std::printf("  %s", line);
          if (const char* m = std::strstr(line, "cpu_ms_per_clip=")) torch_cpu = std::atof(m + 16);
          if (const char* m = std::strstr(line, "wall_ms_per_clip=")) torch_wall = std::atof(m + 17);
        }
        const int rc = pclose(pipe);
        if (rc == 0 && torch_cpu > 0) {
          report("PyTorch stft + mel matmul + log10, 1 thread", {torch_wall / 1e3, torch_cpu / 1e3});
          // cantus again right after PyTorch: the ratio uses the mean of both cantus medians, so a
          // drift of the machine's load during the run does not favour either side.
          const timing again = median_time([&] { S = mel.log(sig.samples); }, budget);
          report("cantus mel_spectrogram::log (again)", again);
          const double cpu = (t_mel.cpu + again.cpu) / 2, wall = (t_mel.wall + again.wall) / 2;
          std::printf("  => cantus / PyTorch speed: %.2fx (CPU time), %.2fx (wall)\n", torch_cpu / (1e3 * cpu),
                      torch_wall / (1e3 * wall));
        } else {
          std::printf("  PyTorch reference failed (exit %d): is python3-torch installed?\n", rc);
        }
      }
      fs::remove(ours);
    }
    if (all_threads > 1) {
      omp_set_num_threads(all_threads);
      const timing t = median_time([&] { S = mel.log(sig.samples); }, budget / 2);
      omp_set_num_threads(1);
      std::printf("  cantus mel_spectrogram::log, %d threads: %.3f ms/clip wall, %.0fx realtime\n", all_threads,
                  1e3 * t.wall, clip_s / t.wall);
    }

    // ---- 2. the FFT alone -------------------------------------------------------------------------
    {
      const int n = p.n_fft;
      const auto frames = S.extent(1);
      ca::fftw_buffer<float> in(static_cast<std::size_t>(n));
      ca::fftw_buffer<fftwf_complex> out(static_cast<std::size_t>(n / 2 + 1));
      for (int i = 0; i < n; ++i)
        in.data()[i] = sig.samples[static_cast<std::size_t>(i) % sig.samples.size()] * mel.window()[static_cast<std::size_t>(i)];
      std::printf("\n[FFT alone: %lld real transforms of %d (one clip), one thread]\n", static_cast<long long>(frames), n);
      const auto report_fft = [&](const char* what, timing t) {
        std::printf("  %-28s %8.3f ms/clip CPU  %6.2f us/transform\n", what, 1e3 * t.cpu, 1e6 * t.cpu / static_cast<double>(frames));
      };
      for (const auto& [name, flags] : {std::pair<const char*, unsigned>{"FFTW float, ESTIMATE (used)", FFTW_ESTIMATE},
                                        std::pair<const char*, unsigned>{"FFTW float, MEASURE", FFTW_MEASURE}}) {
        const fftwf_plan plan = ca::r2c_plan(n, flags);
        report_fft(name, median_time([&] {
          for (cantus::index_t f = 0; f < frames; ++f) fftwf_execute_dft_r2c(plan, in.data(), out.data());
        }, budget / 2));
      }
      Eigen::FFT<float> eigen_fft;
      eigen_fft.SetFlag(Eigen::FFT<float>::HalfSpectrum);
      std::vector<float> ein(in.data(), in.data() + n);
      std::vector<std::complex<float>> eout;
      report_fft("Eigen::FFT float (kissfft)", median_time([&] {
        for (cantus::index_t f = 0; f < frames; ++f) eigen_fft.fwd(eout, ein);
      }, budget / 2));
    }

    // ---- 3. decode + resample + log-mel of the MP3s -----------------------------------------------
    const auto files = mp3s_under(mp3_dir);
    if (files.empty()) {
      std::printf("\n[decode+resample+log-mel] skipped: no MP3 under %s\n", mp3_dir.c_str());
      return 0;
    }
    double audio_s = 0, t_decode = 0, t_resample = 0, t_logmel = 0;
    const ca::mel_spectrogram mel22{ca::mel_params{}};
    double wall = 0;
    for (const auto& f : files) {
      const auto w0 = clock_type::now();
      const double t0 = thread_cpu_seconds();
      auto native = ca::load(f, 0);
      const double t1 = thread_cpu_seconds();
      auto y = ca::resample(native.samples, native.sample_rate, 22050);
      const double t2 = thread_cpu_seconds();
      auto L = mel22.log(y);
      const double t3 = thread_cpu_seconds();
      audio_s += native.seconds();
      t_decode += t1 - t0;
      t_resample += t2 - t1;
      t_logmel += t3 - t2;
      wall += std::chrono::duration<double>(clock_type::now() - w0).count();
    }
    const double total = t_decode + t_resample + t_logmel;
    std::printf("\n[decode + resample + log-mel of MP3s, one thread, CPU time] %zu MP3s (%s), %.1f s of audio\n", files.size(), mp3_dir.c_str(), audio_s);
    std::printf("  total %.3f s CPU (%.3f s wall) = %.1f ms/clip: %.0fx realtime per core\n", total, wall,
                1e3 * total / static_cast<double>(files.size()), audio_s / total);
    std::printf("  decode (libsndfile/mpg123, stereo->mono) %5.1f%%  %7.0fx realtime\n", 100 * t_decode / total, audio_s / t_decode);
    std::printf("  resample 44100->22050 (libsoxr HQ)       %5.1f%%  %7.0fx realtime\n", 100 * t_resample / total, audio_s / t_resample);
    std::printf("  log-mel                                  %5.1f%%  %7.0fx realtime\n", 100 * t_logmel / total, audio_s / t_logmel);
    return 0;
  });
}
