// Outputs, input gradients and parameter gradients equal PyTorch 1.13's (float32, 1e-5) on the small
// cases written by tests/nn/golden/make_golden_layers.py. Torch's weights are copied into the
// layers through parameters(), which also proves the names and memory layouts match state_dict.
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "cantus/core/npy.hpp"
#include "cantus/nn/layers/layers.hpp"
#include "cantus/nn/sequential.hpp"

using namespace cantus;

namespace {
std::filesystem::path golden(const std::string& c, const std::string& what) {
  return std::filesystem::path(CANTUS_NN_GOLDEN_DIR) / ("layers_" + c + "_" + what + ".npy");
}

// Each value within 1e-5 of torch's, relative to max(1, |torch|).
void check_close(const std::string& what, const float* got, const npy::array& want) {
  const auto w = want.values<float>();
  double worst = 0;
  std::size_t at = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double e = std::abs(double(got[i]) - double(w[i])) / std::max(1.0, std::abs(double(w[i])));
    if (!(e <= worst)) worst = e, at = i;
  }
  BOOST_TEST_INFO(what << ": worst element " << at << " got " << got[at] << " want " << w[at]);
  BOOST_TEST(worst <= 1e-5);
}

struct golden_options {
  bool training = true;
  bool input_grad = true;
  bool load_buffers = false;     // eval mode: running statistics come from torch
  std::string torch_prefix;      // parameter names inside a torch wrapper module ("conv.")
};

template <nn::layer L>
void check_against_torch(const std::string& c, L& layer, const golden_options& o = {}) {
  BOOST_TEST_CONTEXT("golden case " << c) {
    const auto x = npy::read(golden(c, "x")).template to_tensor<float, L::in_rank>();
    auto params = nn::parameters_of(layer);
    BOOST_TEST_REQUIRE(!params.empty() == std::filesystem::exists(golden(c, o.torch_prefix + (params.empty() ? std::string("weight") : params[0].name))));
    for (auto& p : params) {
      const auto a = npy::read(golden(c, o.torch_prefix + p.name));
      BOOST_TEST_REQUIRE(a.shape == p.shape, p.name << ": torch shape " << shape_string(a.shape) << " vs "
                                                    << shape_string(p.shape));
      const auto v = a.template values<float>();
      std::copy(v.begin(), v.end(), p.value.data());
    }
    auto buffers = nn::buffers_of(layer);
    if (o.load_buffers)
      for (auto& b : buffers)
        if (std::filesystem::exists(golden(c, b.name))) {
          const auto v = npy::read(golden(c, b.name)).template values<float>();
          std::copy(v.begin(), v.end(), b.value.data());
        }
    nn::zero_grad(params);
    auto y = nn::forward(layer, x.view(), o.training);
    const auto want_y = npy::read(golden(c, "y"));
    BOOST_TEST_REQUIRE(std::vector<index_t>(y.shape().begin(), y.shape().end()) == want_y.shape);
    check_close("y", y.data(), want_y);
    const auto dy = npy::read(golden(c, "dy")).template to_tensor<float, L::out_rank>();
    tensor<float, L::in_rank> dx(x.shape(), 0.f);
    layer.backward(x.view(), y.view(), dy.view(), o.input_grad ? dx.view() : tensor_view<float, L::in_rank>());
    if (o.input_grad) check_close("dx", dx.data(), npy::read(golden(c, "dx")));
    for (auto& p : params) check_close(p.name + " grad", p.grad.data(), npy::read(golden(c, o.torch_prefix + p.name + "_grad")));
    if (!o.load_buffers)
      for (auto& b : buffers)
        if (std::filesystem::exists(golden(c, b.name))) check_close(b.name, b.value.data(), npy::read(golden(c, b.name)));
  }
}
}  // namespace

BOOST_AUTO_TEST_SUITE(golden_pytorch)

BOOST_AUTO_TEST_CASE(linear) {
  nn::linear<float, cpu, 6, 3> a;
  check_against_torch("linear", a);
  nn::linear<float, cpu, 6, 3, 3> b;
  check_against_torch("linear3d", b);
}

