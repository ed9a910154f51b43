// The trainer's checkpoints (models/trainer.hpp, training_checkpoint::parse, what train() reads from
// last.ckpt / previous.ckpt), then the model and optimizer states inside restored into a fixed model
// as train() does. Each input is tried as it is and with its trailing checksum64 repaired (version 2),
// so mutations reach the fields behind the checksum; version 1 files carry none.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <sstream>
#include <string>

#include "cantus/models/model_support.hpp"
#include "cantus/models/trainer.hpp"
#include "fuzz_model.hpp"
#include "fuzz_support.hpp"

namespace {
void parse_and_restore(const std::string& bytes) {
  cantus_fuzz::accepts([&] {
    const auto c = cantus::models::training_checkpoint::parse(bytes, "fuzz.ckpt");
    cantus_fuzz::small_model m;
    for (const std::string* blob : {&c.model, &c.best_model}) {
      cantus_fuzz::accepts([&] {
        std::istringstream in(*blob, std::ios::binary);
        cantus::models::load_model_state(m, in, "fuzz model");
      });
    }
    cantus_fuzz::accepts([&] {
      std::istringstream in(c.optimizer, std::ios::binary);
      m.optim->load_state(in);
    });
  });
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  parse_and_restore(bytes);
  if (size >= 20) {
    const std::uint64_t sum = cantus::data::checksum64().add(bytes.data(), size - 8).value();
    std::memcpy(bytes.data() + size - 8, &sum, sizeof sum);
    parse_and_restore(bytes);
  }
  return 0;
}
