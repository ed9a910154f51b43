// The CUDA backend's per-thread arithmetic (backend/cuda/nn/element_bodies.hpp) run on the CPU, every
// index in turn, against the CPU backend's nn::tt kernels on the same inputs: index arithmetic,
// operation order and error checks of the GPU kernels are tested on machines without a GPU. Bitwise
// equal where both sides do the same scalar operations; within a few ulps where the CPU's SIMD
// tanh/sigmoid/exp differ from libm's.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstring>
#include <vector>

#include "cantus/backend/cuda/nn/element_bodies.hpp"
#include "cantus/nn/layers/layers.hpp"
#include "cantus/nn/tt/activations.hpp"
#include "cantus/nn/tt/dropout.hpp"
#include "cantus/nn/tt/gru.hpp"
#include "cantus/nn/tt/indexing.hpp"
#include "cantus/nn/tt/lstm.hpp"
#include "cantus/nn/tt/linear.hpp"
#include "cantus/nn/tt/max_pool2d.hpp"
#include "cantus/nn/tt/conv1d.hpp"
#include "cantus/backend/cpu/nn/im2col.hpp"
#include "cantus/nn/tt/losses.hpp"
#include "cantus/nn/tt/optimizers.hpp"
#include "cantus/backend/cuda/nn/pointwise_conv1d.hpp"
#include "cantus/nn/tt/pooling.hpp"
#include "cantus/nn/tt/reparameterize.hpp"

using namespace cantus;
namespace cb = cantus::nn::tt::cuda_bodies;

namespace {
// What a grid does, one index after another (the bodies write disjoint outputs).
template <class Body>
void run(index_t n, const Body& b) {
  for (index_t i = 0; i < n; ++i) b(i);
}
template <class Body>
double sum(index_t n, const Body& b) {
  double s = 0;
  for (index_t i = 0; i < n; ++i) s += b(i);
  return s;
}
template <class Body>
index_t first_bad(index_t n, const Body& b) {
  index_t m = cb::none;
  for (index_t i = 0; i < n; ++i) m = std::min(m, b(i));
  return m;
}
std::vector<float> values(std::size_t n, std::uint64_t seed, float lo = -2.f, float hi = 2.f) {
  random_stream r(seed);
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = lo + (hi - lo) * r.uniform(i);
  return v;
}
bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}
double max_rel(const std::vector<float>& a, const std::vector<float>& b) {
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    m = std::max(m, std::abs(double(a[i]) - double(b[i])) / std::max(1.0, std::abs(double(b[i]))));
  return m;
}
using cpu_tt_opt = nn::tt::optimizers<float, cpu>;
// cuda_launch::add_column_sums: the chunk sums, then each column's chunks in order.
void add_column_sums(index_t rows, index_t cols, index_t positions, const float* x, float* out) {
  const index_t per_column = rows * positions, chunk = cb::column_sum_chunk(per_column, cols);
  const index_t chunks = (per_column + chunk - 1) / chunk;
  std::vector<double> partial(static_cast<std::size_t>(cols * chunks), -1e300);
  run(cols * chunks, cb::partial_column_sum<float>{cols, positions, per_column, chunk, chunks, x, partial.data()});
  for (double p : partial) BOOST_TEST(p != -1e300);  // every chunk written
  run(cols, cb::add_partials<float>{chunks, partial.data(), out});
}
}  // namespace

BOOST_AUTO_TEST_SUITE(cuda_bodies_on_the_cpu)

