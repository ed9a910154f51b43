// Every layer and the sequential container: analytic gradients (input and parameters) against
// central finite differences in double precision.
#include <boost/test/unit_test.hpp>

#include <omp.h>

#include "cantus/nn/layers/layers.hpp"
#include "cantus/nn/sequential.hpp"
#include "grad_check.hpp"

using namespace cantus;
using cantus::testing::check_gradients;
using cantus::testing::grad_check_options;
using cantus::testing::random_tensor;

namespace {
template <nn::layer L>
void randomize(L& l, std::uint64_t seed) {
  l.init(random_stream(seed));
  // Biases start from PyTorch's small uniform; scale everything up a little so no term is negligible.
  for (auto& p : nn::parameters_of(l))
    for (index_t i = 0; i < p.value.size(); ++i) p.value.data()[i] += 0.1 * random_stream(seed, 3).normal(std::uint64_t(i));
}
}  // namespace

BOOST_AUTO_TEST_SUITE(gradients)

BOOST_AUTO_TEST_CASE(linear_rank2_and_rank3) {
  nn::linear<double, cpu, 5, 3> a;
  randomize(a, 1);
  CANTUS_CHECK_GRADIENTS(a, random_tensor<double, 2>({4, 5}, 2));
  nn::linear<double, cpu, dyn, dyn, 3> b(nn::linear_config{6, 4});
  randomize(b, 3);
  CANTUS_CHECK_GRADIENTS(b, random_tensor<double, 3>({2, 3, 6}, 4));
  nn::linear<double> c(nn::linear_config{3, 2, false});
  randomize(c, 5);
  CANTUS_CHECK_GRADIENTS(c, random_tensor<double, 2>({3, 3}, 6));
}

BOOST_AUTO_TEST_CASE(conv1d_variants) {
  nn::conv1d<double, cpu, 2, 3, 4, 2, 1> strided;  // the step-VAE geometry
  randomize(strided, 1);
  CANTUS_CHECK_GRADIENTS(strided, random_tensor<double, 3>({3, 2, 10}, 2));
  nn::conv1d<double> dilated({.in_channels = 3, .out_channels = 2, .kernel_size = 3, .stride = 1, .padding = 2, .dilation = 2});
  randomize(dilated, 3);
  CANTUS_CHECK_GRADIENTS(dilated, random_tensor<double, 3>({2, 3, 9}, 4));
  nn::causal_conv1d<double, cpu, 2, 4, 2, 3> causal;  // WaveNet: kernel 2, dilation 3, left padding 3
  randomize(causal, 5);
  CANTUS_CHECK_GRADIENTS(causal, random_tensor<double, 3>({2, 2, 11}, 6));
  nn::conv1d<double, cpu, 3, 5, 1> pointwise;
  randomize(pointwise, 7);
  CANTUS_CHECK_GRADIENTS(pointwise, random_tensor<double, 3>({1, 3, 7}, 8));
  CANTUS_CHECK_GRADIENTS(pointwise, random_tensor<double, 3>({3, 3, 7}, 9));
  nn::conv1d<double> odd({.in_channels = 2, .out_channels = 2, .kernel_size = 3, .stride = 3, .padding = 1, .bias = false});
  randomize(odd, 10);
  CANTUS_CHECK_GRADIENTS(odd, random_tensor<double, 3>({2, 2, 11}, 11));
}

BOOST_AUTO_TEST_CASE(conv1d_long_sequences) {
  // 512 positions and more at stride 1 take the shifted-GEMM path (no im2col).
  nn::causal_conv1d<double, cpu, 2, 3, 2, 300> causal;
  randomize(causal, 12);
  CANTUS_CHECK_GRADIENTS(causal, random_tensor<double, 3>({2, 2, 600}, 13));
  nn::conv1d<double> padded({.in_channels = 2, .out_channels = 2, .kernel_size = 3, .stride = 1, .padding = 3, .dilation = 2});
  randomize(padded, 14);
  CANTUS_CHECK_GRADIENTS(padded, random_tensor<double, 3>({1, 2, 520}, 15));
  nn::conv1d<double, cpu, 2, 2, 4, 1, 0, 200> far;  // taps partly beyond the input
  randomize(far, 16);
  CANTUS_CHECK_GRADIENTS(far, random_tensor<double, 3>({2, 2, 1200}, 17));
}

