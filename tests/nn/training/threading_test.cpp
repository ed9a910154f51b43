// Big layers split the batch into blocks that threads step through the sequence on their own (and
// the all-step GEMMs into row blocks). The multi-threaded path must equal the single-threaded one,
// which the PyTorch goldens pin down, for any thread count (uneven blocks with 3 threads).
#include <boost/test/unit_test.hpp>

#include <omp.h>

#include "cantus/nn/rnn/gru.hpp"
#include "cantus/nn/rnn/lstm.hpp"
#include "support.hpp"

using namespace cantus;

namespace {
struct run_result {
  std::vector<double> y, h, dx, dh0, grads;
};

// Work large enough for threads (rnn_detail::for_batch_blocks).
constexpr index_t B = 16, Tn = 3, I = 5, H = 256;

template <class Layer>
run_result run(int threads) {
  const int keep = omp_get_max_threads();
  omp_set_num_threads(threads);
  Layer m({.input_size = I, .hidden_size = H});
  m.init(random_stream(21));
  random_stream rs(4);
  tensor<double, 3> x({B, Tn, I}), y({B, Tn, H}), dy({B, Tn, H}), dx({B, Tn, I});
  tensor<double, 2> h0({B, H}), hn({B, H}), dhn({B, H}), dh0({B, H});
  for (index_t i = 0; i < x.size(); ++i) x.data()[i] = rs.normal(i);
  for (index_t i = 0; i < dy.size(); ++i) dy.data()[i] = rs.split(1).normal(i);
  for (index_t i = 0; i < h0.size(); ++i) h0.data()[i] = 0.5 * rs.split(2).normal(i), dhn.data()[i] = rs.split(3).normal(i);
  if constexpr (std::is_same_v<Layer, nn::gru<double>>) {
    m.forward(x, h0, y, hn);
    m.backward(dy, dhn, dx, dh0);
  } else {
    m.forward(x, h0, h0, y, hn, {});
    m.backward(dy, dhn, dhn, dx, dh0, {});
  }
  omp_set_num_threads(keep);
  run_result r{y.to_vector(), hn.to_vector(), dx.to_vector(), dh0.to_vector(), {}};
  for (auto& p : m.parameters()) r.grads.insert(r.grads.end(), p.grad.data(), p.grad.data() + p.grad.size());
  return r;
}

template <class Layer>
void same_for_any_thread_count(const char* name) {
  auto one = run<Layer>(1), two = run<Layer>(2), three = run<Layer>(3);
  for (auto* other : {&two, &three}) {
    training_test::check_close<double>(std::string(name) + " y", other->y.data(), one.y, 1e-12);
    training_test::check_close<double>(std::string(name) + " h_n", other->h.data(), one.h, 1e-12);
    training_test::check_close<double>(std::string(name) + " dx", other->dx.data(), one.dx, 1e-12);
    training_test::check_close<double>(std::string(name) + " dh0", other->dh0.data(), one.dh0, 1e-12);
    training_test::check_close<double>(std::string(name) + " weight gradients", other->grads.data(), one.grads, 1e-12);
  }
}
}  // namespace

BOOST_AUTO_TEST_SUITE(threading)

BOOST_AUTO_TEST_CASE(gru_blocks_equal_single_thread) { same_for_any_thread_count<nn::gru<double>>("gru"); }
BOOST_AUTO_TEST_CASE(lstm_blocks_equal_single_thread) { same_for_any_thread_count<nn::lstm<double>>("lstm"); }

BOOST_AUTO_TEST_SUITE_END()