BOOST_AUTO_TEST_CASE(optimizer_updates_are_the_cpu_bits) {
  const index_t n = 1001;
  const auto g = values(n, 1);
  for (bool decoupled : {false, true})
    for (bool amsgrad : {false, true}) {
      nn::tt::adam_step<float> s{0.01f, 0.9f, 0.9f, 0.999f, 1e-8f, 0.01f, 0.999f, decoupled};
      auto w1 = values(n, 2), m1 = values(n, 3, 0, 1), v1 = values(n, 4, 0, 1), x1 = values(n, 5, 0, 1);
      auto w2 = w1, m2 = m1, v2 = v1, x2 = x1;
      cpu_tt_opt::adam(n, w1.data(), g.data(), m1.data(), v1.data(), amsgrad ? x1.data() : nullptr, s);
      run(n, cb::adam<float, nn::tt::adam_step<float>>{w2.data(), m2.data(), v2.data(), amsgrad ? x2.data() : nullptr, g.data(), s});
      BOOST_TEST((same_bits(w1, w2) && same_bits(m1, m2) && same_bits(v1, v2) && same_bits(x1, x2)));
    }
  for (bool momentum : {false, true})
    for (bool first : {false, true}) {
      nn::tt::sgd_step<float> s{0.1f, 0.001f, 0.9f, 0.95f, first, momentum && !first};
      auto w1 = values(n, 6), b1 = values(n, 7);
      auto w2 = w1, b2 = b1;
      cpu_tt_opt::sgd(n, w1.data(), g.data(), momentum ? b1.data() : nullptr, s);
      run(n, cb::sgd<float, nn::tt::sgd_step<float>>{w2.data(), momentum ? b2.data() : nullptr, g.data(), s});
      BOOST_TEST((same_bits(w1, w2) && same_bits(b1, b2)));
    }
  BOOST_TEST(sum(n, cb::square<float>{g.data()}) == cpu_tt_opt::sum_of_squares(n, g.data()));
}

BOOST_AUTO_TEST_CASE(reparameterisation_and_dropout_are_the_cpu_bits) {
  const index_t n = 777;
  const auto mu = values(n, 1), lv = values(n, 2), eps = values(n, 3), dz = values(n, 4);
  std::vector<float> z1(n), z2(n);
  nn::tt::reparameterize<float, cpu>::forward(n, mu.data(), lv.data(), eps.data(), z1.data());
  run(n, cb::reparameterize_forward<float>{mu.data(), lv.data(), eps.data(), z2.data()});
  BOOST_TEST(same_bits(z1, z2));
  auto dm1 = values(n, 5), dl1 = values(n, 6);
  auto dm2 = dm1, dl2 = dl1;
  nn::tt::reparameterize<float, cpu>::backward(n, lv.data(), eps.data(), dz.data(), dm1.data(), dl1.data());
  run(n, cb::reparameterize_backward<float>{lv.data(), eps.data(), dz.data(), dm2.data(), dl2.data()});
  BOOST_TEST((same_bits(dm1, dm2) && same_bits(dl1, dl2)));
  const random_stream rng(2019, 7);
  std::vector<float> e1(n), e2(n);
  nn::tt::reparameterize<float, cpu>::normal(n, rng, e1.data());
  run(n, cb::normal_noise<float>{rng, e2.data()});
  BOOST_TEST(same_bits(e1, e2));
  std::vector<float> y1(n), y2(n);
  nn::tt::dropout<float, cpu>::apply(n, mu.data(), y1.data(), rng, 0.3f, 1.f / 0.7f);
  run(n, cb::dropout<float>{mu.data(), y2.data(), rng, 0.3f, 1.f / 0.7f});
  BOOST_TEST(same_bits(y1, y2));
}

BOOST_AUTO_TEST_CASE(activation_gradients_and_the_gated_unit) {
  const index_t batch = 3, half = 37, n = batch * half;
  const auto x = values(2 * n, 1), dy = values(2 * n, 2);
  auto check = [&](auto kind, bool select) {
    std::vector<float> y(2 * n), d1(2 * n), d2(2 * n);
    backend_ops<cpu>::map(x.data(), y.data(), y.size(), kind.forward_op());
    nn::tt::activations<float, cpu>::backward(kind, 2 * n, x.data(), y.data(), dy.data(), d1.data());
    if (select)
      run(2 * n, cb::activation_backward<float, decltype(kind), true>{kind, x.data(), y.data(), dy.data(), d2.data()});
    else
      run(2 * n, cb::activation_backward<float, decltype(kind), false>{kind, x.data(), y.data(), dy.data(), d2.data()});
    return same_bits(d1, d2);
  };
  BOOST_TEST(check(nn::activation_kind::relu{}, true));
  BOOST_TEST(check(nn::activation_kind::leaky_relu<float>{0.2f}, false));
  BOOST_TEST(check(nn::activation_kind::tanh{}, false));
  BOOST_TEST(check(nn::activation_kind::sigmoid{}, false));

  std::vector<float> t1(n), s1(n), y1(n), t2(n), s2(n), y2(n);
  nn::tt::activations<float, cpu>::gated_forward(batch, half, x.data(), t1.data(), s1.data(), y1.data());
  run(n, cb::gated_forward<float>{half, x.data(), t2.data(), s2.data(), y2.data()});
  BOOST_TEST(max_rel(t1, t2) < 1e-6);  // the CPU's tanh/sigmoid are SIMD approximations, libm's here
  BOOST_TEST(max_rel(s1, s2) < 1e-6);
  BOOST_TEST(max_rel(y1, y2) < 1e-6);
  std::vector<float> dx1(2 * n), dx2(2 * n);
  nn::tt::activations<float, cpu>::gated_backward(batch, half, t1.data(), s1.data(), dy.data(), dx1.data());
  run(n, cb::gated_backward<float>{half, t1.data(), s1.data(), dy.data(), dx2.data()});
  BOOST_TEST(same_bits(dx1, dx2));
}

