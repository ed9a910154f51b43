// Checkpoints: an exact round trip that resumes training bit-for-bit, every section of the format,
// files of version 1, and every corruption case as an io_error naming the file and the problem, with
// the model left untouched.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cantus_test.hpp>
#include <cstring>
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
  future[8] = 3;
  write_all(bad, future);
  expect_io_error(bad, "format version 3; this build reads versions 1 to 2 (it was written by a newer cantus)",
                  [&] { nn::load_checkpoint(bad, other); });
  expect_io_error(dir / "absent.ckpt", "no such file", [&] { nn::load_checkpoint(dir / "absent.ckpt", other); });

  BOOST_TEST(other.weight_ih(0, 0) == before);  // no failed load touched the model
  auto ok = nn::load_checkpoint(good, other, &sgd);
  BOOST_TEST(ok.step == 7);
  BOOST_TEST(other.weight_ih(0, 0) == g.weight_ih(0, 0));
}

// A file written by nn::save_checkpoint in format version 1 (cantus at 81b0cf9, a GRU(1->4) and its
// AMSGrad Adam after three train_steps). Its weights came from that machine's kernels, so the checks
// compare it with itself: what it loads is what it holds, saved again it is the same checkpoint in
// version 2, and training continues alike from either file.
BOOST_AUTO_TEST_CASE(version_1_files_are_read) {
  const auto dir = testing::scratch_dir("checkpoint_v1");
  const fs::path v1 = fs::path(CANTUS_NN_GOLDEN_DIR) / "checkpoint_v1_gru.ckpt";
  const auto old = nn::read_checkpoint(v1);
  BOOST_TEST(old.version == 1u);
  nn::gru<float> a({.input_size = 1, .hidden_size = 4});
  a.init(random_stream(99));
  nn::adam<float> opt_a(a.parameters(), {.lr = 0.5, .amsgrad = true});
  const auto counters = nn::load_checkpoint(v1, a, &opt_a);
  BOOST_TEST(counters.step == 3);
  BOOST_TEST(counters.epoch == 1);
  BOOST_TEST(counters.scalars.at("best_loss") == 0.25);
  BOOST_TEST(opt_a.steps() == 3);
  BOOST_TEST(opt_a.lr() == 0.01);
  BOOST_TEST_REQUIRE(old.parameters.size() == 4u);
  BOOST_TEST(std::memcmp(a.weight_hh.data(), old.parameters[1].data.data(), old.parameters[1].data.size()) == 0);

  nn::save_checkpoint(dir / "v2.ckpt", a, &opt_a, counters);
  const auto now = nn::read_checkpoint(dir / "v2.ckpt");
  BOOST_TEST(now.version == nn::checkpoint_version);
  BOOST_TEST(now.signature == old.signature);
  for (std::size_t i = 0; i < old.parameters.size(); ++i) {
    BOOST_TEST(now.parameters[i].name == old.parameters[i].name);
    BOOST_TEST((now.parameters[i].shape == old.parameters[i].shape));
    BOOST_TEST((now.parameters[i].data == old.parameters[i].data));
  }
  BOOST_TEST_REQUIRE(now.optimizer->state.size() == old.optimizer->state.size());
  for (std::size_t i = 0; i < old.optimizer->state.size(); ++i)
    BOOST_TEST((now.optimizer->state[i].data == old.optimizer->state[i].data));

  nn::gru<float> b({.input_size = 1, .hidden_size = 4});
  nn::adam<float> opt_b(b.parameters(), {.lr = 0.5, .amsgrad = true});
  nn::load_checkpoint(dir / "v2.ckpt", b, &opt_b);
  for (index_t s = 3; s < 6; ++s) BOOST_TEST(train_step(a, opt_a, s) == train_step(b, opt_b, s));
  auto pa = a.parameters(), pb = b.parameters();
  for (std::size_t i = 0; i < pa.size(); ++i)
    for (index_t k = 0; k < pa[i].value.size(); ++k) BOOST_TEST_REQUIRE(pa[i].value.data()[k] == pb[i].value.data()[k]);
}

