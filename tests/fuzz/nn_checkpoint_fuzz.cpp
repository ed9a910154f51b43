// Layer checkpoints (nn/checkpoint.hpp): header, length, CRC-32, then every section, loaded into a
// fixed model with and without an optimizer. Each input is tried as it is (the length and checksum
// checks) and with its length field and CRC repaired, so mutations reach the sections behind them.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "cantus/nn/checkpoint.hpp"
#include "fuzz_model.hpp"
#include "fuzz_support.hpp"

namespace {
void load_both_ways(const std::filesystem::path& path) {
  cantus_fuzz::small_model m;
  cantus_fuzz::accepts([&] { (void)cantus::nn::load_checkpoint(path, m, m.optim.get()); });
  cantus_fuzz::accepts([&] { (void)cantus::nn::load_checkpoint(path, m, static_cast<cantus::nn::optimizer<float>*>(nullptr)); });
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  load_both_ways(cantus_fuzz::input_file("input.ckpt", data, size));
  if (size >= 28) {
    std::vector<std::uint8_t> b(data, data + size);
    const std::uint64_t length = size;
    std::memcpy(b.data() + 16, &length, sizeof length);
    const std::uint32_t crc = cantus::nn::crc32(b.data(), size - 4);
    std::memcpy(b.data() + size - 4, &crc, sizeof crc);
    load_both_ways(cantus_fuzz::input_file("repaired.ckpt", b.data(), b.size()));
  }
  return 0;
}
