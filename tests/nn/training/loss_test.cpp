// Losses: values and gradients equal PyTorch's; finite differences in double.
#include <boost/test/unit_test.hpp>

#include "cantus/nn/loss/capacity.hpp"
#include "cantus/nn/loss/cross_entropy.hpp"
#include "cantus/nn/loss/kl.hpp"
#include "cantus/nn/loss/mse.hpp"
#include "cantus/nn/loss/mu_law.hpp"
#include "support.hpp"

using namespace cantus;
using namespace cantus::training_test;

BOOST_AUTO_TEST_SUITE(losses)

BOOST_AUTO_TEST_CASE(mse_matches_torch) {
  auto a = golden<float, 2>("mse_input");
  auto b = golden<float, 2>("mse_target");
  for (auto [red, tag] : {std::pair{nn::reduction::mean, "mean"}, std::pair{nn::reduction::sum, "sum"}}) {
    auto l = nn::mse_loss(a, b, red);
    BOOST_TEST(std::abs(l.value - golden_values<double>(std::string("mse_") + tag)[0]) < 1e-5);
    check_close<float>(std::string("mse grad ") + tag, l.grad, std::string("mse_grad_") + tag, 1e-6);
  }
}

BOOST_AUTO_TEST_CASE(mse_finite_differences) {
  auto a = golden<double, 2>("mse_input");
  auto b = golden<double, 2>("mse_target");
  for (auto red : {nn::reduction::mean, nn::reduction::sum}) {
    auto l = nn::mse_loss(a, b, red);
    check_gradient("mse", a.data(), a.size(), l.grad.data(), [&] { return nn::mse_loss(a, b, red).value; });
  }
}

BOOST_AUTO_TEST_CASE(mse_shape_mismatch) {
  tensor<float, 2> a({2, 3}, 0.f), b({3, 2}, 0.f);
  BOOST_CHECK_THROW(nn::mse_loss(a, b), shape_error);
}

template <std::size_t R>
void cross_entropy_matches_torch(const std::string& name) {
  auto x = golden<double, R>(name + "_input");
  auto t = golden<index_t, R - 1>(name + "_target");
  auto xf = golden<float, R>(name + "_input");
  for (auto [red, tag] : {std::pair{nn::reduction::mean, "mean"}, std::pair{nn::reduction::sum, "sum"}}) {
    const double want = golden_values<double>(name + "_" + tag)[0];
    auto l = nn::cross_entropy(x, t, red);
    BOOST_TEST(std::abs(l.value - want) <= 1e-12 * (1 + std::abs(want)), name << " " << tag);
    check_close<double>(name + " grad " + tag, l.grad, name + "_grad_" + tag, 1e-12);
    auto lf = nn::cross_entropy(xf, t, red);
    BOOST_TEST(std::abs(lf.value - want) <= 1e-5 * (1 + std::abs(want)), name << " float " << tag);
    check_close<float>(name + " float grad " + tag, lf.grad, name + "_grad_" + tag, 1e-5);
    check_gradient(name + " " + tag, x.data(), x.size(), l.grad.data(), [&] { return nn::cross_entropy(x, t, red).value; });
  }
}

BOOST_AUTO_TEST_CASE(cross_entropy_matches_torch_and_finite_differences) {
  cross_entropy_matches_torch<2>("ce2");
  cross_entropy_matches_torch<3>("ce3");  // per time step, class dimension 1
}

BOOST_AUTO_TEST_CASE(cross_entropy_is_stable_and_checks_targets) {
  tensor<float, 2> x({1, 3}, {1000.f, -1000.f, 0.f});
  tensor<index_t, 1> t({1}, {2});
  auto l = nn::cross_entropy(x, t);
  BOOST_TEST(l.value == 1000.f);
  tensor<index_t, 1> bad({1}, {3});
  BOOST_CHECK_THROW(nn::cross_entropy(x, bad), value_error);
  tensor<index_t, 1> ignored({1}, {-100});
  BOOST_CHECK_THROW(nn::cross_entropy(x, ignored), value_error);
  BOOST_TEST(nn::cross_entropy(x, ignored, nn::reduction::sum).value == 0.f);
  tensor<index_t, 1> wrong_shape({2}, {0, 1});
  BOOST_CHECK_THROW(nn::cross_entropy(x, wrong_shape), shape_error);
}

