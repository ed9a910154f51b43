// LSTM: PyTorch goldens (outputs, final states, every gradient), finite differences in double for
// inputs, both initial states and every weight, the layer contract, and shape errors.
#include <boost/test/unit_test.hpp>

#include "cantus/nn/rnn/lstm.hpp"
#include "support.hpp"

using namespace cantus;
using namespace cantus::training_test;

namespace {
template <class T>
void lstm_matches_torch(double tol) {
  auto x = golden<T, 3>("lstm_x");
  auto h0 = golden<T, 2>("lstm_h0");
  auto c0 = golden<T, 2>("lstm_c0");
  const index_t B = x.extent(0), Tn = x.extent(1), I = x.extent(2), H = h0.extent(1);
  nn::lstm<T> m({.input_size = I, .hidden_size = H});
  for (auto& p : m.parameters()) {
    auto v = golden_values<T>("lstm_" + p.name);
    BOOST_TEST_REQUIRE(static_cast<index_t>(v.size()) == p.value.size(), p.name);
    std::copy(v.begin(), v.end(), p.value.data());
  }
  tensor<T, 3> y({B, Tn, H});
  tensor<T, 2> hn({B, H}), cn({B, H});
  m.forward(x, h0, c0, y, hn, cn);
  check_close<T>("lstm y", y, "lstm_y", tol);
  check_close<T>("lstm h_n", hn, "lstm_hn", tol);
  check_close<T>("lstm c_n", cn, "lstm_cn", tol);
  auto wy = golden<T, 3>("lstm_wy");
  auto wh = golden<T, 2>("lstm_wh");
  auto wc = golden<T, 2>("lstm_wc");
  tensor<T, 3> dx({B, Tn, I});
  tensor<T, 2> dh0({B, H}), dc0({B, H});
  m.backward(wy, wh, wc, dx, dh0, dc0);
  check_close<T>("lstm dx", dx, "lstm_dx", tol);
  check_close<T>("lstm dh0", dh0, "lstm_dh0", tol);
  check_close<T>("lstm dc0", dc0, "lstm_dc0", tol);
  for (auto& p : m.parameters()) check_close<T>("lstm grad " + p.name, p.grad, "lstm_grad_" + p.name, tol);
}
}  // namespace

BOOST_AUTO_TEST_SUITE(lstm)

static_assert(nn::layer<nn::lstm<float>>);
static_assert(nn::layer<nn::lstm<double, cpu, 128, 512>>);
static_assert(nn::lstm<float, cpu, 128, 512>::static_output_shape({16, dyn, 128}) == shape_t<3>{16, dyn, 512});

BOOST_AUTO_TEST_CASE(matches_torch_double) { lstm_matches_torch<double>(1e-10); }
BOOST_AUTO_TEST_CASE(matches_torch_float) { lstm_matches_torch<float>(1e-5); }

BOOST_AUTO_TEST_CASE(finite_differences) {
  const index_t B = 2, Tn = 4, I = 3, H = 5;
  nn::lstm<double> m({.input_size = I, .hidden_size = H});
  m.init(random_stream(5));
  random_engine rng(13);
  auto randn = [&](auto& t) { for (index_t i = 0; i < t.size(); ++i) t.data()[i] = rng.normal(); };
  tensor<double, 3> x({B, Tn, I}), wy({B, Tn, H}), y({B, Tn, H}), dx({B, Tn, I});
  tensor<double, 2> h0({B, H}), c0({B, H}), wh({B, H}), wc({B, H}), hn({B, H}), cn({B, H}), dh0({B, H}), dc0({B, H});
  randn(x), randn(wy), randn(h0), randn(c0), randn(wh), randn(wc);
  auto loss = [&] {
    m.forward(x, h0, c0, y, hn, cn);
    double l = 0;
    for (index_t i = 0; i < y.size(); ++i) l += y.data()[i] * wy.data()[i];
    for (index_t i = 0; i < hn.size(); ++i) l += hn.data()[i] * wh.data()[i] + cn.data()[i] * wc.data()[i];
    return l;
  };
  loss();
  m.backward(wy, wh, wc, dx, dh0, dc0);
  check_gradient("lstm dx", x.data(), x.size(), dx.data(), loss);
  check_gradient("lstm dh0", h0.data(), h0.size(), dh0.data(), loss);
  check_gradient("lstm dc0", c0.data(), c0.size(), dc0.data(), loss);
  for (auto& p : m.parameters()) check_gradient("lstm " + p.name, p.value.data(), p.value.size(), p.grad.data(), loss);
}

BOOST_AUTO_TEST_CASE(shape_errors_name_the_layer) {
  nn::lstm<float> m({.input_size = 3, .hidden_size = 4});
  tensor<float, 3> x({2, 5, 3}, 0.f), y({2, 5, 4});
  tensor<float, 2> c_bad({2, 5}, 0.f);
  try {
    m.forward(x, {}, c_bad, y);
    BOOST_FAIL("no error");
  } catch (const shape_error& e) {
    const std::string msg = e.what();
    BOOST_TEST(msg.find("lstm(3->4)") != std::string::npos, msg);
    BOOST_TEST(msg.find("c0") != std::string::npos, msg);
    BOOST_TEST(msg.find("[2, 4]") != std::string::npos, msg);
  }
  m.forward(x, {}, {}, y);
  tensor<float, 3> dy_bad({2, 4, 4}, 0.f);
  BOOST_CHECK_THROW(m.backward(dy_bad, {}, {}, {}), shape_error);
}

BOOST_AUTO_TEST_SUITE_END()
