#pragma once
// (4) wavenet: WaveNet (van den Oord et al. 2016) with local conditioning on the log-mel, as in the
// paper; the PyTorch reference is WaveNet (docs/models.md):
//   input      mu-law classes q[0..T] (256): x = Conv1d(256 -> residual, k1)(one_hot(q[0..T-1]))
//              (computed as a column lookup: the one-hot product is a gather)
//   condition  log-mel [n_mels, T/hop + 1] -> 3 x ConvTranspose1d(k16 s8 p4) (ReLU between) -> x512,
//              cropped to T
//   layer l    h = CausalConv1d(residual -> 2 residual, k2, dilation 2^(l mod 10))(x) + Conv1d(n_mels -> 2 res, k1)(c)
//              g = tanh(h[:res]) * sigmoid(h[res:]);  x += Conv1d(res -> res, k1)(g);  skips += Conv1d(res -> skip, k1)(g)
//   output     logits = Conv1d(skip -> 256)(relu(Conv1d(skip -> skip)(relu(skips)))); cross-entropy on q[1..T]
// The embedding of a chunk is relu(out1(relu(skips))) — the activations before the output layer —
// averaged over time.
#include <vector>

#include "cantus/models/model_support.hpp"  // first: see the note there
#include "cantus/models/config.hpp"
#include "cantus/nn/layers/activations.hpp"
#include "cantus/nn/layers/conv1d.hpp"
#include "cantus/nn/layers/conv_transpose1d.hpp"
#include "cantus/nn/loss/cross_entropy.hpp"

namespace cantus::models {

template <class B = cpu>
struct wavenet_batch {
  tensor<index_t, 2> q;     // [batch, T + 1] mu-law classes (host: they index the input lookup)
  tensor<float, 3, B> mel;  // [batch, n_mels, T / hop + 1] standardised log-mel frames covering the chunk
};

// Still a hand-written class over the backend's layers: its input lookup, crop and time average
// are host loops, so it runs on host-memory backends only until they become nn::tt kernels.
template <class B = cpu>
class wavenet {
  static_assert(B::host_accessible, "models::wavenet: the input lookup and crop still run on the host");

 public:
  using backend_type = B;
  using batch_type = wavenet_batch<B>;

  explicit wavenet(wavenet_config c = {}, std::uint64_t seed = 0)
      : c_(c), emb_(nn::conv1d_config{c.classes, c.residual, 1}), out1_(nn::conv1d_config{c.skip, c.skip, 1}),
        out2_(nn::conv1d_config{c.skip, c.classes, 1}) {
    c_.validate();
    for (index_t l = 0; l < c_.layers(); ++l) {
      nn::conv1d_config f{c_.residual, 2 * c_.residual, 2};
      f.dilation = c_.dilation(l);
      f.causal = true;
      filt_.emplace_back(f);
      cond_.emplace_back(nn::conv1d_config{c_.n_mels, 2 * c_.residual, 1});
      resc_.emplace_back(nn::conv1d_config{c_.residual, c_.residual, 1});
      skipc_.emplace_back(nn::conv1d_config{c_.residual, c_.skip, 1});
      gates_.emplace_back();
    }
    for (index_t u = 0; u < c_.upsample_layers; ++u)
      up_.emplace_back(nn::conv_transpose1d_config{c_.n_mels, c_.n_mels, c_.upsample_kernel, c_.upsample_stride,
                                                   c_.upsample_padding});
    init(random_stream(seed, 0x574E));
  }
  const wavenet_config& config() const { return c_; }
  index_t latent_dim() const { return c_.skip; }

