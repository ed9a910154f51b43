// The CUDA backend against the CPU backend (parity.hpp): the same layer, loss, optimizer or model,
// the same seed and inputs, on both; the differences are judged in parity_test.cpp. Both sides are one
// template, compiled by the host compiler against the CUDA kernels compiled once
// (nn/cuda_compiled.cu); run only where a device exists.
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <span>

#include "cantus/backend/cuda/cuda_backend.hpp"
#include "cantus/models.hpp"
#include "cantus/nn/layers/layers.hpp"
#include "cantus/nn/loss/capacity.hpp"
#include "cantus/nn/loss/cross_entropy.hpp"
#include "cantus/nn/loss/kl.hpp"
#include "cantus/nn/loss/mse.hpp"
#include "cantus/nn/optim/adam.hpp"
#include "cantus/nn/optim/clip.hpp"
#include "cantus/nn/optim/sgd.hpp"
#include "cantus/nn/rnn/gru.hpp"
#include "cantus/nn/rnn/lstm.hpp"
#include "parity.hpp"
#if CANTUS_TEST_DOCS_ENTRY
// The model entry docs/models.md shows (extracted by tests/models/CMakeLists.txt), compiled here by
// nvcc and trained on cuda, as test_models compiles it for the CPU.
#include "app/registry.hpp"
#include "deep_vae.hpp"
namespace paper::entries {
#include "docs_models_entry.hpp"
}  // namespace paper::entries
#endif