BOOST_AUTO_TEST_CASE(conv_transpose1d_variants) {
  nn::conv_transpose1d<double, cpu, 3, 2, 4, 2, 1> up;  // the step-VAE decoder geometry
  randomize(up, 1);
  CANTUS_CHECK_GRADIENTS(up, random_tensor<double, 3>({3, 3, 5}, 2));
  nn::conv_transpose1d<double> op({.in_channels = 2, .out_channels = 3, .kernel_size = 3, .stride = 2, .padding = 1,
                                   .output_padding = 1, .dilation = 2});
  randomize(op, 3);
  CANTUS_CHECK_GRADIENTS(op, random_tensor<double, 3>({2, 2, 6}, 4));
  nn::conv_transpose1d<double, cpu, 2, 2, 16, 8, 4> wavenet_upsampler;
  randomize(wavenet_upsampler, 5);
  CANTUS_CHECK_GRADIENTS(wavenet_upsampler, random_tensor<double, 3>({1, 2, 3}, 6));
}

BOOST_AUTO_TEST_CASE(conv2d_variants) {
  nn::conv2d<double, cpu, 2, 3, 3, 1, 1> same;
  randomize(same, 1);
  CANTUS_CHECK_GRADIENTS(same, random_tensor<double, 4>({2, 2, 5, 6}, 2));
  nn::conv2d<double> rect({.in_channels = 2, .out_channels = 2, .kernel_size = {2, 3}, .stride = {2, 1},
                           .padding = {1, 0}, .dilation = {1, 2}});
  randomize(rect, 3);
  CANTUS_CHECK_GRADIENTS(rect, random_tensor<double, 4>({2, 2, 6, 7}, 4));
}

BOOST_AUTO_TEST_CASE(max_pool2d_variants) {
  // Distinct values far apart: no ties, no max switching under the finite-difference step.
  auto x = random_tensor<double, 4>({2, 3, 6, 6}, 1);
  for (index_t i = 0; i < x.size(); ++i) x.data()[i] += 0.01 * double(i % 37);
  nn::max_pool2d<double, cpu, 2> pool;
  CANTUS_CHECK_GRADIENTS(pool, x);
  nn::max_pool2d<double> overlap(nn::max_pool2d_config{3, 2, 1});
  CANTUS_CHECK_GRADIENTS(overlap, x);
}

BOOST_AUTO_TEST_CASE(batch_norm_training_and_eval) {
  nn::batch_norm2d<double, cpu, 3> bn2;
  randomize(bn2, 1);
  CANTUS_CHECK_GRADIENTS(bn2, random_tensor<double, 4>({2, 3, 3, 4}, 2));
  CANTUS_CHECK_GRADIENTS(bn2, random_tensor<double, 4>({2, 3, 3, 4}, 3), grad_check_options{.training = false});
  nn::batch_norm1d<double, cpu, 4> bn1;
  randomize(bn1, 4);
  CANTUS_CHECK_GRADIENTS(bn1, random_tensor<double, 3>({3, 4, 5}, 5));
  nn::batch_norm1d<double, cpu, dyn, 2> features(nn::batch_norm_config{5});
  randomize(features, 6);
  CANTUS_CHECK_GRADIENTS(features, random_tensor<double, 2>({6, 5}, 7));
}

