#pragma once
// Threads for the cores other processes leave free. An OpenMP team larger than the free cores is
// slow out of proportion: its threads wait for each other at every barrier while a partner is
// descheduled (seen: a training epoch 10-20x slower with one busy process beside it on 2 cores).
// free_cores() measures, between two calls, how much CPU time the processes other than this one took
// on the cores this process may use (Linux /proc/stat per CPU, minus this process's own time from
// /proc/self/stat), and thread_governor sets the OpenMP thread count to the smaller of what was asked
// and the cores left free. cantus's kernels give the same bits for any thread count (fixed blocks,
// blocks combined in order), so adapting the count changes the speed, never the numbers.
// CANTUS_ADAPTIVE_THREADS=0 in the environment turns the adaptation off.
#include <omp.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace cantus {

class free_core_meter {
 public:
  free_core_meter() { read(last_); }

  // The cores this process may run on (its affinity mask).
  static int allowed() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return std::max(1, static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)));
    return std::max(1, CPU_COUNT(&set));
  }

  // Allowed cores not kept busy by other processes since the previous call (rounded to the nearest
  // core, at least 1); all allowed cores when /proc cannot be read or no time has passed.
  int sample() {
    snapshot now;
    if (!read(now) || !last_.ok) {
      last_ = now;
      return allowed();
    }
    const double total = static_cast<double>(now.total - last_.total), busy = static_cast<double>(now.busy - last_.busy);
    const double own = static_cast<double>(now.own - last_.own);
    const int cpus = std::max(1, now.cpus);
    last_ = now;
    if (total <= 0) return allowed();
    const double per_cpu = total / cpus;                         // ticks each allowed CPU had
    const double others = std::max(0.0, busy - own) / per_cpu;  // cores' worth of other processes' work
    return std::clamp(cpus - static_cast<int>(std::floor(others + 0.5)), 1, cpus);
  }

 private:
  struct snapshot {
    bool ok = false;
    int cpus = 0;
    std::uint64_t total = 0, busy = 0, own = 0;  // clock ticks over the allowed CPUs; this process's
  };
  static bool read(snapshot& s) {
    s = snapshot{};
    cpu_set_t set;
    CPU_ZERO(&set);
    const bool masked = sched_getaffinity(0, sizeof set, &set) == 0;
    std::ifstream stat("/proc/stat");
    std::string line;
    while (std::getline(stat, line)) {
      if (line.compare(0, 3, "cpu") != 0 || line.size() < 4 || line[3] < '0' || line[3] > '9') continue;
      std::istringstream in(line.substr(3));
      int id = 0;
      std::uint64_t v[10] = {};
      in >> id;
      for (auto& x : v) in >> x;
      if (masked && (id < 0 || id >= CPU_SETSIZE || !CPU_ISSET(id, &set))) continue;
      const std::uint64_t idle = v[3] + v[4];  // idle + iowait
      std::uint64_t all = 0;
      for (int k = 0; k < 8; ++k) all += v[k];  // guest time is already in user
      s.total += all;
      s.busy += all - idle;
      ++s.cpus;
    }
    std::ifstream self("/proc/self/stat");
    std::string text((std::istreambuf_iterator<char>(self)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');  // the command name may hold spaces
    if (s.cpus == 0 || close == std::string::npos) return false;
    std::istringstream in(text.substr(close + 2));
    std::string field;
    for (int k = 3; k <= 15; ++k) {  // fields 14 and 15: utime, stime
      if (!(in >> field)) return false;
      if (k == 14 || k == 15) s.own += std::strtoull(field.c_str(), nullptr, 10);
    }
    s.ok = true;
    return true;
  }
  snapshot last_;
};

// Keeps the OpenMP thread count at min(requested, free cores), re-measured at most every `period`.
// Call poll() between units of work (training steps); it is cheap when the period has not passed.
class thread_governor {
 public:
  explicit thread_governor(int requested = omp_get_max_threads(), std::chrono::milliseconds period = std::chrono::milliseconds(1000))
      : requested_(std::max(1, requested)), current_(requested_), period_(period), next_(std::chrono::steady_clock::now() + period) {
    const char* env = std::getenv("CANTUS_ADAPTIVE_THREADS");
    enabled_ = requested_ > 1 && !(env && std::strcmp(env, "0") == 0);
  }
  ~thread_governor() {
    if (enabled_ && current_ != requested_) omp_set_num_threads(requested_);  // as it was asked for
  }
  thread_governor(const thread_governor&) = delete;
  thread_governor& operator=(const thread_governor&) = delete;

  // Returns true when the thread count changed.
  bool poll() {
    if (!enabled_) return false;
    const auto now = std::chrono::steady_clock::now();
    if (now < next_) return false;
    next_ = now + period_;
    const int want = std::min(requested_, meter_.sample());
    if (want == current_) return false;
    current_ = want;
    omp_set_num_threads(current_);
    return true;
  }
  int threads() const { return current_; }
  int requested() const { return requested_; }
  bool enabled() const { return enabled_; }

 private:
  int requested_, current_;
  std::chrono::milliseconds period_;
  std::chrono::steady_clock::time_point next_;
  bool enabled_ = true;
  free_core_meter meter_;
};

}  // namespace cantus