namespace cantus::cuda_test {
namespace {

using models::detail::cview;

// Uniform in [lo, hi), or class indices in [0, classes) when classes > 0.
std::vector<float> host_values(std::size_t n, std::uint64_t seed, float lo = -1.f, float hi = 1.f, index_t classes = 0) {
  random_stream r(seed, 77);
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i)
    v[i] = classes > 0 ? float(r.below(i, std::uint64_t(classes))) : lo + (hi - lo) * r.uniform(i);
  return v;
}
template <class T, class B>
std::vector<float> to_host(const tensor_view<T, 1, B>& v) {
  std::vector<float> h(static_cast<std::size_t>(v.size()));
  backend_ops<B>::download(h.data(), v.data(), h.size());
  return h;
}

// max |gpu - cpu| / max |cpu| into p when it is the worst so far. A value that is not finite on
// either side (every case feeds finite inputs in [-1, 1], so none should appear) or a size mismatch
// is infinitely bad: a NaN on both sides is a failure, not a match.
void judge(parity& p, const std::string& where, const std::vector<float>& gpu, const std::vector<float>& cpu) {
  constexpr double bad = std::numeric_limits<double>::infinity();
  double scale = 0, diff = 0;
  if (gpu.size() != cpu.size()) diff = bad;
  for (std::size_t i = 0; i < std::min(gpu.size(), cpu.size()); ++i) {
    if (!std::isfinite(gpu[i]) || !std::isfinite(cpu[i])) {
      diff = bad;
      continue;
    }
    scale = std::max(scale, std::abs(double(cpu[i])));
    diff = std::max(diff, std::abs(double(gpu[i]) - double(cpu[i])));
  }
  const double r = diff == 0 ? 0 : diff / std::max(scale, 1e-30);
  if (p.where.empty() || r > p.worst) p.worst = r, p.where = where;
}
void judge(parity& p, const std::string& where, double gpu, double cpu) {
  judge(p, where, std::vector<float>{float(gpu)}, std::vector<float>{float(cpu)});
}

// One forward (training mode unless told) and backward of a layer built the same way on both backends.
template <class Lc, class Lg>
parity layer_case(const std::string& what, Lc& lc, Lg& lg, const shape_t<Lc::in_rank>& in, std::uint64_t seed,
                  index_t classes = 0, bool training = true, double tolerance = 1e-5) {
  parity p{what, "", 0, tolerance};
  lc.init(random_stream(seed));
  lg.init(random_stream(seed));
  const auto xv = host_values(static_cast<std::size_t>(element_count(in)), seed + 1, -1.f, 1.f, classes);
  const tensor<float, Lc::in_rank> xc(in, std::span<const float>(xv));
  const tensor<float, Lg::in_rank, cuda> xg(in, std::span<const float>(xv));
  const auto yc = nn::forward(lc, cview(xc), training);
  const auto yg = nn::forward(lg, cview(xg), training);
  judge(p, "y", yg.to_vector(), yc.to_vector());
  const auto dyv = host_values(static_cast<std::size_t>(yc.size()), seed + 2);
  const tensor<float, Lc::out_rank> dyc(yc.shape(), std::span<const float>(dyv));
  const tensor<float, Lg::out_rank, cuda> dyg(yc.shape(), std::span<const float>(dyv));
  auto pc = nn::parameters_of(lc);
  auto pg = nn::parameters_of(lg);
  nn::zero_grad(pc);
  nn::zero_grad(pg);
  tensor<float, Lc::in_rank> dxc(in);
  tensor<float, Lg::in_rank, cuda> dxg(in);
  const bool want_dx = classes == 0;  // class indices have no gradient
  lc.backward(cview(xc), cview(yc), cview(dyc), want_dx ? dxc.view() : tensor_view<float, Lc::in_rank>());
  lg.backward(cview(xg), cview(yg), cview(dyg), want_dx ? dxg.view() : tensor_view<float, Lg::in_rank, cuda>());
  if (want_dx) judge(p, "dx", dxg.to_vector(), dxc.to_vector());
  for (std::size_t i = 0; i < pc.size(); ++i) judge(p, "grad " + pc[i].name, to_host(pg[i].grad), to_host(pc[i].grad));
  auto bc = nn::buffers_of(lc);
  auto bg = nn::buffers_of(lg);
  for (std::size_t i = 0; i < bc.size(); ++i) judge(p, "buffer " + bc[i].name, to_host(bg[i].value), to_host(bc[i].value));
  return p;
}

template <template <class, class> class L, class... Args>
parity same_layer(const std::string& what, const shape_t<L<float, cpu>::in_rank>& in, std::uint64_t seed, Args... args) {
  L<float, cpu> lc(args...);
  L<float, cuda> lg(args...);
  return layer_case(what, lc, lg, in, seed);
}

// The models' batches, as the paper registry's synthetic ones (that registry belongs to the paper
// component, which this test does not link).
template <std::size_t R>
tensor<float, R> normal(const shape_t<R>& s, std::uint64_t seed, float scale = 1.f) {
  tensor<float, R> t(s);
  const random_stream r(seed);
  for (index_t i = 0; i < t.size(); ++i) t.data()[i] = scale * static_cast<float>(r.normal(std::uint64_t(i)));
  return t;
}
tensor<index_t, 1> labels(index_t n, index_t classes, std::uint64_t seed) {
  tensor<index_t, 1> y({n});
  const random_stream r(seed);
  for (index_t i = 0; i < n; ++i) y.data()[i] = static_cast<index_t>(r.below(std::uint64_t(i), std::uint64_t(classes)));
  return y;
}
// The five models at the sizes of the paper programs' quick preset (examples/paper/app/presets.hpp),
// with its batch sizes.
struct small_models {
  models::naive_seq2seq_config naive_seq2seq{.chunk_samples = 256, .hidden = 16};
  models::step_vae_config step_vae{.channels = {16, 32, 32}, .latent = 32, .capacity_anneal_steps = 500};
  models::seq2seq_mel_config seq2seq_mel{.frames = 32, .hidden = 64};
  models::wavenet_config wavenet{.residual = 16, .skip = 32, .stacks = 1, .layers_per_stack = 6, .chunk_samples = 512};
  models::supervised_cnn_config supervised_cnn{.frames = 64, .channels = {8, 16, 32, 32}};
  static constexpr index_t naive_batch = 32, vae_batch = 128, mel_batch = 16, wavenet_batch = 2, cnn_batch = 32;
};
const small_models& quick() {
  static const small_models c;
  return c;
}
auto naive_batch() { return normal<2>({small_models::naive_batch, quick().naive_seq2seq.chunk_samples}, 11, 0.1f); }
auto vae_batch() { return normal<3>({small_models::vae_batch, 1, quick().step_vae.n_mels}, 12); }
auto mel_batch() { return normal<3>({small_models::mel_batch, quick().seq2seq_mel.frames, quick().seq2seq_mel.n_mels}, 13); }
auto wavenet_batch() {
  const auto& c = quick().wavenet;
  const index_t n = small_models::wavenet_batch;
  models::wavenet_batch<> b{tensor<index_t, 2>({n, c.chunk_samples + 1}),
                            normal<3>({n, c.n_mels, c.chunk_samples / c.hop_length + 1}, 14)};
  const random_stream r(15);
  for (index_t i = 0; i < b.q.size(); ++i) b.q.data()[i] = static_cast<index_t>(r.below(std::uint64_t(i), std::uint64_t(c.classes)));
  return b;
}
auto cnn_batch() {
  const auto& c = quick().supervised_cnn;
  const index_t n = small_models::cnn_batch;
  return models::labelled_chunks<>{normal<4>({n, 1, c.n_mels, c.frames}, 16), labels(n, c.genres, 17)};
}

// The batch with every value moved by one float ulp (up and down alternately): a perturbation of the
// size of a rounding difference, to measure how far a model's own training amplifies one.
template <std::size_t R>
tensor<float, R> nudged(tensor<float, R> t) {
  for (index_t i = 0; i < t.size(); ++i) t.data()[i] = std::nextafter(t.data()[i], i % 2 ? 1e30f : -1e30f);
  return t;
}
models::wavenet_batch<> nudged(models::wavenet_batch<> b) {
  b.mel = nudged(std::move(b.mel));
  return b;
}
models::labelled_chunks<> nudged(models::labelled_chunks<> b) {
  b.x = nudged(std::move(b.x));
  return b;
}

// A few Adam steps of a model on each backend from the same seed and batch: the loss of every step
// and the validation loss within `tolerance`; the embedding after the steps within the larger of
// `tolerance` and three times what a one-ulp nudge of the batch moves the CPU's own embedding. Adam's
// first updates are about lr * sign(gradient) whatever the gradient's size, so a gradient near zero
// whose sign rounding flips moves its weight by 2 lr; through ReLU and max-pool ties (the CNN) such
// weights are many, and the CPU differs from itself by as much as from the GPU (measured on an H200:
// the CNN's embedding 0.0064 from the CPU's, the CPU's 0.0082 from its nudged self).
template <template <class> class M, class Config, class Batch>
std::vector<parity> model_case(const char* name, const Config& cfg, const Batch& batch, int steps, double tolerance) {
  M<cpu> mc(cfg, 7), mn(cfg, 7);
  M<cuda> mg(cfg, 7);
  const auto batch_g = models::to_backend<cuda>(batch);
  const auto batch_n = nudged(batch);
  nn::adam<float, cpu> oc(mc.parameters(), {.lr = 1e-3});
  nn::adam<float, cpu> on(mn.parameters(), {.lr = 1e-3});
  nn::adam<float, cuda> og(mg.parameters(), {.lr = 1e-3});
  parity p{std::string(name) + " (" + std::to_string(steps) + " Adam steps)", "", 0, tolerance};
  for (int s = 0; s < steps; ++s) {
    oc.zero_grad();
    on.zero_grad();
    og.zero_grad();
    const models::step_info info{5, 0, s, true};
    const double lc = mc.loss_and_backward(batch, info);
    mn.loss_and_backward(batch_n, info);
    const double lg = mg.loss_and_backward(batch_g, info);
    judge(p, "step " + std::to_string(s) + " loss", lg, lc);
    oc.step();
    on.step();
    og.step();
  }
  judge(p, "validation loss", mg.validation_loss(batch_g), mc.validation_loss(batch));
  const auto ec = mc.encode(batch).to_vector();
  parity self{"", "", 0, 0};
  judge(self, "embedding", mn.encode(batch_n).to_vector(), ec);
  std::ostringstream what;
  what << name << " embedding after " << steps << " Adam steps (a one-ulp nudge moves the CPU's by " << self.worst << ")";
  parity e{what.str(), "", 0, std::max(tolerance, 3 * self.worst)};
  judge(e, "embedding", mg.encode(batch_g).to_vector(), ec);
  return {p, e};
}

template <template <class> class M, class Config>
parity checkpoint_case(const char* name, const Config& cfg) {
  M<cpu> a(cfg, 3), back(cfg, 4);
  M<cuda> g(cfg, 5);
  std::stringstream s1, s2;
  a.save_state(s1);
  g.load_state(s1);  // cpu -> cuda
  g.save_state(s2);
  back.load_state(s2);  // cuda -> cpu
  parity p{std::string(name) + " checkpoint cpu -> cuda -> cpu", "", 0, 0.0};
  auto pa = a.parameters();
  auto pg = g.parameters();
  auto pb = back.parameters();
  for (std::size_t i = 0; i < pa.size(); ++i) {
    judge(p, "cuda " + pa[i].name, to_host(pg[i].value), to_host(pa[i].value));
    judge(p, "back " + pa[i].name, to_host(pb[i].value), to_host(pa[i].value));
  }
  return p;
}

}  // namespace

