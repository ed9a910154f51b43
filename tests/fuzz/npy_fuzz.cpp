// .npy reading (core/npy.hpp) and what the classifier programs build on it (classify/io.hpp: feature
// matrices and label vectors): header parsing, shape and size checks, element conversion.
#include <cstddef>
#include <cstdint>

#include "cantus/classify/io.hpp"
#include "cantus/core/npy.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cantus;
  const auto path = cantus_fuzz::input_file("input.npy", data, size);
  cantus_fuzz::accepts([&] {
    const npy::array a = npy::read(path);
    // Whatever read() accepts must be usable: every conversion, and a tensor of its rank.
    cantus_fuzz::accepts([&] { (void)a.values<double>(); });
    cantus_fuzz::accepts([&] { (void)a.values<float>(); });
    cantus_fuzz::accepts([&] { (void)a.values<std::int64_t>(); });
    cantus_fuzz::accepts([&] { (void)a.values<std::int32_t>(); });
    if (a.shape.size() == 1) cantus_fuzz::accepts([&] { (void)a.to_tensor<float, 1>(); });
    if (a.shape.size() == 2) cantus_fuzz::accepts([&] { (void)a.to_tensor<double, 2>(); });
    if (a.shape.size() == 3) cantus_fuzz::accepts([&] { (void)a.to_tensor<float, 3>(); });
  });
  cantus_fuzz::accepts([&] { (void)classify::load_features(path); });
  cantus_fuzz::accepts([&] { (void)classify::load_labels(path); });
  return 0;
}