BOOST_AUTO_TEST_CASE(activations) {
  const auto x = random_tensor<double, 3>({2, 4, 5}, 1, 1.0, 1e-3);
  nn::relu<double, cpu, 3> relu;
  CANTUS_CHECK_GRADIENTS(relu, x);
  nn::leaky_relu<double, cpu, 3> leaky(nn::activation_kind::leaky_relu<double>{0.2});
  CANTUS_CHECK_GRADIENTS(leaky, x);
  nn::tanh<double, cpu, 3> tanh;
  CANTUS_CHECK_GRADIENTS(tanh, x);
  nn::sigmoid<double, cpu, 3> sigmoid;
  CANTUS_CHECK_GRADIENTS(sigmoid, x);
  nn::gated_activation<double, cpu, 3> gated;
  CANTUS_CHECK_GRADIENTS(gated, x);
}

BOOST_AUTO_TEST_CASE(dropout_training_and_eval) {
  nn::dropout<double, cpu, 2> drop(0.3, 42);
  const auto x = random_tensor<double, 2>({4, 25}, 1);
  CANTUS_CHECK_GRADIENTS(drop, x, grad_check_options{}, [](auto& d) { d.set_step(0); });
  CANTUS_CHECK_GRADIENTS(drop, x, grad_check_options{.training = false});
}

BOOST_AUTO_TEST_CASE(pooling_and_shapes) {
  nn::global_avg_pool<double, cpu, 4> gap;
  CANTUS_CHECK_GRADIENTS(gap, random_tensor<double, 4>({2, 3, 4, 5}, 1));
  nn::global_avg_pool<double, cpu, 3> gap1;
  CANTUS_CHECK_GRADIENTS(gap1, random_tensor<double, 3>({2, 3, 7}, 2));
  nn::flatten<double, cpu, 3> flat;
  CANTUS_CHECK_GRADIENTS(flat, random_tensor<double, 3>({2, 3, 4}, 3));
  nn::reshape<double, cpu, static_shape<3, 4>, 2> unflat;
  CANTUS_CHECK_GRADIENTS(unflat, random_tensor<double, 2>({2, 12}, 4));
}

BOOST_AUTO_TEST_CASE(embedding_weights) {
  nn::embedding<double, cpu, 6, 3> emb;
  tensor<double, 2> idx({2, 4}, {0, 5, 2, 2, 1, 3, 5, 0});
  CANTUS_CHECK_GRADIENTS(emb, idx, grad_check_options{.check_input = false});
}

BOOST_AUTO_TEST_CASE(sequential_step_vae_encoder) {
  using encoder = nn::sequential<nn::conv1d<double, cpu, 1, 4, 4, 2, 1>, nn::relu<double>, nn::conv1d<double, cpu, 4, 6, 4, 2, 1>,
                                 nn::tanh<double>, nn::flatten<double>, nn::linear<double, cpu, 24, 5>>;
  static_assert(encoder::accepts_static_input<dyn, 1, 16>());
  encoder e;
  randomize(e, 1);
  CANTUS_CHECK_GRADIENTS(e, random_tensor<double, 3>({3, 1, 16}, 2, 1.0, 1e-3));
}

BOOST_AUTO_TEST_CASE(sequential_cnn_block) {
  using block = nn::sequential<nn::conv2d<double, cpu, 1, 3, 3, 1, 1>, nn::batch_norm2d<double, cpu, 3>, nn::relu<double>,
                               nn::max_pool2d<double, cpu, 2>, nn::global_avg_pool<double>, nn::linear<double, cpu, 3, 2>>;
  block b;
  randomize(b, 3);
  auto x = random_tensor<double, 4>({2, 1, 6, 6}, 4);
  CANTUS_CHECK_GRADIENTS(b, x);
  CANTUS_CHECK_GRADIENTS(b, x, grad_check_options{.training = false});
}

BOOST_AUTO_TEST_CASE(sequential_wavenet_layer) {
  // one-hot classes -> 1x1 conv -> dilated causal conv -> gated unit -> 1x1 conv
  using net = nn::sequential<nn::conv1d<double, cpu, 4, 3, 1>, nn::causal_conv1d<double, cpu, 3, 6, 2, 2>,
                             nn::gated_activation<double>, nn::conv1d<double, cpu, 3, 4, 1>>;
  net n;
  randomize(n, 5);
  CANTUS_CHECK_GRADIENTS(n, random_tensor<double, 3>({2, 4, 9}, 6));
}