std::vector<parity> layer_parity() {
  std::vector<parity> out;
  out.push_back(same_layer<nn::linear>("linear 5->3", {4, 5}, 1, nn::linear_config{5, 3}));
  out.push_back(same_layer<nn::linear>("linear 6->4 without bias", {3, 6}, 2, nn::linear_config{6, 4, false}));
  {
    nn::conv1d<float, cpu, 2, 3, 4, 2, 1> c;
    nn::conv1d<float, cuda, 2, 3, 4, 2, 1> g;
    out.push_back(layer_case("conv1d 2->3 k4 s2 p1 (step-VAE)", c, g, {2, 2, 32}, 3));
  }
  {
    const nn::conv1d_config cfg{.in_channels = 3, .out_channels = 2, .kernel_size = 3, .stride = 1, .padding = 2, .dilation = 2};
    nn::conv1d<float> c(cfg);
    nn::conv1d<float, cuda> g(cfg);
    out.push_back(layer_case("conv1d dilated k3 d2 p2", c, g, {2, 3, 29}, 4));
  }
  {
    nn::causal_conv1d<float, cpu, 2, 4, 2, 3> c;
    nn::causal_conv1d<float, cuda, 2, 4, 2, 3> g;
    out.push_back(layer_case("causal conv1d k2 d3 (WaveNet)", c, g, {2, 2, 40}, 5));
  }
  {
    nn::conv1d<float, cpu, 3, 5, 1> c;
    nn::conv1d<float, cuda, 3, 5, 1> g;
    out.push_back(layer_case("conv1d pointwise 3->5", c, g, {2, 3, 50}, 6));
  }
  {
    const nn::conv1d_config cfg{.in_channels = 2, .out_channels = 2, .kernel_size = 3, .stride = 3, .padding = 1, .bias = false};
    nn::conv1d<float> c(cfg);
    nn::conv1d<float, cuda> g(cfg);
    out.push_back(layer_case("conv1d k3 s3 p1 without bias", c, g, {2, 2, 31}, 7));
  }
  {
    nn::conv_transpose1d<float, cpu, 3, 2, 4, 2, 1> c;
    nn::conv_transpose1d<float, cuda, 3, 2, 4, 2, 1> g;
    out.push_back(layer_case("conv_transpose1d 3->2 k4 s2 p1 (step-VAE)", c, g, {2, 3, 16}, 8));
  }
  {
    nn::conv_transpose1d<float, cpu, 2, 2, 16, 8, 4> c;
    nn::conv_transpose1d<float, cuda, 2, 2, 16, 8, 4> g;
    out.push_back(layer_case("conv_transpose1d k16 s8 p4 (WaveNet upsampler)", c, g, {1, 2, 6}, 9));
  }
  {
    nn::conv2d<float, cpu, 2, 3, 3, 1, 1> c;
    nn::conv2d<float, cuda, 2, 3, 3, 1, 1> g;
    out.push_back(layer_case("conv2d 2->3 k3 p1", c, g, {2, 2, 9, 8}, 10));
  }
  {
    nn::max_pool2d<float, cpu, 2> c;
    nn::max_pool2d<float, cuda, 2> g;
    out.push_back(layer_case("max_pool2d 2x2", c, g, {2, 3, 8, 8}, 11));
    nn::max_pool2d<float> c3(nn::max_pool2d_config{3, 2, 1});
    nn::max_pool2d<float, cuda> g3(nn::max_pool2d_config{3, 2, 1});
    out.push_back(layer_case("max_pool2d 3x3 s2 p1 (overlapping)", c3, g3, {2, 3, 9, 9}, 12));
  }
  {
    nn::batch_norm2d<float, cpu, 3> c;
    nn::batch_norm2d<float, cuda, 3> g;
    out.push_back(layer_case("batch_norm2d training", c, g, {4, 3, 5, 6}, 13));
    nn::batch_norm1d<float, cpu, 4> c1;
    nn::batch_norm1d<float, cuda, 4> g1;
    out.push_back(layer_case("batch_norm1d evaluation mode", c1, g1, {3, 4, 10}, 14, 0, false));
  }
  {
    nn::relu<float, cpu, 3> c;
    nn::relu<float, cuda, 3> g;
    out.push_back(layer_case("relu", c, g, {2, 3, 20}, 15));
    nn::leaky_relu<float, cpu, 3> lc(nn::activation_kind::leaky_relu<float>{0.2f});
    nn::leaky_relu<float, cuda, 3> lg(nn::activation_kind::leaky_relu<float>{0.2f});
    out.push_back(layer_case("leaky_relu 0.2", lc, lg, {2, 3, 20}, 16));
    nn::tanh<float, cpu, 3> tc;
    nn::tanh<float, cuda, 3> tg;
    out.push_back(layer_case("tanh", tc, tg, {2, 3, 20}, 17));
    nn::sigmoid<float, cpu, 3> sc;
    nn::sigmoid<float, cuda, 3> sg;
    out.push_back(layer_case("sigmoid", sc, sg, {2, 3, 20}, 18));
    nn::gated_activation<float, cpu, 3> gc;
    nn::gated_activation<float, cuda, 3> gg;
    out.push_back(layer_case("gated tanh * sigmoid", gc, gg, {2, 6, 20}, 19));
  }
  {
    nn::dropout<float, cpu, 2> c(0.3, 42);
    nn::dropout<float, cuda, 2> g(0.3, 42);
    out.push_back(layer_case("dropout 0.3 (same Philox mask)", c, g, {8, 100}, 20));
    nn::global_avg_pool<float, cpu, 4> pc;
    nn::global_avg_pool<float, cuda, 4> pg;
    out.push_back(layer_case("global_avg_pool", pc, pg, {2, 3, 5, 6}, 21));
    nn::embedding<float, cpu, 6, 3> ec;
    nn::embedding<float, cuda, 6, 3> eg;
    out.push_back(layer_case("embedding 6x3", ec, eg, {2, 7}, 22, 6));
  }
  {
    nn::gru<float> c({.input_size = 3, .hidden_size = 8});
    nn::gru<float, cuda> g({.input_size = 3, .hidden_size = 8});
    out.push_back(layer_case("gru 3->8, 12 steps", c, g, {4, 12, 3}, 23));
    nn::lstm<float> lc({.input_size = 5, .hidden_size = 6});
    nn::lstm<float, cuda> lg({.input_size = 5, .hidden_size = 6});
    out.push_back(layer_case("lstm 5->6, 9 steps", lc, lg, {3, 9, 5}, 24));
  }
  return out;
}

