// GRU/LSTM inside part A's nn::sequential: the layer-contract form chains like any layer, and a
// whole sequential model goes through a checkpoint under a signature built from its layers.
#include <boost/test/unit_test.hpp>

#include <cantus_test.hpp>

#include "cantus/nn/checkpoint.hpp"
#include "cantus/nn/layers/activations.hpp"
#include "cantus/nn/optim/adam.hpp"
#include "cantus/nn/rnn/gru.hpp"
#include "cantus/nn/rnn/lstm.hpp"
#include "cantus/nn/sequential.hpp"
#include "support.hpp"

using namespace cantus;

namespace {
using stack = nn::sequential<nn::gru<double, cpu, 2, 4>, nn::tanh<double>, nn::lstm<double, cpu, 4, 3>>;
static_assert(stack::accepts_static_input<dyn, dyn, 2>());
static_assert(!stack::accepts_static_input<dyn, dyn, 3>());
}  // namespace

BOOST_AUTO_TEST_SUITE(rnn_in_sequential)

BOOST_AUTO_TEST_CASE(sequential_equals_manual_chain) {
  stack s;
  s.init(random_stream(8));
  tensor<double, 3> x({2, 5, 2}), y({2, 5, 3}), dy({2, 5, 3}), dx({2, 5, 2});
  random_stream rs(2);
  for (index_t i = 0; i < x.size(); ++i) x.data()[i] = rs.normal(i);
  for (index_t i = 0; i < dy.size(); ++i) dy.data()[i] = rs.split(1).normal(i);
  s.zero_grad();
  s.forward(x, y, true);
  s.backward(x, y, dy, dx);

  auto& g = s.get<0>();
  auto& l = s.get<2>();
  tensor<double, 3> h({2, 5, 4}), a({2, 5, 4}), y2({2, 5, 3}), da({2, 5, 4}), dx2({2, 5, 2});
  g.forward(x, {}, h);
  for (index_t i = 0; i < h.size(); ++i) a.data()[i] = std::tanh(h.data()[i]);
  l.forward(a, {}, {}, y2);
  for (index_t i = 0; i < y.size(); ++i) BOOST_TEST_REQUIRE(std::abs(y.data()[i] - y2.data()[i]) < 1e-12);
  l.backward(dy, {}, {}, da);
  for (index_t i = 0; i < da.size(); ++i) da.data()[i] *= 1 - a.data()[i] * a.data()[i];
  g.backward(da, {}, dx2);
  for (index_t i = 0; i < dx.size(); ++i) BOOST_TEST_REQUIRE(std::abs(dx.data()[i] - dx2.data()[i]) < 1e-12);
  auto ps = nn::parameters_of(s);
  BOOST_TEST(ps.size() == 8u);
  BOOST_TEST(ps[0].name == "0.weight_ih_l0");
  BOOST_TEST(ps[7].name == "2.bias_hh_l0");
}

BOOST_AUTO_TEST_CASE(sequential_checkpoint_round_trip) {
  const auto dir = testing::scratch_dir("sequential_checkpoint");
  stack a;
  a.init(random_stream(1));
  BOOST_TEST(nn::model_signature(a).find("[gru(2->4), ") != std::string::npos, nn::model_signature(a));
  auto pa = nn::parameters_of(a);
  nn::adam<double> opt(pa);
  nn::save_checkpoint(dir / "stack.ckpt", a, &opt, {.step = 11});
  stack b;
  auto pb = nn::parameters_of(b);
  nn::adam<double> opt_b(pb);
  BOOST_TEST(nn::load_checkpoint(dir / "stack.ckpt", b, &opt_b).step == 11);
  for (std::size_t i = 0; i < pa.size(); ++i)
    for (index_t k = 0; k < pa[i].value.size(); ++k) BOOST_TEST_REQUIRE(pa[i].value.data()[k] == pb[i].value.data()[k]);
  nn::sequential<nn::gru<double, cpu, 2, 4>, nn::tanh<double>, nn::gru<double, cpu, 4, 3>> other;
  BOOST_CHECK_THROW(nn::load_checkpoint(dir / "stack.ckpt", other), io_error);
}

BOOST_AUTO_TEST_SUITE_END()
