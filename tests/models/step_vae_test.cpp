#include "cantus/models/step_vae.hpp"
#include "cantus/nn/optim/adam.hpp"
#include "cantus_test.hpp"
#include "golden.hpp"

using namespace cantus;

namespace {
// A variant of the paper's model with one convolution stage less, as one typedef.
using two_stage_vae = models::beta_vae<
    nn::sequential<nn::conv1d<float>, nn::relu<float>, nn::conv1d<float>, nn::relu<float>>,
    nn::sequential<nn::conv_transpose1d<float>, nn::relu<float>, nn::conv_transpose1d<float>>, models::step_vae_config>;

models::step_vae_config small_vae() {
  models::step_vae_config c;
  c.n_mels = 16;
  c.channels = {4, 8};
  c.latent = 3;
  c.capacity_anneal_steps = 0;
  c.capacity_max = 0.5f;
  c.gamma = 2.0f;
  return c;
}
tensor<float, 3> random_frames(index_t b, index_t bins, std::uint64_t seed) {
  tensor<float, 3> x({b, 1, bins});
  random_stream r(seed);
  for (index_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(r.normal(std::uint64_t(i)));
  return x;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(step_vae)

BOOST_AUTO_TEST_CASE(anchor_shapes_and_parameter_names_match_pytorch) {
  models::step_vae<> vae;
  auto ps = vae.parameters();
  BOOST_TEST(ps.front().name == "enc.0.weight");
  BOOST_TEST(ps.back().name == "dec.4.bias");
  BOOST_TEST(nn::parameter_count(ps) == 699145);  // sum(p.numel()) of anchor_models.StepVae()
  auto x = random_frames(4, 128, 1);
  BOOST_TEST(vae.encode(x).extent(1) == 100);
  BOOST_TEST((vae.reconstruct(x).shape() == x.shape()));
  // decode(mu) is the reconstruction; one shifted dimension changes it; a wrong latent size is named
  const auto mu = vae.encode(x);
  BOOST_TEST((vae.decode(mu).to_vector() == vae.reconstruct(x).to_vector()));
  auto z = mu;
  for (index_t i = 0; i < z.extent(0); ++i) z(i, 3) += 2.0f;
  BOOST_TEST((vae.decode(z).to_vector() != vae.reconstruct(x).to_vector()));
  BOOST_CHECK_THROW(vae.decode(tensor<float, 2>({4, 99})), shape_error);
}

BOOST_AUTO_TEST_CASE(loss_and_every_gradient_match_pytorch) {
  models::step_vae_config c;
  c.n_mels = 16;
  c.latent = 5;
  models::step_vae<> vae(c);
  auto ps = vae.parameters();
  cantus::testing::load_golden_parameters(ps, "step_vae");
  auto x = npy::read(cantus::testing::models_golden("step_vae_in_x.npy")).to_tensor<float, 3>();
  auto eps = npy::read(cantus::testing::models_golden("step_vae_in_eps.npy")).to_tensor<float, 2>();
  nn::zero_grad(ps);
  auto l = vae.loss_and_backward_with_noise(x, eps, 2.0f);
  BOOST_TEST(l.total == cantus::testing::golden_loss("step_vae"), boost::test_tools::tolerance(1e-4));
  cantus::testing::check_golden_gradients(ps, "step_vae");
}

BOOST_AUTO_TEST_CASE(capacity_is_annealed_linearly) {
  auto c = small_vae();
  c.capacity_anneal_steps = 100;
  c.capacity_max = 5;
  two_stage_vae vae(c);
  BOOST_TEST(vae.capacity(0) == 0.0f);
  BOOST_TEST(vae.capacity(50) == 2.5f);
  BOOST_TEST(vae.capacity(1000) == 5.0f);
}

BOOST_AUTO_TEST_CASE(training_lowers_the_reconstruction_error_and_input_shape_is_checked) {
  auto c = small_vae();
  c.latent = 8;
  c.capacity_max = 25.0f;  // enough information through the bottleneck for these frames
  c.gamma = 1.0f;
  two_stage_vae vae(c, 1);
  // Frames from a 2-D family: reconstructable through the bottleneck.
  tensor<float, 3> x({64, 1, 16});
  for (index_t b = 0; b < 64; ++b)
    for (index_t f = 0; f < 16; ++f) x(b, 0, f) = std::sin(0.3f * f * (1 + b % 4)) + 0.1f * (b % 7);
  const double before = vae.loss_parts(x).reconstruction;
  nn::adam<float> opt(vae.parameters(), {.lr = 1e-2});
  for (int s = 0; s < 300; ++s) {
    opt.zero_grad();
    vae.loss_and_backward(x, {0, 0, s, true});
    opt.step();
  }
  const double after = vae.loss_parts(x).reconstruction;
  BOOST_TEST_MESSAGE("reconstruction " << before << " -> " << after);
  BOOST_TEST(after < 0.3 * before);
  BOOST_CHECK_THROW(vae.encode(random_frames(2, 32, 1)), shape_error);
}

BOOST_AUTO_TEST_SUITE_END()