std::vector<parity> loss_and_optimizer_parity() {
  std::vector<parity> out;
  const shape_t<3> s{3, 4, 17};
  const auto a = host_values(element_count(s), 1), b = host_values(element_count(s), 2);
  const tensor<float, 3> ac(s, std::span<const float>(a)), bc(s, std::span<const float>(b));
  const tensor<float, 3, cuda> ag(s, std::span<const float>(a)), bg(s, std::span<const float>(b));
  {
    parity p{"mse_loss (mean)", "", 0, 1e-5};
    const auto rc = nn::mse_loss(ac, bc);
    const auto rg = nn::mse_loss(ag, bg);
    judge(p, "value", rg.value, rc.value);
    judge(p, "grad", rg.grad.to_vector(), rc.grad.to_vector());
    out.push_back(p);
  }
  {
    parity p{"gaussian_kl", "", 0, 1e-5};
    const auto rc = nn::gaussian_kl(ac, bc);
    const auto rg = nn::gaussian_kl(ag, bg);
    judge(p, "value", rg.value, rc.value);
    judge(p, "grad_mu", rg.grad_mu.to_vector(), rc.grad_mu.to_vector());
    judge(p, "grad_logvar", rg.grad_logvar.to_vector(), rc.grad_logvar.to_vector());
    out.push_back(p);
  }
  {
    parity p{"beta_vae_capacity_loss", "", 0, 1e-5};
    const nn::capacity_schedule sched{5.0, 100, 100.0};
    const auto rc = nn::beta_vae_capacity_loss(ac, bc, ac, bc, sched, 40);
    const auto rg = nn::beta_vae_capacity_loss(ag, bg, ag, bg, sched, 40);
    judge(p, "total", rg.total, rc.total);
    judge(p, "grad_recon", rg.grad_recon.to_vector(), rc.grad_recon.to_vector());
    judge(p, "grad_mu", rg.grad_mu.to_vector(), rc.grad_mu.to_vector());
    judge(p, "grad_logvar", rg.grad_logvar.to_vector(), rc.grad_logvar.to_vector());
    out.push_back(p);
  }
  {
    parity p{"cross_entropy over [N, C, T] with ignored targets (mean and sum)", "", 0, 1e-5};
    const shape_t<3> ls{2, 16, 33};
    const auto logits = host_values(element_count(ls), 3, -4.f, 4.f);
    tensor<index_t, 2> tc({2, 33});
    for (index_t i = 0; i < 66; ++i) tc.data()[i] = i % 9 == 0 ? -100 : (i * 7) % 16;
    const auto tg = tc.to<cuda>();
    const tensor<float, 3> xc(ls, std::span<const float>(logits));
    const tensor<float, 3, cuda> xg(ls, std::span<const float>(logits));
    for (auto r : {nn::reduction::mean, nn::reduction::sum}) {
      const auto rc = nn::cross_entropy(xc, tc, r);
      const auto rg = nn::cross_entropy(xg, tg, r);
      judge(p, "value", rg.value, rc.value);
      judge(p, "grad", rg.grad.to_vector(), rc.grad.to_vector());
    }
    out.push_back(p);
  }
  {
    // Ten steps of each optimizer (and clipping) on one parameter set with fixed gradients.
    auto run = [&](auto make_c, auto make_g, const std::string& what) {
      parity p{what, "", 0, 1e-5};
      nn::linear<float> lc(nn::linear_config{7, 5});
      nn::linear<float, cuda> lg(nn::linear_config{7, 5});
      auto pc = nn::parameters_of(lc);
      auto pg = nn::parameters_of(lg);
      auto oc = make_c(pc);
      auto og = make_g(pg);
      for (int s = 0; s < 10; ++s) {
        for (std::size_t i = 0; i < pc.size(); ++i) {
          const auto g = host_values(static_cast<std::size_t>(pc[i].grad.size()), 100 + s * 10 + i, -3.f, 3.f);
          backend_ops<cpu>::upload(pc[i].grad.data(), g.data(), g.size());
          backend_ops<cuda>::upload(pg[i].grad.data(), g.data(), g.size());
        }
        judge(p, "clip norm", nn::clip_grad_norm(pg, 2.0), nn::clip_grad_norm(pc, 2.0));
        oc.step();
        og.step();
      }
      for (std::size_t i = 0; i < pc.size(); ++i) judge(p, "value " + pc[i].name, to_host(pg[i].value), to_host(pc[i].value));
      out.push_back(p);
    };
    const nn::adam_options ao{.lr = 1e-2, .weight_decay = 1e-3, .amsgrad = true};
    run([&](auto& ps) { return nn::adam<float, cpu>(ps, ao); }, [&](auto& ps) { return nn::adam<float, cuda>(ps, ao); },
        "adam (amsgrad, weight decay) + clip_grad_norm, 10 steps");
    const nn::sgd_options so{.lr = 1e-2, .momentum = 0.9, .nesterov = true};
    run([&](auto& ps) { return nn::sgd<float, cpu>(ps, so); }, [&](auto& ps) { return nn::sgd<float, cuda>(ps, so); },
        "sgd (nesterov momentum) + clip_grad_norm, 10 steps");
  }
  return out;
}

