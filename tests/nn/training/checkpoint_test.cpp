// Checkpoints: an exact round trip that resumes training bit-for-bit, and every corruption case as
// an io_error naming the file and the problem, with the model left untouched.
#include <boost/test/unit_test.hpp>

#include <cantus_test.hpp>
#include <filesystem>
#include <fstream>

#include "cantus/nn/checkpoint.hpp"
#include "cantus/nn/loss/mse.hpp"
#include "cantus/nn/optim/adam.hpp"
#include "cantus/nn/optim/sgd.hpp"
#include "cantus/nn/rnn/gru.hpp"
#include "support.hpp"

using namespace cantus;
namespace fs = std::filesystem;

namespace {
// One training step of a GRU regressing its input's running sum; returns the loss.
float train_step(nn::gru<float>& g, nn::optimizer<float>& opt, index_t step) {
  const index_t B = 2, Tn = 6;
  tensor<float, 3> x({B, Tn, 1}), y({B, Tn, 4}), target({B, Tn, 4}, 0.f);
  random_stream rs(100 + std::uint64_t(step));
  for (index_t i = 0; i < x.size(); ++i) x.data()[i] = float(rs.normal(i));
  for (index_t b = 0; b < B; ++b)
    for (index_t t = 0, acc = 0; t < Tn; ++t) target(b, t, 0) = (acc += 1) * 0.1f * x(b, t, 0);
  g.forward(x, {}, y);
  auto l = nn::mse_loss(y, target);
  opt.zero_grad();
  g.backward(l.grad, {}, {});
  opt.step();
  return l.value;
}

std::vector<char> read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write_all(const fs::path& p, const std::vector<char>& b) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(b.data(), std::streamsize(b.size()));
}

// Runs `f`, expects an io_error whose message names the file and contains `problem`.
template <class F>
void expect_io_error(const fs::path& file, const std::string& problem, F&& f) {
  try {
    f();
    BOOST_ERROR("no io_error for: " << problem);
  } catch (const io_error& e) {
    const std::string m = e.what();
    BOOST_TEST(m.find(file.string()) != std::string::npos, m);
    BOOST_TEST(m.find(problem) != std::string::npos, "'" << problem << "' not in: " << m);
  }
}
}  // namespace

BOOST_AUTO_TEST_SUITE(checkpoint)

BOOST_AUTO_TEST_CASE(crc32_is_the_ieee_crc) {
  const char* s = "123456789";
  BOOST_TEST(nn::crc32(s, 9) == 0xCBF43926u);  // the standard check value
}

BOOST_AUTO_TEST_CASE(round_trip_resumes_training_bit_for_bit) {
  const auto dir = testing::scratch_dir("checkpoint_round_trip");
  nn::gru<float> a({.input_size = 1, .hidden_size = 4});
  nn::adam<float> opt_a(a.parameters(), {.lr = 0.01, .amsgrad = true});
  for (index_t s = 0; s < 3; ++s) train_step(a, opt_a, s);
  nn::save_checkpoint(dir / "gru.ckpt", a, &opt_a, {.step = 3, .epoch = 1, .scalars = {{"best_loss", 0.25}}});

  nn::gru<float> b({.input_size = 1, .hidden_size = 4});
  b.init(random_stream(99));
  nn::adam<float> opt_b(b.parameters(), {.lr = 0.5, .amsgrad = true});
  auto counters = nn::load_checkpoint(dir / "gru.ckpt", b, &opt_b);
  BOOST_TEST(counters.step == 3);
  BOOST_TEST(counters.epoch == 1);
  BOOST_TEST(counters.scalars.at("best_loss") == 0.25);
  BOOST_TEST(opt_b.lr() == 0.01);
  BOOST_TEST(opt_b.steps() == 3);
  // Weights alone (no optimizer) load too, e.g. for evaluation.
  nn::gru<float> c({.input_size = 1, .hidden_size = 4});
  nn::load_checkpoint(dir / "gru.ckpt", c);
  BOOST_TEST(c.weight_hh(1, 2) == b.weight_hh(1, 2));
  BOOST_TEST(c.bias_ih(3) == a.bias_ih(3));
  for (index_t s = 3; s < 6; ++s) BOOST_TEST(train_step(a, opt_a, s) == train_step(b, opt_b, s));
  auto pa = a.parameters(), pb = b.parameters();
  for (std::size_t i = 0; i < pa.size(); ++i)
    for (index_t k = 0; k < pa[i].value.size(); ++k) BOOST_TEST_REQUIRE(pa[i].value.data()[k] == pb[i].value.data()[k]);
}

