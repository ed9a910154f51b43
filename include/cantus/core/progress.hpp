#pragma once
// Progress for long work: a bar with rate and ETA redrawn in place on a terminal, plain lines (at most
// one every few seconds) when the output is a log file or pipe.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace cantus {

class progress {
 public:
  progress(std::string label, std::int64_t total, std::string unit = "items", std::FILE* out = stderr)
      : label_(std::move(label)), unit_(std::move(unit)), total_(total), out_(out), tty_(::isatty(::fileno(out))),
        start_(clock::now()), last_(start_) {}
  ~progress() { finish(); }
  progress(const progress&) = delete;
  progress& operator=(const progress&) = delete;

  void advance(std::int64_t n = 1, const std::string& note = {}) { update(done_ + n, note); }
  void update(std::int64_t done, const std::string& note = {}) {
    done_ = done;
    note_ = note;
    const auto now = clock::now();
    const double since = seconds(now - last_);
    if ((tty_ && since < 0.1) || (!tty_ && since < 5.0 && done_ < total_)) return;
    last_ = now;
    draw(false);
  }
  void finish() {
    if (finished_) return;
    finished_ = true;
    draw(true);
  }
  double elapsed() const { return seconds(clock::now() - start_); }

 private:
  using clock = std::chrono::steady_clock;
  static double seconds(clock::duration d) { return std::chrono::duration<double>(d).count(); }
  static std::string hms(double s) {
    char b[32];
    const long t = static_cast<long>(s + 0.5);
    if (t >= 3600) std::snprintf(b, sizeof b, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else std::snprintf(b, sizeof b, "%ld:%02ld", t / 60, t % 60);
    return b;
  }
  void draw(bool final) {
    const double el = elapsed();
    const double rate = el > 0 ? done_ / el : 0.0;
    const double frac = total_ > 0 ? static_cast<double>(done_) / total_ : 1.0;
    const std::string eta = (rate > 0 && total_ > done_) ? hms((total_ - done_) / rate) : "0:00";
    if (tty_) {
      constexpr int width = 28;
      const int filled = static_cast<int>(frac * width);
      std::string bar(filled, '#');
      bar.append(width - filled, '.');
      std::fprintf(out_, "\r%s [%s] %3.0f%% %lld/%lld %s, %.1f %s/s, elapsed %s, ETA %s %s\033[K%s", label_.c_str(),
                   bar.c_str(), 100 * frac, static_cast<long long>(done_), static_cast<long long>(total_),
                   unit_.c_str(), rate, unit_.c_str(), hms(el).c_str(), eta.c_str(), note_.c_str(), final ? "\n" : "");
    } else {
      std::fprintf(out_, "%s: %lld/%lld %s (%.0f%%), %.1f %s/s, elapsed %s, ETA %s %s\n", label_.c_str(),
                   static_cast<long long>(done_), static_cast<long long>(total_), unit_.c_str(), 100 * frac, rate,
                   unit_.c_str(), hms(el).c_str(), eta.c_str(), note_.c_str());
    }
    std::fflush(out_);
  }

  std::string label_, unit_, note_;
  std::int64_t total_ = 0, done_ = 0;
  std::FILE* out_;
  bool tty_;
  bool finished_ = false;
  clock::time_point start_, last_;
};

}  // namespace cantus