  void init(random_stream rng) {
    std::uint64_t k = 0;
    emb_.init(rng.split(k++));
    for (auto* v : {&filt_, &cond_, &resc_, &skipc_})
      for (auto& l : *v) l.init(rng.split(k++));
    for (auto& l : up_) l.init(rng.split(k++));
    out1_.init(rng.split(k++));
    out2_.init(rng.split(k++));
  }
  nn::parameter_list<float, B> parameters() {
    nn::parameter_list<float, B> ps;
    emb_.parameters(ps, "emb");
    const char* names[] = {"filt", "cond", "resc", "skipc"};
    int n = 0;
    for (auto* v : {&filt_, &cond_, &resc_, &skipc_}) {
      for (std::size_t l = 0; l < v->size(); ++l) (*v)[l].parameters(ps, std::string(names[n]) + "." + std::to_string(l));
      ++n;
    }
    for (std::size_t u = 0; u < up_.size(); ++u) up_[u].parameters(ps, "up." + std::to_string(2 * u));
    out1_.parameters(ps, "out1");
    out2_.parameters(ps, "out2");
    return ps;
  }
  nn::parameter_list<float, B> buffers() { return {}; }
  void save_state(std::ostream& o) { save_model_state(*this, o); }
  void load_state(std::istream& i) { load_model_state(*this, i, "wavenet"); }

  double loss_and_backward(const batch_type& b, step_info = {}) { return run(b, true); }
  double validation_loss(const batch_type& b) { return run(b, false); }

  // Mean over time of the activations before the output layer: [batch, skip].
  tensor<float, 2, B> encode(const batch_type& b) {
    forward(b, false);
    const index_t Bn = r2_.extent(0), S = r2_.extent(1), T = r2_.extent(2);
    tensor<float, 2, B> z({Bn, S});
    for (index_t i = 0; i < Bn * S; ++i) {
      double s = 0;
      for (index_t t = 0; t < T; ++t) s += r2_.data()[i * T + t];
      z.data()[i] = static_cast<float>(s / double(T));
    }
    return z;
  }

 private:
  void check(const batch_type& b) const {
    const index_t Bn = b.q.extent(0), T = b.q.extent(1) - 1;
    if (T < 1 || T % c_.hop_length != 0)
      throw shape_error(cantus::detail::concat("wavenet: q must be [batch, T + 1] with T a multiple of hop_length = ",
                                               c_.hop_length, ", got ", shape_string(b.q.shape())));
    const shape_t<3> want{Bn, c_.n_mels, T / c_.hop_length + 1};
    if (b.mel.shape() != want) throw_shape_mismatch("wavenet", "conditioning log-mel", want, b.mel.shape());
  }

