// Bad input: every run-time shape mismatch names the layer, the expected and the actual shape;
// invalid hyper-parameters and class indices are value_errors naming the layer.
#include <boost/test/unit_test.hpp>

#include "cantus/nn/layers/layers.hpp"
#include "cantus/nn/sequential.hpp"

using namespace cantus;

namespace {
template <class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const error& e) {
    return e.what();
  }
  return "(no exception)";
}
}  // namespace

BOOST_AUTO_TEST_SUITE(bad_input)

BOOST_AUTO_TEST_CASE(conv1d_channel_mismatch_names_layer_and_shapes) {
  nn::conv1d<float, cpu, 1, 32, 4, 2, 1> conv;
  tensor<float, 3> x({8, 3, 128}, 0.f);
  BOOST_CHECK_THROW(nn::forward(conv, x.view()), shape_error);
  BOOST_TEST(message_of([&] { nn::forward(conv, x.view()); }) ==
             "conv1d(1->32, k=4, s=2, p=1): input expected shape [?, 1, ?] but found [8, 3, 128]");
}

BOOST_AUTO_TEST_CASE(too_short_input_and_wrong_output_buffer) {
  nn::causal_conv1d<float> c(nn::conv1d_config{.in_channels = 2, .out_channels = 2, .kernel_size = 3, .stride = 1,
                                               .padding = 0, .dilation = 1, .causal = true});
  tensor<float, 3> x({1, 2, 5}, 0.f), y({1, 2, 4}, 0.f);
  const auto m = message_of([&] { c.forward(x.view(), y.view(), false); });
  BOOST_TEST(m == "causal_conv1d(2->2, k=3): output expected shape [1, 2, 5] but found [1, 2, 4]");
  nn::conv1d<float, cpu, 2, 2, 5> plain;
  tensor<float, 3> short_x({1, 2, 3}, 0.f);
  BOOST_TEST(message_of([&] { nn::forward(plain, short_x.view()); }).find("conv1d(2->2, k=5): input length 3") == 0);
}

BOOST_AUTO_TEST_CASE(linear_and_batch_norm) {
  nn::linear<float, cpu, 2048, 100> fc;
  tensor<float, 2> x({4, 1024}, 0.f);
  BOOST_TEST(message_of([&] { nn::forward(fc, x.view()); }) ==
             "linear(2048->100): input expected shape [?, 2048] but found [4, 1024]");
  nn::batch_norm2d<float, cpu, 32> bn;
  tensor<float, 4> img({2, 16, 4, 4}, 0.f);
  BOOST_TEST(message_of([&] { nn::forward(bn, img.view(), true); }) ==
             "batch_norm2d(32): input expected shape [?, 32, ?, ?] but found [2, 16, 4, 4]");
  tensor<float, 4> single({1, 32, 1, 1}, 0.f);
  BOOST_CHECK_THROW(nn::forward(bn, single.view(), true), value_error);
}

BOOST_AUTO_TEST_CASE(sequential_reports_the_failing_layer) {
  nn::sequential<nn::conv1d<float, cpu, 1, 32, 4, 2, 1>, nn::relu<float>, nn::conv1d<float, cpu, 32, 64, 4, 2, 1>,
                 nn::relu<float>, nn::flatten<float>, nn::linear<float, cpu, 2048, 100>>
      enc;
  static_assert(enc.accepts_static_input<dyn, 1, 128>());
  static_assert(!enc.accepts_static_input<dyn, 1, 64>());   // flatten gives 1024, the linear wants 2048
  static_assert(!enc.accepts_static_input<dyn, 2, 128>());  // the first conv wants 1 channel
  tensor<float, 3> wrong_length({2, 1, 64}, 0.f);
  BOOST_TEST(message_of([&] { nn::forward(enc, wrong_length.view()); }) ==
             "linear(2048->100): input expected shape [?, 2048] but found [2, 1024]");
  tensor<float, 3> wrong_channels({2, 3, 128}, 0.f);
  BOOST_TEST(message_of([&] { nn::forward(enc, wrong_channels.view()); }) ==
             "conv1d(1->32, k=4, s=2, p=1): input expected shape [?, 1, ?] but found [2, 3, 128]");
}

BOOST_AUTO_TEST_CASE(other_layers) {
  nn::gated_activation<float, cpu, 3> gate;
  tensor<float, 3> odd({1, 5, 4}, 0.f);
  BOOST_TEST(message_of([&] { nn::forward(gate, odd.view()); }).find("gated_activation") == 0);
  nn::reshape<float, cpu, static_shape<8, 4>, 2> r;
  tensor<float, 2> flat({2, 30}, 0.f);
  BOOST_TEST(message_of([&] { nn::forward(r, flat.view()); }) ==
             "reshape([8, 4]): input expected 32 elements per sample but found shape [2, 30]");
  nn::max_pool2d<float, cpu, 4> pool;
  tensor<float, 4> tiny({1, 1, 2, 2}, 0.f);
  BOOST_CHECK_THROW(nn::forward(pool, tiny.view()), shape_error);
}

BOOST_AUTO_TEST_CASE(class_indices_are_checked) {
  nn::one_hot<float, cpu, 256> oh;
  tensor<float, 2> idx({1, 3}, {0.f, 255.f, 256.f});
  BOOST_TEST(message_of([&] { nn::forward(oh, idx.view()); }) ==
             "one_hot(256): input 2 is 256, expected a class index in [0, 256)");
  tensor<float, 2> frac({1, 2}, {1.5f, 2.f});
  BOOST_CHECK_THROW(nn::forward(oh, frac.view()), value_error);
  nn::embedding<float, cpu, 4, 2> emb;
  tensor<float, 2> neg({1, 1}, {-1.f});
  BOOST_CHECK_THROW(nn::forward(emb, neg.view()), value_error);
}

BOOST_AUTO_TEST_CASE(invalid_hyper_parameters) {
  BOOST_CHECK_THROW(nn::conv1d<float>(nn::conv1d_config{.in_channels = 0, .out_channels = 2, .kernel_size = 3}),
                    value_error);
  BOOST_CHECK_THROW((nn::conv1d<float, cpu, 1, 2, 3>(nn::conv1d_config{.in_channels = 1, .out_channels = 2, .kernel_size = 4})),
                    value_error);
  BOOST_CHECK_THROW(nn::conv1d<float>(nn::conv1d_config{.in_channels = 1, .out_channels = 2, .kernel_size = 3,
                                                        .padding = 1, .causal = true}),
                    value_error);
  BOOST_CHECK_THROW(nn::conv_transpose1d<float>(nn::conv_transpose1d_config{
                        .in_channels = 1, .out_channels = 1, .kernel_size = 3, .stride = 2, .output_padding = 2}),
                    value_error);
  BOOST_CHECK_THROW(nn::dropout<float>(1.0), value_error);
  BOOST_CHECK_THROW(nn::batch_norm2d<float>(nn::batch_norm_config{.num_features = 0}), value_error);
}

BOOST_AUTO_TEST_SUITE_END()