std::vector<parity> model_parity() {
  const auto& q = quick();
  std::vector<parity> out;
  for (auto&& r : {model_case<models::naive_seq2seq>("naive_seq2seq", q.naive_seq2seq, naive_batch(), 5, 1e-4),
                   model_case<models::step_vae>("step_vae", q.step_vae, vae_batch(), 5, 1e-4),
                   model_case<models::seq2seq_mel>("seq2seq_mel", q.seq2seq_mel, mel_batch(), 5, 1e-4),
                   model_case<models::wavenet>("wavenet", q.wavenet, wavenet_batch(), 5, 1e-4),
                   model_case<models::supervised_cnn>("supervised_cnn", q.supervised_cnn, cnn_batch(), 5, 1e-4)})
    out.insert(out.end(), r.begin(), r.end());
#if CANTUS_TEST_DOCS_ENTRY
  using docs_entry = paper::model_entry<paper::entries::deep_vae>;
  const auto docs_cfg = docs_entry::config(/*quick=*/true);
  for (auto&& r : {model_case<paper::entries::deep_vae::model_on>("deep_vae (docs/models.md)", docs_cfg,
                                                                  docs_entry::synthetic_batch(docs_cfg, 16, 18), 5, 1e-4)})
    out.insert(out.end(), r.begin(), r.end());
#endif
  return out;
}

std::vector<parity> checkpoint_parity() {
  const auto& q = quick();
  return {checkpoint_case<models::naive_seq2seq>("naive_seq2seq", q.naive_seq2seq),
          checkpoint_case<models::step_vae>("step_vae", q.step_vae),
          checkpoint_case<models::seq2seq_mel>("seq2seq_mel", q.seq2seq_mel),
          checkpoint_case<models::wavenet>("wavenet", q.wavenet),
          checkpoint_case<models::supervised_cnn>("supervised_cnn", q.supervised_cnn)};
}

}  // namespace cantus::cuda_test