BOOST_AUTO_TEST_CASE(every_corruption_is_a_clear_error_and_leaves_the_model_alone) {
  const auto dir = testing::scratch_dir("checkpoint_corruption");
  const fs::path good = dir / "good.ckpt";
  nn::gru<double> g({.input_size = 2, .hidden_size = 3});
  nn::sgd<double> sgd(g.parameters(), {.lr = 0.1, .momentum = 0.9});
  nn::save_checkpoint(good, g, &sgd, {.step = 7});
  const auto bytes = read_all(good);

  nn::gru<double> other({.input_size = 2, .hidden_size = 3});
  other.init(random_stream(5));
  const double before = other.weight_ih(0, 0);

  // A different model type.
  nn::gru<double> bigger({.input_size = 2, .hidden_size = 5});
  expect_io_error(good, "was saved from model 'gru(2->3)' but is being loaded into model 'gru(2->5)'",
                  [&] { nn::load_checkpoint(good, bigger); });
  // Same signature string but a missing parameter / a shape mismatch / an unexpected parameter.
  auto target = nn::checkpoint_target_of(other);
  auto missing = target;
  missing.parameters.push_back(missing.parameters[0]);
  missing.parameters.back().name = "extra.weight";
  expect_io_error(good, "has no parameter 'extra.weight'", [&] { nn::load_checkpoint(good, missing); });
  auto reshaped = target;
  reshaped.parameters[1].shape = {3, 9};
  expect_io_error(good, "parameter 'weight_hh_l0': the model expects shape [3, 9] but the checkpoint holds [9, 3]",
                  [&] { nn::load_checkpoint(good, reshaped); });
  auto fewer = target;
  fewer.parameters.pop_back();
  expect_io_error(good, "holds parameter 'bias_hh_l0' that the model does not have", [&] { nn::load_checkpoint(good, fewer); });
  // Optimizer of another kind or other options.
  nn::adam<double> adam(other.parameters());
  expect_io_error(good, "optimizer 'sgd' but is being loaded into optimizer 'adam'", [&] { nn::load_checkpoint(good, other, &adam); });
  nn::sgd<double> plain(other.parameters(), {.lr = 0.1});
  expect_io_error(good, "optimizer state tensors", [&] { nn::load_checkpoint(good, other, &plain); });
  // A float model reading a double checkpoint.
  nn::gru<float> single({.input_size = 2, .hidden_size = 3});
  expect_io_error(good, "holds float64 tensors but the model is float32", [&] { nn::load_checkpoint(good, single); });

  // Damaged files.
  const fs::path bad = dir / "bad.ckpt";
  auto truncated = bytes;
  truncated.resize(bytes.size() - 10);
  write_all(bad, truncated);
  expect_io_error(bad, "is truncated", [&] { nn::load_checkpoint(bad, other); });
  truncated.resize(12);
  write_all(bad, truncated);
  expect_io_error(bad, "is truncated", [&] { nn::load_checkpoint(bad, other); });
  auto flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x10;
  write_all(bad, flipped);
  expect_io_error(bad, "CRC-32 mismatch", [&] { nn::load_checkpoint(bad, other); });
  auto longer = bytes;
  longer.push_back('x');
  write_all(bad, longer);
  expect_io_error(bad, "trailing data", [&] { nn::load_checkpoint(bad, other); });
  auto magic = bytes;
  magic[0] = 'X';
  write_all(bad, magic);
  expect_io_error(bad, "not a cantus checkpoint", [&] { nn::load_checkpoint(bad, other); });
  auto future = bytes;
  future[8] = 2;
  write_all(bad, future);
  expect_io_error(bad, "format version 2", [&] { nn::load_checkpoint(bad, other); });
  expect_io_error(dir / "absent.ckpt", "no such file", [&] { nn::load_checkpoint(dir / "absent.ckpt", other); });

  BOOST_TEST(other.weight_ih(0, 0) == before);  // no failed load touched the model
  auto ok = nn::load_checkpoint(good, other, &sgd);
  BOOST_TEST(ok.step == 7);
  BOOST_TEST(other.weight_ih(0, 0) == g.weight_ih(0, 0));
}

BOOST_AUTO_TEST_CASE(writes_are_atomic_and_leave_no_temporaries) {
  const auto dir = testing::scratch_dir("checkpoint_atomic");
  nn::gru<float> g({.input_size = 1, .hidden_size = 2});
  nn::save_checkpoint(dir / "a.ckpt", g);
  nn::save_checkpoint(dir / "a.ckpt", g);  // overwrite in place
  index_t files = 0;
  for (auto& e : fs::directory_iterator(dir)) {
    files += 1;
    BOOST_TEST(e.path().filename() == "a.ckpt");
  }
  BOOST_TEST(files == 1);
}

BOOST_AUTO_TEST_SUITE_END()
