#include "cantus/models/wavenet.hpp"
#include "cantus/nn/optim/adam.hpp"
#include "cantus_test.hpp"
#include "golden.hpp"

using namespace cantus;

namespace {
models::wavenet_config small_wavenet() {
  models::wavenet_config c;
  c.residual = 4;
  c.skip = 6;
  c.classes = 16;
  c.n_mels = 3;
  c.stacks = 1;
  c.layers_per_stack = 4;
  c.chunk_samples = 512;
  return c;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(wavenet)

BOOST_AUTO_TEST_CASE(loss_and_every_gradient_match_pytorch) {
  models::wavenet<> m(small_wavenet());
  auto ps = m.parameters();
  cantus::testing::load_golden_parameters(ps, "wavenet");
  models::wavenet_batch<> b{npy::read(cantus::testing::models_golden("wavenet_in_q.npy")).to_tensor<index_t, 2>(),
                          npy::read(cantus::testing::models_golden("wavenet_in_mel.npy")).to_tensor<float, 3>()};
  nn::zero_grad(ps);
  const double loss = m.loss_and_backward(b);
  BOOST_TEST(loss == cantus::testing::golden_loss("wavenet"), boost::test_tools::tolerance(1e-5));
  cantus::testing::check_golden_gradients(ps, "wavenet");
  BOOST_TEST(m.encode(b).extent(1) == 6);
}

BOOST_AUTO_TEST_CASE(anchor_size_learning_and_input_checks) {
  BOOST_TEST(nn::parameter_count(models::wavenet<>().parameters()) == 1762880);  // anchor_models.WaveNet()
  auto c = small_wavenet();
  models::wavenet<> m(c, 1);
  // A periodic class sequence is predictable from the past: cross-entropy must fall well below log(16).
  models::wavenet_batch<> b{tensor<index_t, 2>({2, 513}), tensor<float, 3>({2, 3, 2}, 0.0f)};
  for (index_t n = 0; n < 2; ++n)
    for (index_t t = 0; t <= 512; ++t) b.q(n, t) = (t * 3 + n) % 16;
  const double before = m.validation_loss(b);
  nn::adam<float> opt(m.parameters(), {.lr = 1e-2});
  for (int s = 0; s < 120; ++s) {
    opt.zero_grad();
    m.loss_and_backward(b);
    opt.step();
  }
  const double after = m.validation_loss(b);
  BOOST_TEST_MESSAGE("wavenet cross-entropy " << before << " -> " << after);
  BOOST_TEST(after < 0.4 * before);
  b.q(0, 5) = 16;
  BOOST_CHECK_THROW(m.validation_loss(b), value_error);
  b.mel = tensor<float, 3>({2, 3, 3}, 0.0f);
  BOOST_CHECK_THROW(m.validation_loss(b), shape_error);
}

BOOST_AUTO_TEST_SUITE_END()
