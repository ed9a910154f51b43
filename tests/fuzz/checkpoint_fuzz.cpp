// Checkpoints (nn/checkpoint.hpp), every version the one reader takes: each input is loaded as a
// layer checkpoint into a fixed model, with and without its Adam optimizer, and as a trainer
// checkpoint (what train() reads from last.ckpt / previous.ckpt), whose model and optimizer states
// are then restored into the same model as train() does. Each input is tried as it is and with its
// checksum repaired (and, in the CANTUSCK format, its length field), so mutations reach the fields
// behind those checks.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <istream>
#include <ostream>
#include <sstream>
#include <string>

#include "cantus/core/checksum.hpp"
#include "cantus/models/model_support.hpp"
#include "cantus/nn/checkpoint.hpp"
#include "fuzz_model.hpp"
#include "fuzz_support.hpp"

namespace {
// The fixed model as the trainer sees a model: its state through save_state / load_state.
struct trained_model {
  cantus_fuzz::small_model& m;
  void save_state(std::ostream& o) { cantus::models::save_model_state(m, o); }
  void load_state(std::istream& i) { cantus::models::load_model_state(m, i, "fuzz model"); }
};

void load_every_way(const std::string& bytes) {
  const auto path = cantus_fuzz::input_file("input.ckpt", reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  cantus_fuzz::small_model m;
  cantus_fuzz::accepts([&] { (void)cantus::nn::load_checkpoint(path, m, m.optim.get()); });
  cantus_fuzz::accepts([&] { (void)cantus::nn::load_checkpoint(path, m, static_cast<cantus::nn::optimizer<float>*>(nullptr)); });
  cantus_fuzz::accepts([&] {
    const auto c = cantus::nn::training_checkpoint::parse(bytes, "fuzz.ckpt");
    trained_model model{m};
    cantus_fuzz::accepts([&] { c.restore(model, *m.optim, "fuzz.ckpt"); });
    cantus_fuzz::accepts([&] {
      std::istringstream in(c.best_model, std::ios::binary);
      model.load_state(in);
    });
  });
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  load_every_way(bytes);
  if (size >= 28 && bytes.compare(0, 8, "CANTUSCK") == 0) {
    const std::uint64_t length = size;
    std::memcpy(bytes.data() + 16, &length, sizeof length);
    const std::uint32_t crc = cantus::nn::crc32(bytes.data(), size - 4);
    std::memcpy(bytes.data() + size - 4, &crc, sizeof crc);
    load_every_way(bytes);
  } else if (size >= 20 && bytes.compare(0, 8, "CANTUSTR") == 0) {
    const std::uint64_t sum = cantus::checksum64().add(bytes.data(), size - 8).value();
    std::memcpy(bytes.data() + size - 8, &sum, sizeof sum);
    load_every_way(bytes);
  }
  return 0;
}
