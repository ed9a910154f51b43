// Every layer, loss, optimizer and model on the CUDA backend against the CPU backend (parity.cpp).
// Tolerances: 1e-5 of the largest magnitude for one layer or loss (cuDNN and cuBLAS sum in other
// orders than the CPU; the GPU's exp/tanh differ from the CPU's SIMD ones in the last bits), 1e-4 for
// five training steps of a model (those differences grow through Adam's normalised updates), exact for
// checkpoints.
#include <boost/test/unit_test.hpp>

#include <cstdio>

#include "device_ops.hpp"
#include "parity.hpp"

namespace ct = cantus::cuda_test;

namespace {
bool device_or_skip() {
  if (ct::device_present()) return true;
  std::printf("skipped: no CUDA device\n");
  BOOST_TEST_MESSAGE("skipped: no CUDA device");
  return false;
}
void check(const std::vector<ct::parity>& results) {
  for (const auto& p : results) {
    BOOST_TEST_MESSAGE(p.what << ": worst " << p.worst << " (" << p.where << ")");
    BOOST_TEST(p.worst <= p.tolerance, p.what << ": " << p.where << " differs by " << p.worst << " > " << p.tolerance);
  }
}
}  // namespace

BOOST_AUTO_TEST_SUITE(cuda_matches_cpu)

BOOST_AUTO_TEST_CASE(every_layer) {
  if (device_or_skip()) check(ct::layer_parity());
}
BOOST_AUTO_TEST_CASE(losses_and_optimizers) {
  if (device_or_skip()) check(ct::loss_and_optimizer_parity());
}
BOOST_AUTO_TEST_CASE(five_models_train_alike) {
  if (device_or_skip()) check(ct::model_parity());
}
BOOST_AUTO_TEST_CASE(checkpoints_cross_backends) {
  if (device_or_skip()) check(ct::checkpoint_parity());
}

BOOST_AUTO_TEST_SUITE_END()