BOOST_AUTO_TEST_CASE(pooling_and_bias_sums_are_the_cpu_bits) {
  const index_t rows = 13, inner = 301;
  const auto x = values(rows * inner, 1);
  std::vector<float> m1(rows), m2(rows), d1(rows * inner), d2(rows * inner);
  nn::tt::pooling<float, cpu>::mean_rows(rows, inner, x.data(), m1.data());
  run(rows, cb::mean_row<float>{inner, x.data(), m2.data()});
  BOOST_TEST(same_bits(m1, m2));
  nn::tt::pooling<float, cpu>::spread_rows(rows, inner, m1.data(), d1.data());
  run(rows * inner, cb::spread_row<float>{inner, m1.data(), d2.data()});
  BOOST_TEST(same_bits(d1, d2));

  // linear: the bias broadcast and the bias gradient (the GEMMs are cuBLAS's)
  const index_t r = 9, in = 5, out = 7;
  const auto xs = values(r * in, 2), w = values(out * in, 3), b = values(out, 4), dy = values(r * out, 5);
  nn::tt::linear<float, cpu> lin;
  std::vector<float> y(r * out), dw(out * in, 0.f), db1(out, 0.5f), dx(r * in), bcast(r * out), db2(out, 0.5f);
  lin.forward(r, in, out, xs.data(), w.data(), nullptr, y.data());
  run(r * out, cb::broadcast_row<float>{out, b.data(), bcast.data()});
  for (index_t i = 0; i < r * out; ++i) BOOST_TEST(bcast[i] == b[i % out]);
  lin.backward(r, in, out, xs.data(), w.data(), dy.data(), dw.data(), db1.data(), dx.data());
  add_column_sums(r, out, 1, dy.data(), db2.data());
  BOOST_TEST(max_rel(db1, db2) < 1e-6);
  // many rows: several chunks per column, added in order
  const index_t many = 70001;
  const auto big = values(many * 3, 6);
  std::vector<float> s1(3), s2(3, 0.25f);
  for (index_t j = 0; j < 3; ++j) {
    double t = 0.25;
    for (index_t r2 = 0; r2 < many; ++r2) t += big[r2 * 3 + j];
    s1[j] = float(t);
  }
  add_column_sums(many, 3, 1, big.data(), s2.data());
  BOOST_TEST(max_rel(s1, s2) < 1e-6);
}

BOOST_AUTO_TEST_CASE(pointwise_convolutions_as_products_match_the_cpu_kernel) {
  // conv1d.cuh's kernel-size-1 path (backend/cuda/nn/pointwise_conv1d.hpp) run with the CPU's GEMMs
  // and the swap_leading body, against the CPU's conv1d kernel: y, dx, and dW accumulated onto a start
  // value.
  for (index_t nb : {1, 3}) {
    const index_t cin = 5, cout = 4, len = 29;
    nn::conv1d_config c{cin, cout, 1};
    c.bias = false;
    const auto x = values(nb * cin * len, 11), w = values(cout * cin, 12), dy = values(nb * cout * len, 13);
    std::vector<float> y1(nb * cout * len), y2(y1.size(), 9.f), dx1(x.size()), dx2(x.size(), 9.f);
    auto dw1 = values(cout * cin, 14);
    auto dw2 = dw1;
    nn::tt::conv1d<float, cpu> k;
    k.forward(c, nb, len, len, x.data(), w.data(), nullptr, y1.data());
    k.backward(c, nb, len, len, x.data(), w.data(), dy.data(), dw1.data(), nullptr, dx1.data());
    std::vector<float> xs(x.size()), dys(dy.size());
    nn::tt::pointwise::forward<cpu>(nb, cin, cout, len, x.data(), w.data(), y2.data());
    nn::tt::pointwise::backward_filter<cpu>(nb, cin, cout, len, x.data(), dy.data(), dw2.data(), xs.data(), dys.data(),
                                            [](index_t n, index_t ch, index_t l, const float* src, float* dst) {
                                              run(n * ch * l, cb::swap_leading<float>{n, ch, l, src, dst});
                                            });
    nn::tt::pointwise::backward_data<cpu>(nb, cin, cout, len, w.data(), dy.data(), dx2.data());
    BOOST_TEST(max_rel(y1, y2) < 1e-6);
    BOOST_TEST(max_rel(dx1, dx2) < 1e-6);
    BOOST_TEST(max_rel(dw1, dw2) < 1e-6);
  }
}

