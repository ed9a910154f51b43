#pragma once
// FFTW (single precision) plans for the real-to-complex transforms of the STFT.
//
// FFTW's planner is not thread-safe while its execute functions are: plans are made once per size
// under one process-wide mutex and then executed concurrently with fftwf_execute_dft_r2c on
// per-thread buffers. Code elsewhere in a program that calls FFTW's planner should hold
// fftw_planner_mutex() too. Plans use FFTW_ESTIMATE: its choice does not depend on timing
// measurements, so the same input gives the same bits on every run (FFTW_MEASURE may pick a
// different algorithm from one run to the next); the bench_audio program reports what MEASURE
// would gain.
#include <fftw3.h>

#include <complex>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <new>

#include "cantus/base/error.hpp"

namespace cantus::audio {

inline std::mutex& fftw_planner_mutex() {
  static std::mutex m;
  return m;
}

// A buffer from fftwf_malloc: the SIMD alignment FFTW planned for, which new-array execution requires.
template <class T>
struct fftw_buffer {
  explicit fftw_buffer(std::size_t n) : ptr(static_cast<T*>(fftwf_malloc(sizeof(T) * (n ? n : 1)))), size(n) {
    if (!ptr) throw memory_error(cantus::detail::concat("cantus::audio: fftwf_malloc of ", n, " elements failed"));
  }
  fftw_buffer(const fftw_buffer&) = delete;
  fftw_buffer& operator=(const fftw_buffer&) = delete;
  ~fftw_buffer() { fftwf_free(ptr); }
  T* data() const { return ptr; }
  T* ptr;
  std::size_t size;
};

namespace detail {
// One process-wide plan per (kind, length, flags), made on first use under the planner mutex and kept
// for the life of the process. The map is never destroyed: a static map's destructor ran at exit and
// dropped the only pointers to the plans (LeakSanitizer reported every plan as leaked), and a plan
// asked for during exit (another thread, another static's destructor) would have used a destroyed map.
template <bool Forward>
fftwf_plan cached_plan(int n, unsigned flags) {
  const char* name = Forward ? "r2c_plan" : "c2r_plan";
  if (n < 1) throw_value_error("cantus::audio::", name, ": FFT length must be positive, got ", n);
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  static auto& plans = *new std::map<std::pair<int, unsigned>, fftwf_plan>;
  const auto key = std::make_pair(n, flags);
  if (auto it = plans.find(key); it != plans.end()) return it->second;
  fftw_buffer<float> real(static_cast<std::size_t>(n));
  fftw_buffer<fftwf_complex> complex(static_cast<std::size_t>(n / 2 + 1));
  fftwf_plan p = Forward ? fftwf_plan_dft_r2c_1d(n, real.data(), complex.data(), flags)
                         : fftwf_plan_dft_c2r_1d(n, complex.data(), real.data(), flags);
  if (!p) throw cantus::error(cantus::detail::concat("cantus::audio::", name, ": FFTW could not plan a length-", n, " transform"));
  plans.emplace(key, p);
  return p;
}
}  // namespace detail

// The real-to-complex plan for length n (input n floats, output n/2+1 complex values).
inline fftwf_plan r2c_plan(int n, unsigned flags = FFTW_ESTIMATE) { return detail::cached_plan<true>(n, flags); }

// The complex-to-real plan for length n (input n/2+1 complex values, output n floats, unnormalised:
// a forward and an inverse transform multiply by n). FFTW's c2r overwrites its input.
inline fftwf_plan c2r_plan(int n, unsigned flags = FFTW_ESTIMATE) { return detail::cached_plan<false>(n, flags); }

}  // namespace cantus::audio
