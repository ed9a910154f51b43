#pragma once
// A fast 64-bit checksum for cached data, index and checkpoint files, such as the paper component's
// feature store (detects truncation, bit rot and stale files; not cryptographic). In core because
// checkpoints (nn) and data files (data, paper) both verify with it. Eight bytes per step through a
// multiply-rotate mix, then a final avalanche.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace cantus {

class checksum64 {
 public:
  explicit checksum64(std::uint64_t seed = 0x9E3779B97F4A7C15ull) : h_(seed) {}
  checksum64& add(const void* data, std::size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    std::size_t i = 0;
    for (; i + 8 <= bytes; i += 8) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      mix(w);
    }
    std::uint64_t tail = 0;
    // Not for an empty tail: `data` may then be null (a store without raw audio adds (nullptr, 0)),
    // and memcpy from null is undefined even for 0 bytes (found by tests/fuzz, fuzz_feature_store).
    if (bytes > i) std::memcpy(&tail, p + i, bytes - i);
    mix(tail ^ (static_cast<std::uint64_t>(bytes - i) << 56));
    length_ += bytes;
    return *this;
  }
  checksum64& add(std::string_view s) { return add(s.data(), s.size()); }
  std::uint64_t value() const {
    std::uint64_t h = h_ ^ length_;
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return h;
  }

 private:
  void mix(std::uint64_t w) {
    w *= 0x87C37B91114253D5ull;
    w = (w << 31) | (w >> 33);
    w *= 0x4CF5AD432745937Full;
    h_ ^= w;
    h_ = ((h_ << 27) | (h_ >> 37)) * 5 + 0x52DCE729;
  }
  std::uint64_t h_;
  std::uint64_t length_ = 0;
};

}  // namespace cantus
