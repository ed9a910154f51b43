// Optimizers: parameter trajectories equal torch.optim's on a fixed quadratic, option validation.
#include <boost/test/unit_test.hpp>

#include <functional>
#include <sstream>
#include <memory>

#include "cantus/nn/optim/adam.hpp"
#include "cantus/nn/optim/clip.hpp"
#include "cantus/nn/optim/schedule.hpp"
#include "cantus/nn/optim/sgd.hpp"
#include "support.hpp"

using namespace cantus;
using namespace cantus::training_test;

namespace {
// loss = sum((x w + b - t)^2), x [6, 3], w [3, 4], b [4], t [6, 4]; gradients by hand.
struct quadratic {
  tensor<double, 2> x = golden<double, 2>("quad_x"), t = golden<double, 2>("quad_t");
  tensor<double, 2> w = golden<double, 2>("quad_w0"), dw{{3, 4}, 0.0};
  tensor<double, 1> b = golden<double, 1>("quad_b0"), db{{4}, 0.0};
  nn::parameter_list<double> params() {
    return {{"w", tensor_view<double, 1>(w.data(), {12}), tensor_view<double, 1>(dw.data(), {12}), {3, 4}},
            {"b", tensor_view<double, 1>(b.data(), {4}), tensor_view<double, 1>(db.data(), {4}), {4}}};
  }
  void accumulate_gradient() {
    for (index_t n = 0; n < 6; ++n)
      for (index_t j = 0; j < 4; ++j) {
        double pred = b(j) - t(n, j);
        for (index_t i = 0; i < 3; ++i) pred += x(n, i) * w(i, j);
        for (index_t i = 0; i < 3; ++i) dw(i, j) += 2 * pred * x(n, i);
        db(j) += 2 * pred;
      }
  }
};

void follow_torch(const std::string& name, const std::function<std::unique_ptr<nn::optimizer<double>>(nn::parameter_list<double>)>& make) {
  quadratic q;
  auto opt = make(q.params());
  auto traj = golden<double, 2>("optim_" + name);
  for (index_t s = 0; s < traj.extent(0); ++s) {
    opt->zero_grad();
    q.accumulate_gradient();
    opt->step();
    std::vector<double> got(q.w.data(), q.w.data() + 12);
    got.insert(got.end(), q.b.data(), q.b.data() + 4);
    std::vector<double> want(traj[s].data(), traj[s].data() + 16);
    check_close<double>(name + " step " + std::to_string(s + 1), got.data(), want, 1e-12);
  }
  BOOST_TEST(opt->steps() == traj.extent(0));
}
}  // namespace

BOOST_AUTO_TEST_SUITE(optimizers)

BOOST_AUTO_TEST_CASE(sgd_nesterov_matches_torch) {
  follow_torch("sgd_nesterov", [](auto ps) {
    return std::make_unique<nn::sgd<double>>(ps, nn::sgd_options{.lr = 0.05, .momentum = 0.9, .weight_decay = 0.01, .nesterov = true});
  });
}
BOOST_AUTO_TEST_CASE(sgd_dampened_matches_torch) {
  follow_torch("sgd_dampened", [](auto ps) {
    return std::make_unique<nn::sgd<double>>(ps, nn::sgd_options{.lr = 0.03, .momentum = 0.8, .dampening = 0.3});
  });
}
BOOST_AUTO_TEST_CASE(adam_matches_torch) {
  follow_torch("adam", [](auto ps) { return std::make_unique<nn::adam<double>>(ps, nn::adam_options{.lr = 0.05, .weight_decay = 0.1}); });
}
BOOST_AUTO_TEST_CASE(adamw_amsgrad_matches_torch) {
  follow_torch("adamw_amsgrad", [](auto ps) {
    return std::make_unique<nn::adamw<double>>(ps, nn::adamw_options{.lr = 0.05, .weight_decay = 0.05, .amsgrad = true});
  });
}

BOOST_AUTO_TEST_CASE(adam_float_matches_torch_float32) {
  // The same quadratic in float: gradients by hand in float, the update in float like torch's.
  quadratic q;
  tensor<float, 2> x({6, 3}), t({6, 4}), w({3, 4}), dw({3, 4});
  tensor<float, 1> b({4}), db({4});
  for (index_t i = 0; i < 18; ++i) x.data()[i] = float(q.x.data()[i]);
  for (index_t i = 0; i < 24; ++i) t.data()[i] = float(q.t.data()[i]);
  for (index_t i = 0; i < 12; ++i) w.data()[i] = float(q.w.data()[i]);
  for (index_t i = 0; i < 4; ++i) b.data()[i] = float(q.b.data()[i]);
  nn::parameter_list<float> ps{{"w", w.view().flat(), dw.view().flat(), {3, 4}}, {"b", b.view(), db.view(), {4}}};
  nn::adam<float> opt(ps, {.lr = 0.05, .weight_decay = 0.1, .amsgrad = true});
  auto traj = golden<double, 2>("optim_adam_amsgrad_f32");
  for (index_t s = 0; s < traj.extent(0); ++s) {
    opt.zero_grad();
    for (index_t n = 0; n < 6; ++n)
      for (index_t j = 0; j < 4; ++j) {
        float pred = b(j) - t(n, j);
        for (index_t i = 0; i < 3; ++i) pred += x(n, i) * w(i, j);
        for (index_t i = 0; i < 3; ++i) dw(i, j) += 2 * pred * x(n, i);
        db(j) += 2 * pred;
      }
    opt.step();
    std::vector<float> got(w.data(), w.data() + 12);
    got.insert(got.end(), b.data(), b.data() + 4);
    std::vector<double> want(traj[s].data(), traj[s].data() + 16);
    check_close<float>("adam float step " + std::to_string(s + 1), got.data(), want, 1e-5);
  }
}