BOOST_AUTO_TEST_CASE(gaussian_kl_matches_torch_and_finite_differences) {
  auto mu = golden<double, 2>("kl_mu");
  auto lv = golden<double, 2>("kl_logvar");
  auto kl = nn::gaussian_kl(mu, lv);
  BOOST_TEST(std::abs(kl.value - golden_values<double>("kl_value")[0]) <= 1e-12);
  check_close<double>("kl grad mu", kl.grad_mu, "kl_grad_mu", 1e-12);
  check_close<double>("kl grad logvar", kl.grad_logvar, "kl_grad_logvar", 1e-12);
  check_gradient("kl mu", mu.data(), mu.size(), kl.grad_mu.data(), [&] { return nn::gaussian_kl(mu, lv).value; });
  check_gradient("kl logvar", lv.data(), lv.size(), kl.grad_logvar.data(), [&] { return nn::gaussian_kl(mu, lv).value; });
}

BOOST_AUTO_TEST_CASE(capacity_loss_matches_torch_and_finite_differences) {
  auto rec = golden<double, 2>("cap_recon");
  auto tgt = golden<double, 2>("cap_target");
  auto mu = golden<double, 2>("kl_mu");
  auto lv = golden<double, 2>("kl_logvar");
  const nn::capacity_schedule sched{.c_max = 5.0, .num_steps = 100, .gamma = 100.0};
  BOOST_TEST(sched.capacity(0) == 0.0);
  BOOST_TEST(sched.capacity(50) == 2.5);
  BOOST_TEST(sched.capacity(1000) == 5.0);
  for (int step : {30, 400}) {
    const std::string tag = "cap" + std::to_string(step) + "_";
    auto l = nn::beta_vae_capacity_loss(rec, tgt, mu, lv, sched, step);
    auto parts = golden_values<double>(tag + "parts");
    const double got[] = {l.total, l.recon, l.kl, l.capacity};
    check_close<double>(tag + "parts (total, recon, kl, C)", got, parts, 1e-12);
    check_close<double>(tag + "grad recon", l.grad_recon, tag + "grad_recon", 1e-12);
    check_close<double>(tag + "grad mu", l.grad_mu, tag + "grad_mu", 1e-12);
    check_close<double>(tag + "grad logvar", l.grad_logvar, tag + "grad_logvar", 1e-12);
    auto total = [&] { return nn::beta_vae_capacity_loss(rec, tgt, mu, lv, sched, step).total; };
    check_gradient(tag + "recon", rec.data(), rec.size(), l.grad_recon.data(), total, 1e-6, 1e-6);
    check_gradient(tag + "mu", mu.data(), mu.size(), l.grad_mu.data(), total, 1e-6, 1e-6);
    check_gradient(tag + "logvar", lv.data(), lv.size(), l.grad_logvar.data(), total, 1e-6, 1e-6);
  }
}

BOOST_AUTO_TEST_CASE(mu_law_matches_torchaudio_formula) {
  auto wave = golden<float, 1>("mulaw_wave_f32");
  auto want = golden_values<index_t>("mulaw_codes");
  auto codes = nn::mu_law_encode(wave);
  index_t mismatches = 0;
  for (index_t i = 0; i < wave.size(); ++i) mismatches += codes(i) != want[i];
  BOOST_TEST(mismatches == 0);
  BOOST_TEST(codes(0) == 0);
  BOOST_TEST(codes(wave.size() - 1) == 255);
  tensor<index_t, 1> all({256});
  for (index_t c = 0; c < 256; ++c) all(c) = c;
  auto decoded = nn::mu_law_decode<float>(all);
  check_close<float>("mu-law decode", decoded, "mulaw_decoded", 1e-6);
  // Round trip: decoding then encoding every class gives it back.
  auto again = nn::mu_law_encode(decoded);
  for (index_t c = 0; c < 256; ++c) BOOST_TEST_REQUIRE(again(c) == c);
  // Encoding then decoding a sample is within half a quantisation step of mu-law space.
  for (index_t i = 0; i < wave.size(); i += 50) {
    const float x = wave(i), y = nn::mu_law_decode<float>(nn::mu_law_encode(x));
    BOOST_TEST(std::abs(y - x) <= 0.05f * (std::abs(x) + 0.01f) + 1e-4f);
  }
  BOOST_CHECK_THROW(nn::mu_law_decode<float>(256), value_error);
  BOOST_CHECK_THROW(nn::mu_law_encode(std::nanf("")), value_error);
}

BOOST_AUTO_TEST_SUITE_END()
