// Behaviour beyond gradients: determinism, modes, parameter naming, summaries, initialisation.
#include <boost/test/unit_test.hpp>

#include <barrier>
#include <thread>

#include <omp.h>

#include <cmath>
#include <numeric>
#include <set>
#include <utility>

#include "cantus/nn/layers/layers.hpp"
#include "cantus/nn/sequential.hpp"

using namespace cantus;

BOOST_AUTO_TEST_SUITE(behaviour)

BOOST_AUTO_TEST_CASE(dropout_is_deterministic_per_seed_and_step) {
  tensor<float, 2> x({8, 1000}, 1.f);
  nn::dropout<float, cpu, 2> a(0.25, 9), b(0.25, 9), c(0.25, 10);
  auto ya = nn::forward(a, x.view(), true), yb = nn::forward(b, x.view(), true), yc = nn::forward(c, x.view(), true);
  BOOST_TEST(ya.to_vector() == yb.to_vector());
  BOOST_TEST(ya.to_vector() != yc.to_vector());
  auto ya2 = nn::forward(a, x.view(), true);  // the next step draws a fresh mask
  BOOST_TEST(ya.to_vector() != ya2.to_vector());
  BOOST_TEST(a.step() == 2u);
  index_t zeros = 0;
  for (float v : ya.to_vector()) {
    BOOST_TEST((v == 0.f || std::abs(v - 1.f / 0.75f) < 1e-6f));
    zeros += v == 0.f;
  }
  BOOST_TEST(std::abs(double(zeros) / 8000.0 - 0.25) < 0.02);
  auto eval = nn::forward(a, x.view(), false);
  BOOST_TEST(eval.to_vector() == x.to_vector());
  BOOST_TEST(a.step() == 2u);
}