BOOST_AUTO_TEST_CASE(state_is_enumerable) {
  quadratic q;
  nn::adamw<double> opt(q.params(), {.amsgrad = true});
  auto s = opt.state();
  BOOST_TEST(s.size() == 6u);
  BOOST_TEST(s[0].name == "w.exp_avg");
  BOOST_TEST(s[5].name == "b.max_exp_avg_sq");
  BOOST_TEST(opt.kind() == "adamw");
  BOOST_TEST(opt.options().weight_decay == 1e-2);
  nn::sgd<double> plain(q.params());
  BOOST_TEST(plain.state().empty());
}

BOOST_AUTO_TEST_CASE(state_stream_round_trip_resumes_exactly) {
  quadratic a, b;
  nn::adamw<double> oa(a.params(), {.lr = 0.05, .amsgrad = true});
  for (int s = 0; s < 3; ++s) oa.zero_grad(), a.accumulate_gradient(), oa.step();
  std::stringstream blob;
  oa.save_state(blob);
  std::copy(a.w.data(), a.w.data() + 12, b.w.data());
  std::copy(a.b.data(), a.b.data() + 4, b.b.data());
  nn::adamw<double> ob(b.params(), {.lr = 0.9, .amsgrad = true});
  ob.load_state(blob);
  BOOST_TEST(ob.steps() == 3);
  BOOST_TEST(ob.lr() == 0.05);
  for (int s = 0; s < 3; ++s) {
    oa.zero_grad(), a.accumulate_gradient(), oa.step();
    ob.zero_grad(), b.accumulate_gradient(), ob.step();
  }
  for (index_t i = 0; i < 12; ++i) BOOST_TEST(a.w.data()[i] == b.w.data()[i]);
  // Another kind, other options, a truncated blob: io_errors, nothing changed.
  std::stringstream again;
  oa.save_state(again);
  const std::string bytes = again.str();
  nn::adam<double> other_kind(b.params());
  std::istringstream in1(bytes);
  BOOST_CHECK_THROW(other_kind.load_state(in1), io_error);
  nn::adamw<double> no_ams(b.params());
  std::istringstream in2(bytes);
  BOOST_CHECK_THROW(no_ams.load_state(in2), io_error);
  nn::adamw<double> fresh(b.params(), {.amsgrad = true});
  std::istringstream in3(bytes.substr(0, bytes.size() - 5));
  BOOST_CHECK_THROW(fresh.load_state(in3), io_error);
  BOOST_TEST(fresh.steps() == 0);
}

BOOST_AUTO_TEST_CASE(bad_options_are_value_errors) {
  quadratic q;
  BOOST_CHECK_THROW(nn::sgd<double>(q.params(), {.lr = 0.1, .nesterov = true}), value_error);
  BOOST_CHECK_THROW(nn::sgd<double>(q.params(), {.lr = -1}), value_error);
  BOOST_CHECK_THROW(nn::adam<double>(q.params(), {.beta1 = 1.0}), value_error);
  BOOST_CHECK_THROW(nn::adam<double>(q.params(), {.eps = -1}), value_error);
}

BOOST_AUTO_TEST_CASE(schedules_match_torch_lr_sequences) {
  auto check = [](const std::string& name, const std::function<double(std::int64_t)>& f, double base_lr) {
    auto want = golden_values<double>("sched_" + name);
    std::vector<double> got;
    quadratic q;
    nn::sgd<double> opt(q.params(), {.lr = base_lr});
    nn::lr_scheduler<double> sch(opt, f);
    for (std::size_t e = 0; e < want.size(); ++e) {
      got.push_back(opt.lr());
      opt.step();
      sch.step();
    }
    check_close<double>("schedule " + name, got.data(), want, 1e-12);
  };
  check("step", nn::step_lr{.base_lr = 0.1, .step_size = 4, .gamma = 0.5}, 0.1);
  check("cosine", nn::cosine_annealing{.base_lr = 0.1, .t_max = 20, .eta_min = 0.001}, 0.1);
  check("warmup", nn::linear_warmup{.base_lr = 0.1, .start_factor = 0.1, .end_factor = 1.0, .total_iters = 8}, 0.1);
  check("noam", nn::noam{.base_lr = 2.0, .d_model = 512, .warmup = 6}, 2.0);
  BOOST_CHECK_THROW((nn::step_lr{.base_lr = 0.1, .step_size = 0})(3), value_error);
}

BOOST_AUTO_TEST_CASE(clip_grad_norm_matches_torch) {
  for (double max_norm : {1.0, 100.0}) {
    tensor<double, 1> w1({12}, 0.0), w2({5}, 0.0);
    auto g1 = golden<double, 2>("clip_g1");
    auto g2 = golden<double, 1>("clip_g2");
    nn::parameter_list<double> ps{{"a", w1.view(), tensor_view<double, 1>(g1.data(), {12}), {3, 4}},
                                  {"b", w2.view(), g2.view(), {5}}};
    const double total = nn::clip_grad_norm(ps, max_norm);
    std::vector<double> got{total};
    got.insert(got.end(), g1.data(), g1.data() + 12);
    got.insert(got.end(), g2.data(), g2.data() + 5);
    std::ostringstream tag;
    tag << "clip_" << max_norm;
    check_close<double>(tag.str(), got.data(), golden_values<double>(tag.str()), 1e-12);
  }
  tensor<float, 1> w({2}, 0.f), g({2}, {std::nanf(""), 1.f});
  nn::parameter_list<float> ps{{"w", w.view(), g.view(), {2}}};
  BOOST_CHECK_THROW(nn::clip_grad_norm(ps, 1.0, true), value_error);
}

BOOST_AUTO_TEST_SUITE_END()
