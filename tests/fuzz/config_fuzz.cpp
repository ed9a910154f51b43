// The learning-rate schedule as a run records it and --config FILE or --lr-schedule read it back
// (cantus/models/training_settings.hpp lr_schedule::parse): what parse() accepts must print as a string that
// parses to the same schedule, and a decaying one (gamma <= 1) must give finite factors.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "cantus/models/training_settings.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cantus::models;
  const std::string text(reinterpret_cast<const char*>(data), size);
  cantus_fuzz::accepts([&] {
    const auto s = lr_schedule::parse(text, "fuzz --lr-schedule");
    const auto again = lr_schedule::parse(s.str(), "fuzz (printed again)");
    if (!(again == s)) std::abort();
    for (std::int64_t step : {std::int64_t{0}, std::int64_t{1}, std::int64_t{1000}, std::int64_t{1} << 40})
      for (std::int64_t per_epoch : {std::int64_t{0}, std::int64_t{7}})
        if (s.gamma <= 1 && !std::isfinite(s.factor(step, per_epoch, 10))) std::abort();
  });
  return 0;
}