// Every section of the format survives write and read: tensors of both kinds, the optimizer,
// the states objects write themselves, and the trainer's record with its history.
BOOST_AUTO_TEST_CASE(every_section_round_trips) {
  const auto dir = testing::scratch_dir("checkpoint_sections");
  nn::checkpoint_file c;
  c.signature = "model(2)";
  c.element_type = "float64";
  c.counters = {.step = 9, .epoch = -2, .scalars = {{"a", 1.5}, {"b", -0.0}}};
  const auto tensor_of = [](std::string name, std::vector<index_t> shape, std::vector<double> v) {
    nn::stored_tensor t{std::move(name), std::move(shape), std::vector<char>(v.size() * sizeof(double))};
    if (!v.empty()) std::memcpy(t.data.data(), v.data(), t.data.size());
    return t;
  };
  c.parameters = {tensor_of("w", {1, 2}, {1, 2}), tensor_of("empty", {0, 3}, {})};
  c.buffers = {tensor_of("running_mean", {1}, {0.5})};
  c.optimizer = nn::stored_optimizer{"adam", 1e-3, 4, {tensor_of("w.exp_avg", {2}, {3, 4})}};
  c.states = {{"model", std::string("\0\1binary", 8)}, {"empty", ""}};
  c.training = nn::stored_training{1ull << 63, 3, 1, 0.25, {{1, 2.0, 1.5, 0.1, 10}, {2, 1.0, 0.75, 0.2, 20}}};
  nn::write_checkpoint(dir / "all.ckpt", c);
  const auto r = nn::read_checkpoint(dir / "all.ckpt");
  BOOST_TEST(r.version == nn::checkpoint_version);
  BOOST_TEST(r.signature == c.signature);
  BOOST_TEST(r.element_type == c.element_type);
  BOOST_TEST(r.counters.step == 9);
  BOOST_TEST(r.counters.epoch == -2);
  BOOST_TEST((r.counters.scalars == c.counters.scalars));
  const auto same = [](const std::vector<nn::stored_tensor>& x, const std::vector<nn::stored_tensor>& y) {
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (x[i].name != y[i].name || x[i].shape != y[i].shape || x[i].data != y[i].data) return false;
    return true;
  };
  BOOST_TEST(same(r.parameters, c.parameters));
  BOOST_TEST(same(r.buffers, c.buffers));
  BOOST_TEST_REQUIRE(r.optimizer.has_value());
  BOOST_TEST(r.optimizer->kind == "adam");
  BOOST_TEST(r.optimizer->lr == 1e-3);
  BOOST_TEST(r.optimizer->steps == 4);
  BOOST_TEST(same(r.optimizer->state, c.optimizer->state));
  BOOST_TEST((r.states == c.states));
  BOOST_TEST_REQUIRE(r.training.has_value());
  BOOST_TEST(r.training->seed == c.training->seed);
  BOOST_TEST(r.training->best_epoch == 3);
  BOOST_TEST(r.training->bad_epochs == 1);
  BOOST_TEST(r.training->best_validation_loss == 0.25);
  BOOST_TEST_REQUIRE(r.training->history.size() == 2u);
  BOOST_TEST(r.training->history[1].epoch == 2);
  BOOST_TEST(r.training->history[1].validation_loss == 0.75);
  BOOST_TEST(r.training->history[1].items_per_second == 20);
  // Tensors in a type the format does not know cannot be written.
  c.element_type = "int8";
  BOOST_CHECK_THROW(nn::write_checkpoint(dir / "int8.ckpt", c), value_error);
}

// A layer checkpoint and a trainer checkpoint are the same format holding different things; each
// loader says which it found instead of a confusing mismatch.
BOOST_AUTO_TEST_CASE(layer_and_trainer_checkpoints_are_told_apart) {
  const auto dir = testing::scratch_dir("checkpoint_kinds");
  nn::gru<float> g({.input_size = 1, .hidden_size = 2});
  nn::save_checkpoint(dir / "layer.ckpt", g);
  expect_io_error(dir / "layer.ckpt", "holds tensors but no trainer state",
                  [&] { nn::training_checkpoint::load(dir / "layer.ckpt"); });
  nn::training_checkpoint t;
  t.model = "m", t.optimizer = "o";
  t.save(dir / "trainer.ckpt");
  expect_io_error(dir / "trainer.ckpt", "holds a trainer's state", [&] { nn::load_checkpoint(dir / "trainer.ckpt", g); });
  const auto back = nn::training_checkpoint::load(dir / "trainer.ckpt");
  BOOST_TEST(back.model == "m");
  BOOST_TEST(back.best_model.empty());
}

// Found by tests/fuzz (fuzz_trainer_checkpoint, in the trainer's former format): a size field of a few
// bytes' damage made the reader allocate its whole claim (up to 1 TB) before reading. Every size is now
// checked against the bytes left first; with the checksum repaired the file reaches that check.
BOOST_AUTO_TEST_CASE(a_damaged_size_field_is_a_clear_error_not_an_allocation) {
  const auto dir = testing::scratch_dir("checkpoint_size_field");
  nn::training_checkpoint t;
  t.model = "weights";
  t.save(dir / "good.ckpt");
  auto b = read_all(dir / "good.ckpt");
  const std::string name("\5\0\0\0model", 9);
  const auto at = std::search(b.begin(), b.end(), name.begin(), name.end()) - b.begin() + 9;
  const std::uint64_t huge = std::uint64_t(1) << 40;
  std::memcpy(b.data() + at, &huge, sizeof huge);
  const std::uint32_t crc = nn::crc32(b.data(), b.size() - 4);
  std::memcpy(b.data() + b.size() - 4, &crc, sizeof crc);
  write_all(dir / "damaged.ckpt", b);
  expect_io_error(dir / "damaged.ckpt", "is malformed: state runs past the end of the data",
                  [&] { nn::training_checkpoint::load(dir / "damaged.ckpt"); });
  auto count = read_all(dir / "good.ckpt");  // the history length, the last field before the CRC
  const std::uint32_t many = 1u << 31;
  std::memcpy(count.data() + count.size() - 8, &many, sizeof many);
  const std::uint32_t crc2 = nn::crc32(count.data(), count.size() - 4);
  std::memcpy(count.data() + count.size() - 4, &crc2, sizeof crc2);
  write_all(dir / "damaged.ckpt", count);
  expect_io_error(dir / "damaged.ckpt", "history claims 2147483648 entries, more than the file holds",
                  [&] { nn::training_checkpoint::load(dir / "damaged.ckpt"); });
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