BOOST_AUTO_TEST_CASE(blocked_gemm_paths) {
  // The column/row-blocked GEMMs and per-block weight-gradient sums normally start at millions of
  // flops; force them onto small problems so finite differences check them too.
  using blocking = nn::detail::gemm_blocking;
  const auto keep_flops = blocking::min_flops, keep_columns = blocking::min_columns;
  const auto keep_budget = nn::detail::cache_chunking::budget;
  blocking::min_flops = 0;
  blocking::min_columns = 3;
  nn::detail::cache_chunking::budget = 1;  // one sample per chunk: chunks, groups and group sums
  // One thread: thousands of tiny parallel regions would only measure the OS scheduler (threaded
  // runs of the same code are compared bitwise in behaviour_test.cpp).
  const int keep_threads = omp_get_max_threads();
  omp_set_num_threads(1);
  nn::causal_conv1d<double, cpu, 2, 3, 2, 300> shifted;  // shifted-GEMM path, 16 blocks of positions
  randomize(shifted, 21);
  CANTUS_CHECK_GRADIENTS(shifted, random_tensor<double, 3>({2, 2, 600}, 22));
  nn::conv1d<double, cpu, 2, 3, 4, 2, 1> strided;  // im2col path
  randomize(strided, 23);
  CANTUS_CHECK_GRADIENTS(strided, random_tensor<double, 3>({3, 2, 14}, 24));
  nn::conv1d<double, cpu, 3, 2, 1> pointwise;
  randomize(pointwise, 25);
  CANTUS_CHECK_GRADIENTS(pointwise, random_tensor<double, 3>({2, 3, 9}, 26));
  nn::conv_transpose1d<double, cpu, 3, 2, 4, 2, 1> up;
  randomize(up, 27);
  CANTUS_CHECK_GRADIENTS(up, random_tensor<double, 3>({4, 3, 10}, 28));  // 40 columns: 3 blocks
  // 18 chunks in 16 groups: two groups sum two chunks each before the groups are added
  CANTUS_CHECK_GRADIENTS(strided, random_tensor<double, 3>({18, 2, 6}, 33));
  CANTUS_CHECK_GRADIENTS(up, random_tensor<double, 3>({18, 3, 3}, 34));
  nn::conv2d<double, cpu, 2, 2, 3, 1, 1> conv2;
  randomize(conv2, 29);
  CANTUS_CHECK_GRADIENTS(conv2, random_tensor<double, 4>({2, 2, 4, 5}, 30));
  nn::linear<double, cpu, 5, 3> fc;
  randomize(fc, 31);
  CANTUS_CHECK_GRADIENTS(fc, random_tensor<double, 2>({40, 5}, 32));  // 3 row blocks (16, 16, 8)
  omp_set_num_threads(keep_threads);
  blocking::min_flops = keep_flops;
  blocking::min_columns = keep_columns;
  nn::detail::cache_chunking::budget = keep_budget;
}

BOOST_AUTO_TEST_CASE(nested_sequential) {
  // A sequential is a layer: blocks compose, parameter names nest ("1.0.weight").
  using block = nn::sequential<nn::conv1d<double, cpu, 3, 3, 3, 1, 1>, nn::batch_norm1d<double, cpu, 3>, nn::leaky_relu<double>>;
  using net = nn::sequential<nn::conv1d<double, cpu, 2, 3, 1>, block, block, nn::global_avg_pool<double>, nn::linear<double, cpu, 3, 2>>;
  net n;
  randomize(n, 7);
  const auto ps = nn::parameters_of(n);
  BOOST_TEST(ps[2].name == "1.0.weight");
  BOOST_TEST(nn::buffers_of(n)[0].name == "1.1.running_mean");
  CANTUS_CHECK_GRADIENTS(n, random_tensor<double, 3>({3, 2, 8}, 8));
}

BOOST_AUTO_TEST_SUITE_END()