  void forward(const batch_type& b, bool training) {
    check(b);
    const index_t Bn = b.q.extent(0), T = b.q.extent(1) - 1, R = c_.residual, L = c_.layers();
    // input: column lookup of the 1x1 convolution over one-hot vectors
    auto eps = emb_params();
    xs_.resize(static_cast<std::size_t>(L + 1));
    detail::ensure_shape(xs_[0], {Bn, R, T});
    for (index_t n = 0; n < Bn; ++n)
      for (index_t t = 0; t < T; ++t) {
        const index_t k = b.q(n, t);
        if (k < 0 || k >= c_.classes)
          throw value_error(cantus::detail::concat("wavenet: input class ", k, " at (", n, ", ", t, ") outside [0, ",
                                                   c_.classes, ")"));
        for (index_t r = 0; r < R; ++r) xs_[0](n, r, t) = eps.w[r * c_.classes + k] + eps.b[r];
      }
    // conditioning
    up_out_.resize(up_.size());
    up_act_.resize(up_.size());
    tensor_view<const float, 3, B> u = b.mel.view();
    for (std::size_t k = 0; k < up_.size(); ++k) {
      detail::ensure_shape(up_out_[k], up_[k].output_shape(u.shape()));
      up_[k].forward(u, up_out_[k].view(), training);
      if (k + 1 < up_.size()) {
        detail::ensure_shape(up_act_[k], up_out_[k].shape());
        relu_.forward(detail::cview(up_out_[k]), up_act_[k].view(), training);
        u = up_act_[k].view();
      }
    }
    detail::ensure_shape(cond_in_, {Bn, c_.n_mels, T});
    const auto& full = up_out_.back();
    for (index_t n = 0; n < Bn; ++n)
      for (index_t m = 0; m < c_.n_mels; ++m) std::copy_n(&full(n, m, 0), T, &cond_in_(n, m, 0));
    // layers
    hs_.resize(static_cast<std::size_t>(L));
    gs_.resize(static_cast<std::size_t>(L));
    detail::ensure_shape(skips_, {Bn, c_.skip, T}).fill(0.0f);
    tensor<float, 3, B> tmp2({Bn, 2 * R, T}), tmpr({Bn, R, T}), tmps({Bn, c_.skip, T});
    for (index_t l = 0; l < L; ++l) {
      auto& h = hs_[static_cast<std::size_t>(l)];
      detail::ensure_shape(h, {Bn, 2 * R, T});
      filt_[static_cast<std::size_t>(l)].forward(detail::cview(xs_[static_cast<std::size_t>(l)]), h.view(), training);
      cond_[static_cast<std::size_t>(l)].forward(detail::cview(cond_in_), tmp2.view(), training);
      add_into(h, tmp2);
      auto& g = gs_[static_cast<std::size_t>(l)];
      detail::ensure_shape(g, {Bn, R, T});
      gates_[static_cast<std::size_t>(l)].forward(detail::cview(h), g.view(), training);
      auto& xn = xs_[static_cast<std::size_t>(l + 1)];
      detail::ensure_shape(xn, {Bn, R, T});
      std::copy_n(xs_[static_cast<std::size_t>(l)].data(), xn.size(), xn.data());
      resc_[static_cast<std::size_t>(l)].forward(detail::cview(g), tmpr.view(), training);
      add_into(xn, tmpr);
      skipc_[static_cast<std::size_t>(l)].forward(detail::cview(g), tmps.view(), training);
      add_into(skips_, tmps);
    }
    detail::ensure_shape(r1_, skips_.shape());
    relu_.forward(detail::cview(skips_), r1_.view(), training);
    detail::ensure_shape(o1_, skips_.shape());
    out1_.forward(detail::cview(r1_), o1_.view(), training);
    detail::ensure_shape(r2_, skips_.shape());
    relu_.forward(detail::cview(o1_), r2_.view(), training);
    detail::ensure_shape(logits_, {Bn, c_.classes, T});
    out2_.forward(detail::cview(r2_), logits_.view(), training);
  }