BOOST_AUTO_TEST_CASE(convolution_glue_and_max_pooling_are_the_cpu_bits) {
  // bias, its gradient (chunked sums against the CPU's 16-lane order) and the causal crop / zero pad
  // around cuDNN
  const index_t batch = 3, ch = 5, len = 37;
  const auto dy = values(batch * ch * len, 1), bias = values(ch, 2);
  auto g1 = values(ch, 3);
  auto g2 = g1;
  nn::detail::accumulate_bias_grad(dy.data(), batch, ch, len, g1.data());
  add_column_sums(batch, ch, len, dy.data(), g2.data());
  BOOST_TEST(max_rel(g1, g2) < 1e-6);
  {  // chunks that start and end inside a sample's row
    const index_t b2 = 40, c2 = 3, l2 = 997;
    const auto d2 = values(b2 * c2 * l2, 7);
    std::vector<float> h1(c2, 0.f), h2(c2, 0.f);
    nn::detail::accumulate_bias_grad(d2.data(), b2, c2, l2, h1.data());
    add_column_sums(b2, c2, l2, d2.data(), h2.data());
    BOOST_TEST(max_rel(h1, h2) < 1e-5);
  }
  auto y = dy;
  run(batch * ch * len, cb::add_channel_bias<float>{ch, len, bias.data(), y.data()});
  for (index_t i = 0; i < batch * ch * len; ++i) BOOST_TEST(y[i] == dy[i] + bias[(i / len) % ch]);
  std::vector<float> cropped(batch * ch * 30), padded(batch * ch * len);
  run(batch * ch * 30, cb::resize_rows<float>{len, 30, dy.data(), cropped.data()});
  run(batch * ch * len, cb::resize_rows<float>{30, len, cropped.data(), padded.data()});
  for (index_t r = 0; r < batch * ch; ++r)
    for (index_t t = 0; t < len; ++t) BOOST_TEST(padded[r * len + t] == (t < 30 ? dy[r * len + t] : 0.f));

  // max-pool: the general loop and the 2x2 fast path of the CPU, with ties, NaNs and padding
  const index_t planes = 4, H = 9, W = 8;
  auto x = values(planes * H * W, 4);
  x[3] = x[4];               // a tie: the first maximum wins
  x[H * W + 10] = NAN;       // a NaN wins and stays
  for (auto [k, s, p] : {std::array<index_t, 3>{2, 2, 0}, {3, 2, 1}, {3, 1, 0}}) {
    const nn::max_pool2d_config c{k, s, p};
    const index_t OH = (H + 2 * p - k) / s + 1, OW = (W + 2 * p - k) / s + 1;
    std::vector<float> y1(planes * OH * OW), y2(planes * OH * OW);
    std::vector<std::int32_t> a1(y1.size()), a2(y1.size());
    nn::tt::max_pool2d<float, cpu>::forward(c, planes, H, W, OH, OW, x.data(), y1.data(), a1.data());
    run(planes * OH * OW, cb::max_pool_output<float>{H, W, OH, OW, k, s, p, x.data(), y2.data(), a2.data()});
    BOOST_TEST(same_bits(y1, y2));
    BOOST_TEST(a1 == a2);
    const auto dyp = values(y1.size(), 5);
    std::vector<float> d1(planes * H * W), d2(planes * H * W, 7.f);
    nn::tt::max_pool2d<float, cpu>::backward(planes, H * W, OH * OW, a1.data(), dyp.data(), d1.data());
    run(planes, cb::max_pool_plane_backward<float>{H * W, OH * OW, a1.data(), dyp.data(), d2.data()});
    BOOST_TEST(same_bits(d1, d2));  // overlapping windows (stride 1) add in the CPU's order
  }
}