BOOST_AUTO_TEST_CASE(batch_norm_running_statistics_and_buffers) {
  nn::batch_norm1d<double, cpu, 2> bn;
  tensor<double, 3> x({2, 2, 2}, {1, 3, 10, 10, 5, 7, 10, 10});
  nn::forward(bn, x.view(), true);
  auto bufs = nn::buffers_of(bn, "bn");
  BOOST_TEST_REQUIRE(bufs.size() == 3u);
  BOOST_TEST(bufs[0].name == "bn.running_mean");
  BOOST_TEST(bufs[1].name == "bn.running_var");
  BOOST_TEST(bufs[2].name == "bn.num_batches_tracked");
  BOOST_TEST(bufs[0].grad.data() == nullptr);
  // channel 0 values 1, 3, 5, 7: mean 4, unbiased variance 20/3
  BOOST_TEST(bufs[0].value.data()[0] == 0.4, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(bufs[1].value.data()[0] == 0.9 + 0.1 * 20.0 / 3.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(bufs[2].value.data()[0] == 1.0);
  // evaluation uses (and keeps) the running statistics
  auto y = nn::forward(bn, x.view(), false);
  BOOST_TEST(y(0, 0, 0) == (1 - 0.4) / std::sqrt(0.9 + 0.1 * 20.0 / 3.0 + 1e-5), boost::test_tools::tolerance(1e-12));
  BOOST_TEST(bufs[2].value.data()[0] == 1.0);
  BOOST_TEST(nn::parameters_of(bn).size() == 2u);  // optimizers see weight and bias only
}

BOOST_AUTO_TEST_CASE(synchronised_batch_norm_over_two_shards_equals_one_batch) {
  // Two "ranks" as two threads: shard A (3 samples) and shard B (1 sample) of one batch of 4, their
  // sync an all-reduce through shared slots and a barrier.
  std::barrier sync_point(2);
  std::vector<double> slot[2];
  auto all_reduce = [&](int me) {
    return [&, me](double* v, std::size_t n) {
      slot[me].assign(v, v + n);
      sync_point.arrive_and_wait();
      for (std::size_t i = 0; i < n; ++i) v[i] = slot[0][i] + slot[1][i];
      sync_point.arrive_and_wait();
    };
  };
  nn::batch_norm<double, cpu, 4> whole(nn::batch_norm_config{2}), a(nn::batch_norm_config{2}), b(nn::batch_norm_config{2});
  a.set_sync(all_reduce(0));
  b.set_sync(all_reduce(1));
  tensor<double, 4> x({4, 2, 3, 2}), dy(x.shape());
  random_stream r(5);
  for (index_t i = 0; i < x.size(); ++i) x.data()[i] = 3.0 + 2.0 * r.normal(std::uint64_t(i)), dy.data()[i] = r.normal(std::uint64_t(500 + i));
  auto rows = [&](const tensor<double, 4>& t, index_t first, index_t n, double scale) {
    tensor<double, 4> s({n, 2, 3, 2});
    for (index_t i = 0; i < n * 12; ++i) s.data()[i] = scale * t.data()[first * 12 + i];
    return s;
  };
  // Each shard's dy is that of its own mean loss: the whole batch's, times batch rows / shard rows.
  const auto xa = rows(x, 0, 3, 1.0), xb = rows(x, 3, 1, 1.0), dya = rows(dy, 0, 3, 4.0 / 3.0), dyb = rows(dy, 3, 1, 4.0);
  tensor<double, 4> y(x.shape()), dx(x.shape()), ya(xa.shape()), dxa(xa.shape()), yb(xb.shape()), dxb(xb.shape());
  whole.forward(x.view(), y.view(), true);
  whole.backward(x.view(), std::as_const(y).view(), std::as_const(dy).view(), dx.view());
  std::thread other([&] {
    b.forward(xb.view(), yb.view(), true);
    b.backward(xb.view(), std::as_const(yb).view(), std::as_const(dyb).view(), dxb.view());
  });
  a.forward(xa.view(), ya.view(), true);
  a.backward(xa.view(), std::as_const(ya).view(), std::as_const(dya).view(), dxa.view());
  other.join();
  for (index_t i = 0; i < ya.size(); ++i) BOOST_TEST(ya.data()[i] == y.data()[i], boost::test_tools::tolerance(1e-12));
  for (index_t i = 0; i < yb.size(); ++i) BOOST_TEST(yb.data()[i] == y.data()[36 + i], boost::test_tools::tolerance(1e-12));
  // A shard's dx is the gradient of its own loss: the whole batch's, scaled back by shard / batch rows.
  for (index_t i = 0; i < dxa.size(); ++i) BOOST_TEST(dxa.data()[i] * 3.0 / 4.0 == dx.data()[i], boost::test_tools::tolerance(1e-10));
  for (index_t i = 0; i < dxb.size(); ++i) BOOST_TEST(dxb.data()[i] / 4.0 == dx.data()[36 + i], boost::test_tools::tolerance(1e-10));
  // The running statistics are the whole batch's on both shards.
  auto ra = nn::buffers_of(a), rb = nn::buffers_of(b), rw = nn::buffers_of(whole);
  for (int k = 0; k < 2; ++k)
    for (int j = 0; j < 2; ++j) {
      BOOST_TEST(ra[k].value.data()[j] == rw[k].value.data()[j], boost::test_tools::tolerance(1e-12));
      BOOST_TEST(rb[k].value.data()[j] == rw[k].value.data()[j], boost::test_tools::tolerance(1e-12));
    }
}

BOOST_AUTO_TEST_CASE(sequential_names_like_torch_and_summarises) {
  nn::sequential<nn::conv1d<float, cpu, 1, 32, 4, 2, 1>, nn::relu<float>, nn::conv1d<float, cpu, 32, 64, 4, 2, 1>,
                 nn::relu<float>, nn::flatten<float>, nn::linear<float, cpu, 2048, 100>>
      enc;
  auto ps = nn::parameters_of(enc, "encoder");
  std::vector<std::string> names;
  for (auto& p : ps) names.push_back(p.name);
  BOOST_TEST(names == (std::vector<std::string>{"encoder.0.weight", "encoder.0.bias", "encoder.2.weight",
                                                 "encoder.2.bias", "encoder.5.weight", "encoder.5.bias"}),
             boost::test_tools::per_element());
  BOOST_TEST(ps[2].shape == (std::vector<index_t>{64, 32, 4}));
  BOOST_TEST(nn::parameter_count(ps) == 32 * 4 + 32 + 64 * 32 * 4 + 64 + 2048 * 100 + 100);
  const auto s = enc.summary({512, 1, 128});
  BOOST_TEST(s.find("conv1d(32->64, k=4, s=2, p=1)") != std::string::npos);
  BOOST_TEST(s.find("[512, 64, 32]") != std::string::npos);
  BOOST_TEST(s.find("Total params: 213316") != std::string::npos);
  static_assert(decltype(enc)::static_output_shape({dyn, 1, 128}) == shape_t<2>{dyn, 100});
}

BOOST_AUTO_TEST_CASE(sequential_accepts_configured_layers) {
  using net = nn::sequential<nn::linear<float>, nn::leaky_relu<float>, nn::dropout<float>, nn::linear<float>>;
  net n(nn::linear<float>({4, 8}), nn::leaky_relu<float>(nn::activation_kind::leaky_relu<float>{0.3f}),
        nn::dropout<float>(0.1, 5), nn::linear<float>({8, 2}));
  BOOST_TEST(n.get<1>().kind().negative_slope == 0.3f);
  BOOST_TEST(n.get<2>().p() == 0.1);
  tensor<float, 2> x({3, 4}, 0.5f);
  BOOST_TEST(nn::forward(n, x.view()).shape() == (shape_t<2>{3, 2}));
}

BOOST_AUTO_TEST_CASE(default_initialisation_matches_pytorch_bounds) {
  nn::conv1d<double, cpu, 64, 128, 2> conv;
  conv.init(random_stream(3));
  auto ps = nn::parameters_of(conv);
  const double bound = 1.0 / std::sqrt(64.0 * 2.0);
  double lo = 1, hi = -1;
  for (index_t i = 0; i < ps[0].value.size(); ++i) lo = std::min(lo, ps[0].value.data()[i]), hi = std::max(hi, ps[0].value.data()[i]);
  BOOST_TEST(lo >= -bound);
  BOOST_TEST(hi <= bound);
  BOOST_TEST(hi - lo > 1.9 * bound);  // 16384 uniform draws fill the interval
  nn::conv1d<double, cpu, 64, 128, 2> same;
  same.init(random_stream(3));
  BOOST_TEST(std::equal(ps[0].value.data(), ps[0].value.data() + ps[0].value.size(),
                        nn::parameters_of(same)[0].value.data()));
  // conv_transpose1d: PyTorch takes fan_in from weight.size(1) = out_channels
  nn::conv_transpose1d<double, cpu, 4, 100, 4, 2, 1> up;
  up.init(random_stream(4));
  auto w = nn::parameters_of(up)[0].value;
  double m = 0;
  for (index_t i = 0; i < w.size(); ++i) m = std::max(m, std::abs(w.data()[i]));
  BOOST_TEST(m <= 1.0 / std::sqrt(400.0));
  BOOST_TEST(m > 0.9 / std::sqrt(400.0));
}

BOOST_AUTO_TEST_CASE(one_hot_layout_is_channels_first) {
  nn::one_hot<float, cpu, 4> oh;
  tensor<float, 2> idx({1, 3}, {2.f, 0.f, 3.f});
  auto y = nn::forward(oh, idx.view());
  BOOST_TEST(y(0, 2, 0) == 1.f);
  BOOST_TEST(y(0, 0, 1) == 1.f);
  BOOST_TEST(y(0, 3, 2) == 1.f);
  BOOST_TEST(std::accumulate(y.data(), y.data() + y.size(), 0.f) == 3.f);
}

BOOST_AUTO_TEST_CASE(large_batches_match_small_batches) {
  // Chunking over samples (im2col budget) must not change results: one sample at a time vs all.
  nn::conv1d<float, cpu, 64, 128, 4, 2, 1> conv;
  conv.init(random_stream(5));
  tensor<float, 3> x({600, 64, 16});
  random_stream r(6);
  for (index_t i = 0; i < x.size(); ++i) x.data()[i] = float(r.normal(std::uint64_t(i)));
  auto y = nn::forward(conv, x.view());
  tensor<float, 3> one({1, 64, 16});
  std::copy(x.data() + 599 * 64 * 16, x.data() + 600 * 64 * 16, one.data());
  auto y1 = nn::forward(conv, one.view());
  // GEMM blocking differs with the column count: equal up to float rounding, not bitwise.
  float worst = 0;
  for (index_t i = 0; i < y1.size(); ++i) worst = std::max(worst, std::abs(y1.data()[i] - y.data()[599 * y1.size() + i]));
  BOOST_TEST(worst < 1e-5f);
}

BOOST_AUTO_TEST_CASE(batch_norm_scattered_backward_equals_dense_max_pool_then_batch_norm) {
  // The CNN's fused path: BatchNorm backward fed a max-pool's per-window gradients directly.
  for (bool training : {true, false}) {
    nn::batch_norm<float, cpu, 4> bn(nn::batch_norm_config{3});
    nn::max_pool2d<float> pool(nn::max_pool2d_config{2, 2, 0});
    tensor<float, 4> x({2, 3, 8, 6});
    random_stream r(21);
    for (index_t i = 0; i < x.size(); ++i) x.data()[i] = 1.5f + 2.0f * float(r.normal(std::uint64_t(i)));
    tensor<float, 4> y(x.shape()), p({2, 3, 4, 3}), dp(p.shape()), dy(x.shape()), dx_dense(x.shape()), dx_fused(x.shape());
    if (!training) bn.forward(x.view(), y.view(), true);  // running statistics that are not the identity
    bn.forward(x.view(), y.view(), training);
    pool.forward(std::as_const(y).view(), p.view(), training);
    for (index_t i = 0; i < dp.size(); ++i) dp.data()[i] = float(r.normal(std::uint64_t(1000 + i)));
    auto fused = bn;  // the same forward state, its own gradients
    pool.backward(std::as_const(y).view(), std::as_const(p).view(), std::as_const(dp).view(), dy.view());
    bn.backward(x.view(), std::as_const(y).view(), std::as_const(dy).view(), dx_dense.view());
    fused.backward_scattered(x.view(), dp.data(), pool.argmax().data(), 12, dx_fused.view());
    for (index_t i = 0; i < x.size(); ++i)
      BOOST_TEST(dx_fused.data()[i] == dx_dense.data()[i], boost::test_tools::tolerance(1e-4f));
    auto g1 = nn::parameters_of(bn), g2 = nn::parameters_of(fused);
    for (std::size_t k = 0; k < g1.size(); ++k)
      for (index_t i = 0; i < g1[k].grad.size(); ++i)
        BOOST_TEST(g2[k].grad.data()[i] == g1[k].grad.data()[i], boost::test_tools::tolerance(1e-4f));
  }
}

namespace {
// Forward + backward with a given OpenMP thread count; returns y, dx and every gradient, flattened.
template <class L>
std::vector<float> run_with_threads(L layer, const tensor<float, L::in_rank>& x, int threads) {
  const int before = omp_get_max_threads();
  omp_set_num_threads(threads);
  auto y = nn::forward(layer, x.view(), true);
  tensor<float, L::out_rank> dy(y.shape());
  random_stream r(8);
  for (index_t i = 0; i < dy.size(); ++i) dy.data()[i] = float(r.normal(std::uint64_t(i)));
  tensor<float, L::in_rank> dx(x.shape());
  layer.backward(x.view(), y.view(), dy.view(), dx.view());
  omp_set_num_threads(before);
  auto out = y.to_vector();
  out.insert(out.end(), dx.data(), dx.data() + dx.size());
  for (auto& p : nn::parameters_of(layer)) out.insert(out.end(), p.grad.data(), p.grad.data() + p.grad.size());
  return out;
}
template <class L>
void check_thread_counts_agree(const L& layer, const shape_t<L::in_rank>& shape) {
  tensor<float, L::in_rank> x(shape);
  random_stream r(9);
  for (index_t i = 0; i < x.size(); ++i) x.data()[i] = float(r.normal(std::uint64_t(i)));
  const auto one = run_with_threads(layer, x, 1), two = run_with_threads(layer, x, 2);
  BOOST_TEST_REQUIRE(one.size() == two.size());
  double worst = 0;
  for (std::size_t i = 0; i < one.size(); ++i)
    worst = std::max(worst, std::abs(double(one[i]) - double(two[i])) / std::max(1.0, std::abs(double(one[i]))));
  BOOST_TEST_INFO(layer.describe());
  BOOST_TEST(worst == 0.0);  // column blocks are fixed by the problem size: the same bits for any thread count
}
}  // namespace

BOOST_AUTO_TEST_CASE(threaded_gemms_agree_with_one_thread) {
  // Big enough for the column-split GEMMs and the per-thread weight-gradient sums.
  check_thread_counts_agree(nn::causal_conv1d<float, cpu, 16, 32, 2, 64>(), {2, 16, 8192});
  check_thread_counts_agree(nn::conv1d<float, cpu, 32, 64, 4, 2, 1>(), {64, 32, 64});
  check_thread_counts_agree(nn::conv1d<float, cpu, 32, 64, 1>(), {4, 32, 1024});
  check_thread_counts_agree(nn::conv_transpose1d<float, cpu, 64, 32, 4, 2, 1>(), {64, 64, 32});
  check_thread_counts_agree(nn::conv2d<float, cpu, 8, 16, 3, 1, 1>(), {4, 8, 32, 32});
  check_thread_counts_agree(nn::linear<float, cpu, 256, 100>(), {1024, 256});
}

BOOST_AUTO_TEST_SUITE_END()
