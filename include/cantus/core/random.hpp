#pragma once
// Counter-based random numbers (Philox4x32-10, Salmon et al. 2011). Value i of a stream depends only
// on (seed, stream, i), never on which thread asks or in what order, so results are the same for any
// thread count and on any backend (the functions are host/device).
#include <cmath>
#include <cstdint>

#include "cantus/base/config.hpp"

namespace cantus {

struct philox4x32 {
  using counter = struct { std::uint32_t v[4]; };

  CANTUS_HD static counter round(counter c, std::uint32_t k0, std::uint32_t k1) {
    constexpr std::uint64_t m0 = 0xD2511F53u, m1 = 0xCD9E8D57u;
    const std::uint64_t p0 = m0 * c.v[0], p1 = m1 * c.v[2];
    return {{static_cast<std::uint32_t>(p1 >> 32) ^ c.v[1] ^ k0, static_cast<std::uint32_t>(p1),
             static_cast<std::uint32_t>(p0 >> 32) ^ c.v[3] ^ k1, static_cast<std::uint32_t>(p0)}};
  }
  // Ten rounds of the bijection keyed by the 64-bit seed.
  CANTUS_HD static counter generate(std::uint64_t seed, std::uint64_t hi, std::uint64_t lo) {
    counter c{{static_cast<std::uint32_t>(lo), static_cast<std::uint32_t>(lo >> 32), static_cast<std::uint32_t>(hi),
               static_cast<std::uint32_t>(hi >> 32)}};
    std::uint32_t k0 = static_cast<std::uint32_t>(seed), k1 = static_cast<std::uint32_t>(seed >> 32);
    for (int r = 0; r < 10; ++r) {
      c = round(c, k0, k1);
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    return c;
  }
};

// A stream of random numbers: (seed, stream) selects it, an index selects the value.
class random_stream {
 public:
  CANTUS_HD constexpr random_stream(std::uint64_t seed, std::uint64_t stream = 0) : seed_(seed), stream_(stream) {}

  // Four independent 32-bit words for index i.
  CANTUS_HD philox4x32::counter bits(std::uint64_t i) const { return philox4x32::generate(seed_, stream_, i); }
  CANTUS_HD std::uint32_t u32(std::uint64_t i) const { return bits(i >> 2).v[i & 3]; }
  CANTUS_HD std::uint64_t u64(std::uint64_t i) const {
    auto b = bits(i >> 1);
    return (i & 1) ? (std::uint64_t(b.v[2]) << 32 | b.v[3]) : (std::uint64_t(b.v[0]) << 32 | b.v[1]);
  }
  // Uniform in [0, 1): 24 random bits, exact in float.
  CANTUS_HD float uniform(std::uint64_t i) const { return static_cast<float>(u32(i) >> 8) * (1.0f / 16777216.0f); }
  CANTUS_HD double uniform_double(std::uint64_t i) const {
    return static_cast<double>(u64(i) >> 11) * (1.0 / 9007199254740992.0);
  }
  // Standard normal by Box-Muller from one Philox block (index i uses its own block).
  CANTUS_HD double normal(std::uint64_t i) const {
    auto b = bits(i);
    const double u1 = (static_cast<double>((std::uint64_t(b.v[0]) << 21) ^ b.v[1]) + 1.0) / 9007199254740993.0;
    const double u2 = static_cast<double>((std::uint64_t(b.v[2]) << 21) ^ b.v[3]) / 9007199254740992.0;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  // Uniform integer in [0, n) without modulo bias worth noticing (64-bit multiply-shift).
  CANTUS_HD std::uint64_t below(std::uint64_t i, std::uint64_t n) const {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(u64(i)) * n) >> 64);
  }
  CANTUS_HD constexpr std::uint64_t seed() const { return seed_; }
  CANTUS_HD constexpr std::uint64_t stream() const { return stream_; }
  // An independent child stream (e.g. one per layer or per epoch).
  CANTUS_HD constexpr random_stream split(std::uint64_t child) const {
    return random_stream(seed_ ^ (0x9E3779B97F4A7C15ull * (child + 1)), stream_ + 0x632BE59BD9B4E019ull * (child + 1));
  }

 private:
  std::uint64_t seed_;
  std::uint64_t stream_;
};

// A sequential convenience wrapper (shuffles, sampling) over the same counter-based stream.
class random_engine {
 public:
  using result_type = std::uint64_t;
  explicit random_engine(std::uint64_t seed, std::uint64_t stream = 0) : s_(seed, stream) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type(0); }
  result_type operator()() { return s_.u64(i_++); }
  float uniform() { return s_.uniform(i_++); }
  double uniform_double() { return s_.uniform_double(i_++); }
  double normal() { return s_.normal(i_++); }
  std::uint64_t below(std::uint64_t n) { return s_.below(i_++, n); }
  template <class It>
  void shuffle(It first, It last) {  // Fisher-Yates, independent of the standard library's algorithm
    const auto n = static_cast<std::uint64_t>(last - first);
    for (std::uint64_t i = n; i > 1; --i) std::swap(first[i - 1], first[below(i)]);
  }

 private:
  random_stream s_;
  std::uint64_t i_ = 0;
};

}  // namespace cantus
