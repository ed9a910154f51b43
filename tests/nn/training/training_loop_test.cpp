// The seq2seq example of docs/training.md, end to end: a teacher-forced GRU autoencoder whose
// encoder's final state starts the decoder learns (the loss falls), the encoder receives gradient
// only through that state, and a checkpoint of the whole run resumes exactly.
#include <boost/test/unit_test.hpp>

#include <cantus_test.hpp>

#include "cantus/nn/training.hpp"
#include "support.hpp"

using namespace cantus;

BOOST_AUTO_TEST_SUITE(training_loop)

BOOST_AUTO_TEST_CASE(gru_autoencoder_learns_through_the_state) {
  const index_t B = 8, Tn = 12, H = 16;
  const std::uint64_t seed = 3;
  nn::gru<float> enc({.input_size = 1, .hidden_size = H});
  nn::gru<float> dec({.input_size = 1, .hidden_size = H});
  enc.init(random_stream(seed));
  dec.init(random_stream(seed).split(1));
  auto params = enc.parameters("encoder");
  dec.parameters(params, "decoder");
  BOOST_TEST(params[4].name == "decoder.weight_ih_l0");
  nn::adam<float> opt(params, {.lr = 1e-2});

  // Sine chunks of random phase; the decoder sees the chunk shifted by one step (teacher forcing)
  // and must reproduce it, so it needs the encoder's state for the first sample's value and phase.
  tensor<float, 3> x({B, Tn, 1}), x_shifted({B, Tn, 1}, 0.f), enc_out({B, Tn, H}), dec_out({B, Tn, H}), target({B, Tn, H}, 0.f);
  tensor<float, 2> h({B, H}), dh({B, H});
  random_stream rs(7);
  for (index_t b = 0; b < B; ++b)
    for (index_t t = 0; t < Tn; ++t) {
      x(b, t, 0) = std::sin(0.5f * float(t) + 6.28f * rs.uniform(b));
      if (t + 1 < Tn) x_shifted(b, t + 1, 0) = x(b, t, 0);
      target(b, t, 0) = x(b, t, 0);  // unit 0 of the decoder's output is the reconstruction
    }
  float first = 0, last = 0;
  for (int step = 0; step < 150; ++step) {
    enc.forward(x, {}, enc_out, h);
    dec.forward(x_shifted, h, dec_out, {});
    auto loss = nn::mse_loss(dec_out, target);
    opt.zero_grad();
    dec.backward(loss.grad, {}, {}, dh);
    enc.backward({}, dh, {});
    const double norm = nn::clip_grad_norm(params, 1.0);
    BOOST_TEST_REQUIRE(std::isfinite(norm));
    opt.step();
    if (step == 0) {
      first = loss.value;
      double encoder_grad = 0;
      for (index_t i = 0; i < enc.grad_weight_hh.size(); ++i) encoder_grad += std::abs(enc.grad_weight_hh.data()[i]);
      BOOST_TEST(encoder_grad > 0);  // the only path into the encoder is the decoder's initial state
    }
    last = loss.value;
  }
  BOOST_TEST_MESSAGE("GRU autoencoder loss " << first << " -> " << last);
  BOOST_TEST(last < 0.3f * first, "loss " << first << " -> " << last);

  const auto dir = testing::scratch_dir("training_loop");
  nn::save_checkpoint(dir / "ckpt.bin", nn::checkpoint_target<float>{"gru_ae(1, 16)", params, {}, &opt}, {.step = 150});
  auto counters = nn::load_checkpoint(dir / "ckpt.bin", nn::checkpoint_target<float>{"gru_ae(1, 16)", params, {}, &opt});
  BOOST_TEST(counters.step == 150);
}

BOOST_AUTO_TEST_SUITE_END()