  double run(const batch_type& b, bool training) {
    forward(b, training);
    const index_t Bn = b.q.extent(0), T = b.q.extent(1) - 1, R = c_.residual, L = c_.layers();
    tensor<index_t, 2> target({Bn, T});
    for (index_t n = 0; n < Bn; ++n) std::copy_n(&b.q(n, 1), T, &target(n, 0));
    auto loss = nn::cross_entropy(logits_, target);
    if (!training) return loss.value;
    // output head
    tensor<float, 3, B> d_r2(r2_.shape()), d_o1(o1_.shape()), d_r1(r1_.shape()), d_skips(skips_.shape());
    out2_.backward(detail::cview(r2_), detail::cview(logits_), detail::cview(loss.grad), d_r2.view());
    relu_.backward(detail::cview(o1_), detail::cview(r2_), detail::cview(d_r2), d_o1.view());
    out1_.backward(detail::cview(r1_), detail::cview(o1_), detail::cview(d_o1), d_r1.view());
    relu_.backward(detail::cview(skips_), detail::cview(r1_), detail::cview(d_r1), d_skips.view());
    // layers, last to first; dx is the gradient of the residual stream after layer l
    tensor<float, 3, B> dx({Bn, R, T}, 0.0f), dg({Bn, R, T}), tmp({Bn, R, T}), dh({Bn, 2 * R, T}), dx_filt({Bn, R, T});
    tensor<float, 3, B> dcond({Bn, c_.n_mels, T}, 0.0f), dcond_l({Bn, c_.n_mels, T});
    tensor<float, 3, B> skip_y({Bn, c_.skip, T}), res_y({Bn, R, T});  // shapes only: 1x1 backward ignores y values
    for (index_t l = L; l-- > 0;) {
      const auto li = static_cast<std::size_t>(l);
      skipc_[li].backward(detail::cview(gs_[li]), detail::cview(skip_y), detail::cview(d_skips), dg.view());
      resc_[li].backward(detail::cview(gs_[li]), detail::cview(res_y), detail::cview(dx), tmp.view());
      add_into(dg, tmp);
      gates_[li].backward(detail::cview(hs_[li]), detail::cview(gs_[li]), detail::cview(dg), dh.view());
      filt_[li].backward(detail::cview(xs_[li]), detail::cview(hs_[li]), detail::cview(dh), dx_filt.view());
      cond_[li].backward(detail::cview(cond_in_), detail::cview(hs_[li]), detail::cview(dh), dcond_l.view());
      add_into(dcond, dcond_l);
      add_into(dx, dx_filt);
    }
    // conditioning network: the crop's adjoint pads with zeros
    tensor<float, 3, B> dup(up_out_.back().shape(), 0.0f);
    for (index_t n = 0; n < Bn; ++n)
      for (index_t m = 0; m < c_.n_mels; ++m) std::copy_n(&dcond(n, m, 0), T, &dup(n, m, 0));
    for (std::size_t k = up_.size(); k-- > 0;) {
      tensor_view<const float, 3, B> in = k == 0 ? b.mel.view() : detail::cview(up_act_[k - 1]);
      if (k == 0) {
        up_[k].backward(in, detail::cview(up_out_[k]), detail::cview(dup), tensor_view<float, 3, B>());
      } else {
        tensor<float, 3, B> dact(in.shape()), dpre(in.shape());
        up_[k].backward(in, detail::cview(up_out_[k]), detail::cview(dup), dact.view());
        relu_.backward(detail::cview(up_out_[k - 1]), detail::cview(up_act_[k - 1]), detail::cview(dact), dpre.view());
        dup = std::move(dpre);
      }
    }
    // input lookup: scatter-add into the columns of the one-hot convolution
    auto eps = emb_params();
    for (index_t n = 0; n < Bn; ++n)
      for (index_t t = 0; t < T; ++t) {
        const index_t k = b.q(n, t);
        for (index_t r = 0; r < R; ++r) {
          const float d = dx(n, r, t);
          eps.gw[r * c_.classes + k] += d;
          eps.gb[r] += d;
        }
      }
    return loss.value;
  }

  struct emb_views {
    float *w, *b, *gw, *gb;
  };
  emb_views emb_params() {
    nn::parameter_list<float, B> ps;
    emb_.parameters(ps, "");
    return {ps[0].value.data(), ps[1].value.data(), ps[0].grad.data(), ps[1].grad.data()};
  }
  static void add_into(tensor<float, 3, B>& a, const tensor<float, 3, B>& b) {
    backend_ops<B>::axpy(1.0f, b.data(), a.data(), static_cast<std::size_t>(a.size()));
  }

  wavenet_config c_;
  nn::conv1d<float, B> emb_;
  std::vector<nn::conv1d<float, B>> filt_, cond_, resc_, skipc_;
  std::vector<nn::conv_transpose1d<float, B>> up_;
  nn::conv1d<float, B> out1_, out2_;
  nn::relu<float, B, 3> relu_;
  std::vector<nn::gated_activation<float, B, 3>> gates_;  // one per layer: each keeps its forward's state
  // activations of the most recent forward pass
  std::vector<tensor<float, 3, B>> xs_, hs_, gs_, up_out_, up_act_;
  tensor<float, 3, B> cond_in_, skips_, r1_, o1_, r2_, logits_;
};

}  // namespace cantus::models