BOOST_AUTO_TEST_CASE(lookups_and_their_gradients_are_the_cpu_bits) {
  using ix = nn::tt::indexing<float, cpu>;
  const index_t batch = 2, len = 11, classes = 6, dim = 4, n = batch * len;
  std::vector<float> x(n);
  for (index_t i = 0; i < n; ++i) x[i] = float((i * 5 + 1) % classes);
  BOOST_TEST(first_bad(n, cb::bad_class_value<float>{x.data(), classes}) == cb::none);
  std::vector<float> oh1(batch * classes * len), oh2(batch * classes * len, 0.f);
  ix::one_hot("layer", batch, len, classes, x.data(), oh1.data());
  run(n, cb::one_hot<float>{len, classes, x.data(), oh2.data()});
  BOOST_TEST(same_bits(oh1, oh2));
  const auto table = values(classes * dim, 1), dy = values(n * dim, 2);
  std::vector<float> g1(n * dim), g2(n * dim);
  ix::gather_rows("layer", n, classes, dim, x.data(), table.data(), g1.data());
  run(n * dim, cb::gather_row<float>{dim, x.data(), table.data(), g2.data()});
  BOOST_TEST(same_bits(g1, g2));
  auto dt1 = values(classes * dim, 3);
  auto dt2 = dt1;
  ix::scatter_add_rows("layer", n, classes, dim, x.data(), dy.data(), dt1.data());
  run(dim, cb::scatter_add_column<float>{n, dim, x.data(), dy.data(), dt2.data()});
  BOOST_TEST(same_bits(dt1, dt2));
  // the CPU kernel's first rejected input is the body's first bad position
  for (float bad : {-1.f, 6.f, 2.5f, NAN}) {
    auto xb = x;
    xb[7] = bad;
    xb[15] = bad;
    BOOST_TEST(first_bad(n, cb::bad_class_value<float>{xb.data(), classes}) == 7);
    BOOST_CHECK_THROW(ix::one_hot("layer", batch, len, classes, xb.data(), oh1.data()), value_error);
  }

  // WaveNet's column lookup: q rows of len + 1, the first len read
  const index_t stride = len + 1;
  std::vector<index_t> q(batch * stride);
  for (index_t i = 0; i < batch * stride; ++i) q[i] = (i * 7 + 3) % classes;
  const auto wt = values(dim * classes, 4), bias = values(dim, 5), dyc = values(batch * dim * len, 6);
  std::vector<float> c1(batch * dim * len), c2(batch * dim * len);
  ix::gather_columns("wavenet", batch, len, stride, classes, dim, q.data(), wt.data(), bias.data(), c1.data());
  run(batch * dim * len, cb::gather_column<float, index_t>{len, stride, classes, dim, q.data(), wt.data(), bias.data(), c2.data()});
  BOOST_TEST(same_bits(c1, c2));
  auto gw1 = values(dim * classes, 7), gb1 = values(dim, 8);
  auto gw2 = gw1, gb2 = gb1;
  ix::scatter_add_columns(batch, len, stride, classes, dim, q.data(), dyc.data(), gw1.data(), gb1.data());
  run(dim, cb::scatter_add_row_of_table<float, index_t>{batch, len, stride, classes, dim, q.data(), dyc.data(), gw2.data(), gb2.data()});
  BOOST_TEST((same_bits(gw1, gw2) && same_bits(gb1, gb2)));
  q[1 * stride + 4] = classes;  // (1, 4) is out of range; (1, len) is not read
  q[1 * stride + len] = -5;
  BOOST_TEST(first_bad(batch * len, cb::bad_class_index<index_t>{q.data(), len, stride, classes}) == 1 * len + 4);
  BOOST_CHECK_THROW(ix::gather_columns("wavenet", batch, len, stride, classes, dim, q.data(), wt.data(), bias.data(), c1.data()),
                    value_error);
}