BOOST_AUTO_TEST_CASE(conv1d) {
  nn::conv1d<float, cpu, 2, 3, 4, 2, 1> a;
  check_against_torch("conv1d_s2p1", a);
  nn::conv1d<float> b({.in_channels = 3, .out_channels = 2, .kernel_size = 3, .padding = 2, .dilation = 2});
  check_against_torch("conv1d_dilated", b);
  nn::conv1d<float, cpu, 3, 4, 1> c;
  check_against_torch("conv1d_pointwise", c);
  nn::causal_conv1d<float, cpu, 2, 4, 2, 3> d;
  check_against_torch("causal_conv1d", d, {.torch_prefix = "conv."});
}

BOOST_AUTO_TEST_CASE(conv_transpose1d) {
  nn::conv_transpose1d<float, cpu, 3, 2, 4, 2, 1> a;
  check_against_torch("conv_transpose1d_s2p1", a);
  nn::conv_transpose1d<float, cpu, 2, 3, 3, 2, 1, 1, 2> b;
  check_against_torch("conv_transpose1d_op", b);
}

BOOST_AUTO_TEST_CASE(conv2d) {
  nn::conv2d<float, cpu, 2, 3, 3, 1, 1> a;
  check_against_torch("conv2d_same", a);
  nn::conv2d<float> b({.in_channels = 2, .out_channels = 3, .kernel_size = {2, 3}, .stride = {2, 1}, .padding = {1, 0},
                       .dilation = {1, 2}});
  check_against_torch("conv2d_strided", b);
}

BOOST_AUTO_TEST_CASE(max_pool2d) {
  nn::max_pool2d<float, cpu, 2> a;
  check_against_torch("max_pool2d", a);
  nn::max_pool2d<float, cpu, 3, 2, 1> b;
  check_against_torch("max_pool2d_overlap", b);
}

BOOST_AUTO_TEST_CASE(batch_norm) {
  nn::batch_norm2d<float, cpu, 3> a;
  check_against_torch("batch_norm2d_train", a);  // also compares the updated running statistics
  nn::batch_norm2d<float, cpu, 3> b;
  check_against_torch("batch_norm2d_eval", b, {.training = false, .load_buffers = true});
  nn::batch_norm1d<float, cpu, 4> c;
  check_against_torch("batch_norm1d_train", c);
}

BOOST_AUTO_TEST_CASE(activations) {
  nn::relu<float, cpu, 3> relu;
  check_against_torch("relu", relu);
  nn::leaky_relu<float, cpu, 3> leaky(nn::activation_kind::leaky_relu<float>{0.2f});
  check_against_torch("leaky_relu", leaky);
  nn::tanh<float, cpu, 3> tanh;
  check_against_torch("tanh", tanh);
  nn::sigmoid<float, cpu, 3> sigmoid;
  check_against_torch("sigmoid", sigmoid);
  nn::gated_activation<float, cpu, 3> gated;
  check_against_torch("gated", gated);
}

BOOST_AUTO_TEST_CASE(pooling_shapes_embedding) {
  nn::global_avg_pool<float, cpu, 4> gap;
  check_against_torch("global_avg_pool", gap);
  nn::flatten<float, cpu, 3> flat;
  check_against_torch("flatten", flat);
  nn::embedding<float, cpu, 10, 4> emb;
  check_against_torch("embedding", emb, {.input_grad = false});
}

BOOST_AUTO_TEST_CASE(sequential_models) {
  nn::sequential<nn::conv1d<float, cpu, 1, 4, 4, 2, 1>, nn::relu<float>, nn::conv1d<float, cpu, 4, 8, 4, 2, 1>, nn::relu<float>,
                 nn::flatten<float>, nn::linear<float, cpu, 32, 5>>
      encoder;
  check_against_torch("sequential_encoder", encoder);
  nn::sequential<nn::linear<float, cpu, 5, 32>, nn::reshape<float, cpu, static_shape<8, 4>>, nn::conv_transpose1d<float, cpu, 8, 4, 4, 2, 1>,
                 nn::relu<float>, nn::conv_transpose1d<float, cpu, 4, 1, 4, 2, 1>>
      decoder;
  check_against_torch("sequential_decoder", decoder);
  nn::sequential<nn::conv2d<float, cpu, 1, 4, 3, 1, 1>, nn::batch_norm2d<float, cpu, 4>, nn::relu<float>, nn::max_pool2d<float, cpu, 2>,
                 nn::global_avg_pool<float>, nn::linear<float, cpu, 4, 3>>
      cnn;
  check_against_torch("sequential_cnn", cnn);
}

BOOST_AUTO_TEST_SUITE_END()
