#include "cantus/models/naive_seq2seq.hpp"
#include "cantus/models/seq2seq_mel.hpp"
#include "cantus/nn/optim/adam.hpp"
#include "cantus_test.hpp"
#include "golden.hpp"

using namespace cantus;

BOOST_AUTO_TEST_SUITE(rnn_models)

BOOST_AUTO_TEST_CASE(naive_seq2seq_loss_and_gradients_match_pytorch) {
  models::naive_seq2seq<> m({.chunk_samples = 12, .hidden = 4});
  auto ps = m.parameters();
  BOOST_TEST(ps.front().name == "enc.weight_ih_l0");
  cantus::testing::load_golden_parameters(ps, "naive_seq2seq");
  auto x = npy::read(cantus::testing::models_golden("naive_seq2seq_in_x.npy")).to_tensor<float, 2>();
  nn::zero_grad(ps);
  const double loss = m.loss_and_backward(x);
  BOOST_TEST(loss == cantus::testing::golden_loss("naive_seq2seq"), boost::test_tools::tolerance(1e-5));
  cantus::testing::check_golden_gradients(ps, "naive_seq2seq");
  BOOST_TEST(m.encode(x).extent(1) == 4);
}

BOOST_AUTO_TEST_CASE(seq2seq_mel_loss_and_gradients_match_pytorch) {
  models::seq2seq_mel<> m({.n_mels = 6, .frames = 7, .hidden = 5});
  auto ps = m.parameters();
  cantus::testing::load_golden_parameters(ps, "seq2seq_mel");
  auto x = npy::read(cantus::testing::models_golden("seq2seq_mel_in_x.npy")).to_tensor<float, 3>();
  nn::zero_grad(ps);
  const double loss = m.loss_and_backward(x);
  BOOST_TEST(loss == cantus::testing::golden_loss("seq2seq_mel"), boost::test_tools::tolerance(1e-5));
  cantus::testing::check_golden_gradients(ps, "seq2seq_mel");
  BOOST_TEST(m.encode(x).extent(1) == 5);
}

BOOST_AUTO_TEST_CASE(anchor_sizes_have_pytorch_parameter_counts) {
  models::naive_seq2seq<> gru;
  models::seq2seq_mel<> lstm;
  // sum(p.numel()) of anchor_models.GruSeq2Seq() and LstmSeq2Seq()
  BOOST_TEST(nn::parameter_count(gru.parameters()) == 6753);
  BOOST_TEST(nn::parameter_count(lstm.parameters()) == 2695296);
}

BOOST_AUTO_TEST_CASE(training_reduces_the_reconstruction_error_and_shapes_are_checked) {
  models::seq2seq_mel<> m({.n_mels = 4, .frames = 10, .hidden = 16}, 1);
  tensor<float, 3> x({8, 10, 4});
  for (index_t b = 0; b < 8; ++b)
    for (index_t t = 0; t < 10; ++t)
      for (index_t f = 0; f < 4; ++f) x(b, t, f) = std::sin(0.5f * t * (1 + f) + 0.3f * b);
  const double before = m.validation_loss(x);
  nn::adam<float> opt(m.parameters(), {.lr = 1e-2});
  for (int s = 0; s < 60; ++s) {
    opt.zero_grad();
    m.loss_and_backward(x);
    opt.step();
  }
  const double after = m.validation_loss(x);
  BOOST_TEST_MESSAGE("seq2seq_mel reconstruction " << before << " -> " << after);
  BOOST_TEST(after < 0.3 * before);
  BOOST_CHECK_THROW(m.encode(tensor<float, 3>({2, 9, 4}, 0.0f)), shape_error);
  models::naive_seq2seq<> g({.chunk_samples = 16, .hidden = 4});
  BOOST_CHECK_THROW(g.encode(tensor<float, 2>({2, 15}, 0.0f)), shape_error);
}

BOOST_AUTO_TEST_SUITE_END()