BOOST_AUTO_TEST_CASE(losses_match_the_cpu) {
  using L = nn::tt::losses<float, cpu>;
  const index_t n = 1234;
  const auto x = values(n, 1), y = values(n, 2);
  std::vector<float> g1(n), g2(n);
  const double s1 = L::squared_error(n, x.data(), y.data(), 0.25f, g1.data());
  const double s2 = sum(n, cb::squared_error<float>{x.data(), y.data(), 2.f * 0.25f, g2.data()});
  BOOST_TEST(s1 == s2);
  BOOST_TEST(same_bits(g1, g2));
  std::vector<float> gm1(n), gl1(n), gm2(n), gl2(n);
  const double k1 = L::gaussian_kl(n, x.data(), y.data(), 0.125f, gm1.data(), gl1.data());
  const double k2 = sum(n, cb::gaussian_kl<float>{x.data(), y.data(), 0.125f, gm2.data(), gl2.data()});
  BOOST_TEST(k1 == k2);
  BOOST_TEST((same_bits(gm1, gm2) && same_bits(gl1, gl2)));

  // cross-entropy over [N, C, S] with some targets ignored
  const index_t N = 3, C = 17, S = 29;
  const auto logits = values(N * C * S, 3, -6.f, 6.f);
  std::vector<index_t> t(N * S);
  for (index_t i = 0; i < N * S; ++i) t[i] = i % 11 == 0 ? -100 : (i * 5) % C;
  for (bool mean : {true, false}) {
    std::vector<float> ce1(N * C * S), ce2(N * C * S);
    index_t counted = 0;
    const double v1 = L::cross_entropy(N, C, S, logits.data(), t.data(), -100, mean, ce1.data(), counted);
    BOOST_TEST(first_bad(N * S, cb::cross_entropy_target<index_t>{t.data(), C, -100}) == cb::none);
    BOOST_TEST(first_bad(N * S, cb::cross_entropy_nonfinite<float>{logits.data(), C, S}) == cb::none);
    BOOST_TEST(sum(N * S, cb::cross_entropy_counted<index_t>{t.data(), -100}) == double(counted));
    const float scale = mean ? static_cast<float>(1.0 / double(counted)) : 1.f;
    const double v2 = sum(N * S, cb::cross_entropy_position<float, index_t>{C, S, -100, logits.data(), t.data(), scale, ce2.data()});
    BOOST_TEST(std::abs(v1 - v2) <= 1e-6 * std::abs(v1));  // exp: SIMD on the CPU, libm here
    BOOST_TEST(max_rel(ce1, ce2) < 1e-6);
  }
  auto tb = t;
  tb[40] = C;
  BOOST_TEST(first_bad(N * S, cb::cross_entropy_target<index_t>{tb.data(), C, -100}) == 40);
  auto lb = logits;
  lb[2 * C * S + 5 * S + 3] = INFINITY;  // position (2, 3)
  BOOST_TEST(first_bad(N * S, cb::cross_entropy_nonfinite<float>{lb.data(), C, S}) == 2 * S + 3);
}

// The recurrent layers: gru.cuh's and lstm.cuh's sequence of steps replayed on the host (the CPU
// backend's GEMMs standing in for cuBLAS's), against the CPU kernels.
namespace {
using gemm_ops = backend_ops<cpu>;
struct rnn_case {
  index_t B = 3, Tn = 7, I = 5, H = 6;
};
}  // namespace

