#include "cantus/models/supervised_cnn.hpp"
#include "cantus/nn/optim/adam.hpp"
#include "cantus_test.hpp"
#include "golden.hpp"

using namespace cantus;

BOOST_AUTO_TEST_SUITE(supervised_cnn)

BOOST_AUTO_TEST_CASE(loss_gradients_and_running_statistics_match_pytorch) {
  models::supervised_cnn<> m({.n_mels = 16, .frames = 16, .genres = 4});
  auto ps = m.parameters();
  BOOST_TEST(ps.front().name == "body.0.weight");
  cantus::testing::load_golden_parameters(ps, "supervised_cnn");
  models::labelled_chunks<> b{npy::read(cantus::testing::models_golden("supervised_cnn_in_x.npy")).to_tensor<float, 4>(),
                            npy::read(cantus::testing::models_golden("supervised_cnn_in_y.npy")).to_tensor<index_t, 1>()};
  nn::zero_grad(ps);
  const double loss = m.loss_and_backward(b);
  BOOST_TEST(loss == cantus::testing::golden_loss("supervised_cnn"), boost::test_tools::tolerance(1e-4));
  cantus::testing::check_golden_gradients(ps, "supervised_cnn");
  for (auto& buf : m.buffers()) {
    if (buf.name.find("running") == std::string::npos) continue;
    auto g = npy::read(cantus::testing::models_golden("supervised_cnn_buffer_" + buf.name + ".npy")).values<float>();
    for (std::size_t i = 0; i < g.size(); ++i)
      BOOST_TEST(buf.value.data()[i] == g[i], boost::test_tools::tolerance(1e-3f));
  }
}

BOOST_AUTO_TEST_CASE(anchor_size_and_learning_a_separable_task) {
  BOOST_TEST(nn::parameter_count(models::supervised_cnn<>().parameters()) == 241992);  // anchor_models.Cnn()
  // A variant of the paper's model as one typedef: two blocks instead of four.
  using two_block_cnn = models::classifier<nn::conv_pool_stack<float, cpu, 2>, nn::linear<float>, models::supervised_cnn_config>;
  two_block_cnn m({.n_mels = 16, .frames = 16, .channels = {4, 8}, .genres = 2}, 1);
  BOOST_CHECK_THROW(models::supervised_cnn<>({.n_mels = 16, .frames = 16, .channels = {4, 8}, .genres = 2}), value_error);
  // Class 0: energy in the low bins, class 1: in the high bins.
  models::labelled_chunks<> b{tensor<float, 4>({16, 1, 16, 16}), tensor<index_t, 1>({16})};
  random_stream r(3);
  for (index_t n = 0; n < 16; ++n) {
    b.y(n) = n % 2;
    for (index_t f = 0; f < 16; ++f)
      for (index_t t = 0; t < 16; ++t)
        b.x(n, 0, f, t) = 0.3f * float(r.normal(std::uint64_t(n * 256 + f * 16 + t))) + ((f < 8) == (n % 2 == 0) ? 1.0f : 0.0f);
  }
  nn::adam<float> opt(m.parameters(), {.lr = 1e-2});
  for (int s = 0; s < 40; ++s) {
    opt.zero_grad();
    m.loss_and_backward(b);
    opt.step();
  }
  auto logits = m.logits(b.x);
  int correct = 0;
  for (index_t n = 0; n < 16; ++n) correct += (logits(n, 1) > logits(n, 0)) == (b.y(n) == 1);
  BOOST_TEST(correct == 16);
  BOOST_CHECK_THROW(m.logits(tensor<float, 4>({1, 1, 16, 8}, 0.0f)), shape_error);
}

BOOST_AUTO_TEST_SUITE_END()
