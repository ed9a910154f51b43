// GRU: PyTorch goldens (outputs, final state, every gradient), finite differences in double for
// inputs, initial state and every weight, the layer contract, and shape errors.
#include <boost/test/unit_test.hpp>

#include "cantus/nn/rnn/gru.hpp"
#include "support.hpp"

using namespace cantus;
using namespace cantus::training_test;

namespace {
template <class T>
void load_golden_weights(nn::gru<T>& g, const std::string& kind) {
  for (auto& p : g.parameters()) {
    auto v = golden_values<T>(kind + "_" + p.name);
    BOOST_TEST_REQUIRE(static_cast<index_t>(v.size()) == p.value.size(), p.name);
    std::copy(v.begin(), v.end(), p.value.data());
  }
}

template <class T>
void gru_matches_torch(double tol) {
  auto x = golden<T, 3>("gru_x");
  auto h0 = golden<T, 2>("gru_h0");
  const index_t B = x.extent(0), Tn = x.extent(1), I = x.extent(2), H = h0.extent(1);
  nn::gru<T> g({.input_size = I, .hidden_size = H});
  load_golden_weights(g, "gru");
  tensor<T, 3> y({B, Tn, H});
  tensor<T, 2> hn({B, H});
  g.forward(x, h0, y, hn);
  check_close<T>("gru y", y, "gru_y", tol);
  check_close<T>("gru h_n", hn, "gru_hn", tol);
  auto wy = golden<T, 3>("gru_wy");
  auto wh = golden<T, 2>("gru_wh");
  tensor<T, 3> dx({B, Tn, I});
  tensor<T, 2> dh0({B, H});
  g.backward(wy, wh, dx, dh0);
  check_close<T>("gru dx", dx, "gru_dx", tol);
  check_close<T>("gru dh0", dh0, "gru_dh0", tol);
  for (auto& p : g.parameters()) check_close<T>("gru grad " + p.name, p.grad, "gru_grad_" + p.name, tol);
}
}  // namespace

BOOST_AUTO_TEST_SUITE(gru)

static_assert(nn::layer<nn::gru<float>>);
static_assert(nn::layer<nn::gru<double, cpu, 3, 4>>);
static_assert(nn::gru<float, cpu, 1, 32>::static_output_shape({8, 100, 1}) == shape_t<3>{8, 100, 32});
static_assert(nn::gru<float, cpu, 1, 32>::static_output_shape({8, 100, 2})[2] == nn::shape_mismatch);

BOOST_AUTO_TEST_CASE(matches_torch_double) { gru_matches_torch<double>(1e-10); }
BOOST_AUTO_TEST_CASE(matches_torch_float) { gru_matches_torch<float>(1e-5); }

BOOST_AUTO_TEST_CASE(finite_differences) {
  const index_t B = 2, Tn = 4, I = 3, H = 5;
  nn::gru<double> g({.input_size = I, .hidden_size = H});
  g.init(random_stream(7));
  random_engine rng(11);
  auto randn = [&](auto& t) { for (index_t i = 0; i < t.size(); ++i) t.data()[i] = rng.normal(); };
  tensor<double, 3> x({B, Tn, I}), wy({B, Tn, H}), y({B, Tn, H}), dx({B, Tn, I});
  tensor<double, 2> h0({B, H}), wh({B, H}), hn({B, H}), dh0({B, H});
  randn(x), randn(wy), randn(h0), randn(wh);
  auto loss = [&] {
    g.forward(x, h0, y, hn);
    double l = 0;
    for (index_t i = 0; i < y.size(); ++i) l += y.data()[i] * wy.data()[i];
    for (index_t i = 0; i < hn.size(); ++i) l += hn.data()[i] * wh.data()[i];
    return l;
  };
  loss();
  g.backward(wy, wh, dx, dh0);
  check_gradient("gru dx", x.data(), x.size(), dx.data(), loss);
  check_gradient("gru dh0", h0.data(), h0.size(), dh0.data(), loss);
  for (auto& p : g.parameters()) check_gradient("gru " + p.name, p.value.data(), p.value.size(), p.grad.data(), loss);
}

BOOST_AUTO_TEST_CASE(layer_contract_form_is_zero_state_and_accumulates) {
  nn::gru<double, cpu, 2, 3> g;
  tensor<double, 3> x({2, 3, 2}, {0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, 0.8, -0.9, 1.0, 1.1, -1.2});
  tensor<double, 3> y1({2, 3, 3}), y2({2, 3, 3}), dy({2, 3, 3}, 1.0), dx({2, 3, 2});
  tensor<double, 2> zeros({2, 3}, 0.0);
  g.forward(x, y1, true);
  g.forward(x, zeros, y2);
  for (index_t i = 0; i < y1.size(); ++i) BOOST_TEST(y1.data()[i] == y2.data()[i]);
  auto ps = g.parameters();
  nn::zero_grad(ps);
  g.backward(x, y1, dy, dx);
  const double once = ps[0].grad.data()[0];
  g.backward(x, y1, dy, dx);
  BOOST_TEST(ps[0].grad.data()[0] == 2 * once);
  BOOST_TEST(ps[0].name == "weight_ih_l0");
  BOOST_TEST((ps[1].shape == std::vector<index_t>{9, 3}));
}

BOOST_AUTO_TEST_CASE(shape_errors_name_the_layer) {
  nn::gru<float> g({.input_size = 3, .hidden_size = 4});
  tensor<float, 3> x({2, 5, 7}, 0.f), y({2, 5, 4});
  try {
    g.forward(x, {}, y);
    BOOST_FAIL("no error");
  } catch (const shape_error& e) {
    const std::string m = e.what();
    BOOST_TEST(m.find("gru(3->4)") != std::string::npos, m);
    BOOST_TEST(m.find("[2, 5, 7]") != std::string::npos, m);
  }
  tensor<float, 3> x_ok({2, 5, 3}, 0.f), y_bad({2, 5, 3});
  BOOST_CHECK_THROW(g.forward(x_ok, {}, y_bad), shape_error);
  tensor<float, 2> h_bad({3, 4}, 0.f);
  BOOST_CHECK_THROW(g.forward(x_ok, h_bad, y), shape_error);
  nn::gru<float> fresh({.input_size = 3, .hidden_size = 4});
  tensor<float, 3> dy({2, 5, 4}, 0.f);
  BOOST_CHECK_THROW(fresh.backward(dy, {}, {}), value_error);
  BOOST_CHECK_THROW((nn::gru<float>({.input_size = 0, .hidden_size = 4})), value_error);
}

BOOST_AUTO_TEST_SUITE_END()