BOOST_AUTO_TEST_CASE(gru_steps_match_the_cpu_kernel) {
  const rnn_case k;
  const index_t B = k.B, Tn = k.Tn, I = k.I, H = k.H, G = 3 * H;
  const auto x = values(B * Tn * I, 1), h0 = values(B * H, 2), wih = values(G * I, 3, -0.5f, 0.5f),
             whh = values(G * H, 4, -0.5f, 0.5f), bih = values(G, 5), bhh = values(G, 6), dy = values(B * Tn * H, 7),
             dhn = values(B * H, 8);
  nn::tt::gru<float, cpu> ref;
  std::vector<float> y1(B * Tn * H), hn1(B * H), dwih1(G * I, 0.f), dwhh1(G * H, 0.f), dbih1(G, 0.f), dbhh1(G, 0.f),
      dx1(B * Tn * I), dh01(B * H);
  ref.forward(B, Tn, I, H, x.data(), h0.data(), wih.data(), whh.data(), bih.data(), bhh.data(), y1.data(), hn1.data());
  ref.backward(I, H, dy.data(), dhn.data(), wih.data(), whh.data(), dwih1.data(), dwhh1.data(), dbih1.data(), dbhh1.data(),
               dx1.data(), dh01.data());

  std::vector<float> xt(Tn * B * I), gi(Tn * B * G), hprev(Tn * B * H), gates(Tn * B * 4 * H), gh(B * G), y2(B * Tn * H),
      hn2(B * H);
  run(Tn * B * I, cb::swap_leading<float>{B, Tn, I, x.data(), xt.data()});
  gemm_ops::gemm(transpose::no, transpose::yes, Tn * B, G, I, 1.f, xt.data(), I, wih.data(), I, 0.f, gi.data(), G);
  run(B * H, cb::copy_or_zero<float>{h0.data(), hprev.data()});
  for (index_t t = 0; t < Tn; ++t) {
    gemm_ops::gemm(transpose::no, transpose::yes, B, G, H, 1.f, hprev.data() + t * B * H, H, whh.data(), H, 0.f, gh.data(), G);
    run(B * H, cb::gru_forward_unit<float>{t, B, Tn, H, gi.data(), gh.data(), bih.data(), bhh.data(), hprev.data(),
                                           gates.data(), y2.data()});
  }
  run(B * H, cb::last_step<float>{Tn, H, y2.data(), hn2.data()});
  BOOST_TEST(max_rel(y1, y2) < 1e-5);
  BOOST_TEST(max_rel(hn1, hn2) < 1e-5);

  std::vector<float> dh(B * H), dgi(Tn * B * G), dgh(Tn * B * G), dwih2(G * I, 0.f), dwhh2(G * H, 0.f), dbih2(G, 0.f),
      dbhh2(G, 0.f), dxt(Tn * B * I), dx2(B * Tn * I);
  run(B * H, cb::copy_or_zero<float>{dhn.data(), dh.data()});
  for (index_t t = Tn; t-- > 0;) {
    run(B * H, cb::gru_backward_unit<float>{t, B, Tn, H, gates.data(), hprev.data(), dy.data(), dh.data(), dgi.data(), dgh.data()});
    gemm_ops::gemm(transpose::no, transpose::no, B, H, G, 1.f, dgh.data() + t * B * G, G, whh.data(), H, 1.f, dh.data(), H);
  }
  gemm_ops::gemm(transpose::yes, transpose::no, G, I, B * Tn, 1.f, dgi.data(), G, xt.data(), I, 1.f, dwih2.data(), I);
  gemm_ops::gemm(transpose::yes, transpose::no, G, H, B * Tn, 1.f, dgh.data(), G, hprev.data(), H, 1.f, dwhh2.data(), H);
  add_column_sums(B * Tn, G, 1, dgi.data(), dbih2.data());
  add_column_sums(B * Tn, G, 1, dgh.data(), dbhh2.data());
  gemm_ops::gemm(transpose::no, transpose::no, Tn * B, I, G, 1.f, dgi.data(), G, wih.data(), I, 0.f, dxt.data(), I);
  run(B * Tn * I, cb::swap_leading<float>{Tn, B, I, dxt.data(), dx2.data()});
  for (const auto& [a, b] : {std::pair{&dwih1, &dwih2}, {&dwhh1, &dwhh2}, {&dbih1, &dbih2}, {&dbhh1, &dbhh2}, {&dx1, &dx2}, {&dh01, &dh}})
    BOOST_TEST(max_rel(*a, *b) < 1e-5);
}

BOOST_AUTO_TEST_CASE(lstm_steps_match_the_cpu_kernel) {
  const rnn_case k;
  const index_t B = k.B, Tn = k.Tn, I = k.I, H = k.H, G = 4 * H;
  const auto x = values(B * Tn * I, 11), h0 = values(B * H, 12), c0 = values(B * H, 13),
             wih = values(G * I, 14, -0.5f, 0.5f), whh = values(G * H, 15, -0.5f, 0.5f), bih = values(G, 16),
             bhh = values(G, 17), dy = values(B * Tn * H, 18), dhn = values(B * H, 19), dcn = values(B * H, 20);
  nn::tt::lstm<float, cpu> ref;
  std::vector<float> y1(B * Tn * H), hn1(B * H), cn1(B * H), dwih1(G * I, 0.f), dwhh1(G * H, 0.f), dbih1(G, 0.f),
      dbhh1(G, 0.f), dx1(B * Tn * I), dh01(B * H), dc01(B * H);
  ref.forward(B, Tn, I, H, x.data(), h0.data(), c0.data(), wih.data(), whh.data(), bih.data(), bhh.data(), y1.data(),
              hn1.data(), cn1.data());
  ref.backward(I, H, dy.data(), dhn.data(), dcn.data(), wih.data(), whh.data(), dwih1.data(), dwhh1.data(), dbih1.data(),
               dbhh1.data(), dx1.data(), dh01.data(), dc01.data());

  std::vector<float> xt(Tn * B * I), gates(Tn * B * G), hprev(Tn * B * H), cprev(Tn * B * H), tanh_c(Tn * B * H),
      gh(B * G), c(B * H), y2(B * Tn * H), hn2(B * H);
  run(Tn * B * I, cb::swap_leading<float>{B, Tn, I, x.data(), xt.data()});
  gemm_ops::gemm(transpose::no, transpose::yes, Tn * B, G, I, 1.f, xt.data(), I, wih.data(), I, 0.f, gates.data(), G);
  run(B * H, cb::copy_or_zero<float>{h0.data(), hprev.data()});
  run(B * H, cb::copy_or_zero<float>{c0.data(), c.data()});
  for (index_t t = 0; t < Tn; ++t) {
    gemm_ops::gemm(transpose::no, transpose::yes, B, G, H, 1.f, hprev.data() + t * B * H, H, whh.data(), H, 0.f, gh.data(), G);
    run(B * H, cb::lstm_forward_unit<float>{t, B, Tn, H, gh.data(), bih.data(), bhh.data(), gates.data(), c.data(),
                                            cprev.data(), tanh_c.data(), hprev.data(), y2.data()});
  }
  run(B * H, cb::last_step<float>{Tn, H, y2.data(), hn2.data()});
  BOOST_TEST(max_rel(y1, y2) < 1e-5);
  BOOST_TEST(max_rel(hn1, hn2) < 1e-5);
  BOOST_TEST(max_rel(cn1, c) < 1e-5);

  std::vector<float> dh(B * H), dc(B * H), dg(Tn * B * G), dwih2(G * I, 0.f), dwhh2(G * H, 0.f), db(G, 0.f),
      dbih2(G, 0.f), dbhh2(G, 0.f), dxt(Tn * B * I), dx2(B * Tn * I);
  run(B * H, cb::copy_or_zero<float>{dhn.data(), dh.data()});
  run(B * H, cb::copy_or_zero<float>{dcn.data(), dc.data()});
  for (index_t t = Tn; t-- > 0;) {
    run(B * H, cb::lstm_backward_unit<float>{t, B, Tn, H, gates.data(), tanh_c.data(), cprev.data(), dy.data(), dh.data(),
                                             dc.data(), dg.data()});
    gemm_ops::gemm(transpose::no, transpose::no, B, H, G, 1.f, dg.data() + t * B * G, G, whh.data(), H, 0.f, dh.data(), H);
  }
  gemm_ops::gemm(transpose::yes, transpose::no, G, I, B * Tn, 1.f, dg.data(), G, xt.data(), I, 1.f, dwih2.data(), I);
  gemm_ops::gemm(transpose::yes, transpose::no, G, H, B * Tn, 1.f, dg.data(), G, hprev.data(), H, 1.f, dwhh2.data(), H);
  add_column_sums(B * Tn, G, 1, dg.data(), db.data());
  run(G, cb::add_to_both<float>{db.data(), dbih2.data(), dbhh2.data()});
  gemm_ops::gemm(transpose::no, transpose::no, Tn * B, I, G, 1.f, dg.data(), G, wih.data(), I, 0.f, dxt.data(), I);
  run(B * Tn * I, cb::swap_leading<float>{Tn, B, I, dxt.data(), dx2.data()});
  for (const auto& [a, b] : {std::pair{&dwih1, &dwih2}, {&dwhh1, &dwhh2}, {&dbih1, &dbih2}, {&dbhh1, &dbhh2}, {&dx1, &dx2},
                             {&dh01, &dh}, {&dc01, &dc}})
    BOOST_TEST(max_rel(*a, *b) < 1e-5);
}

BOOST_AUTO_TEST_SUITE_END()
