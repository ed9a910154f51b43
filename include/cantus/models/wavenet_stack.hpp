#pragma once
// wavenet_stack<Layer, Upsampler, Config>: WaveNet (van den Oord et al. 2016) with local
// conditioning on the log-mel, the model template behind the paper's WaveNet:
//   input      mu-law classes q[0..T]: x = Conv1d "emb" (classes -> residual, k1)(one_hot(q[0..T-1]))
//              (computed as a column lookup: the one-hot product is a gather)
//   condition  log-mel [n_mels, T/hop + 1] -> Upsampler "up" (an nn::sequential that multiplies the
//              length by hop) -> cropped to T
//   layers     Layer (gated_residual) l = 0..L-1 with dilation 2^(l mod layers_per_stack): the
//              residual stream runs through them, their skip outputs are summed
//   head       logits = Conv1d "out2" (skip -> classes)(relu(Conv1d "out1" (skip -> skip)(relu(skips))));
//              cross-entropy on q[1..T]
// The embedding of a chunk is relu(out1(relu(skips))), the activations before the output layer,
// averaged over time. Parameters are listed, and initialised, by kind: emb, filt.l, cond.l, resc.l,
// skipc.l, up.*, out1, out2.
#include <string>
#include <vector>

#include "cantus/models/model_support.hpp"  // first: see the note there
#include "cantus/nn/layers/activations.hpp"
#include "cantus/nn/layers/conv1d.hpp"
#include "cantus/nn/loss/cross_entropy.hpp"
#include "cantus/nn/tt/indexing.hpp"
#include "cantus/nn/tt/pooling.hpp"
#include "cantus/models/gated_residual.hpp"

namespace cantus::models {

template <class B = cpu>
struct wavenet_batch {
  tensor<index_t, 2, B> q;  // [batch, T + 1] mu-law classes
  tensor<float, 3, B> mel;  // [batch, n_mels, T / hop + 1] standardised log-mel frames covering the chunk
};

template <class Layer, class Upsampler, class Config>
class wavenet_stack {
 public:
  using backend_type = typename Upsampler::backend_type;
  using B = backend_type;
  using config_type = Config;
  using batch_type = wavenet_batch<B>;

  explicit wavenet_stack(Config c = {}, std::uint64_t seed = 0)
      : c_(detail::validated(std::move(c))),
        emb_(nn::conv1d_config{c_.classes, c_.residual, 1}),
        up_(make_upsampler<Upsampler>(c_)),
        out1_(nn::conv1d_config{c_.skip, c_.skip, 1}),
        out2_(nn::conv1d_config{c_.skip, c_.classes, 1}) {
    for (index_t l = 0; l < c_.layers(); ++l)
      layers_.emplace_back(gated_residual_config{c_.residual, c_.skip, c_.n_mels, c_.dilation(l)});
    init(random_stream(seed, Config::seed_tag));
  }
  const Config& config() const { return c_; }
  index_t latent_dim() const { return c_.skip; }
  static constexpr const char* name() { return Config::name; }

  void init(random_stream rng) {
    std::uint64_t k = 0;
    emb_.init(rng.split(k++));
    for (int p = 0; p < 4; ++p)
      for (auto& l : layers_) l.part(p).init(rng.split(k++));
    up_.init(rng, k);
    out1_.init(rng.split(k++));
    out2_.init(rng.split(k++));
  }
  nn::parameter_list<float, B> parameters() {
    nn::parameter_list<float, B> ps;
    emb_.parameters(ps, "emb");
    for (int p = 0; p < 4; ++p)
      for (std::size_t l = 0; l < layers_.size(); ++l)
        layers_[l].part(p).parameters(ps, std::string(Layer::part_names[p]) + "." + std::to_string(l));
    up_.parameters(ps, "up");
    out1_.parameters(ps, "out1");
    out2_.parameters(ps, "out2");
    return ps;
  }
  nn::parameter_list<float, B> buffers() { return {}; }
  void save_state(std::ostream& o) { save_model_state(*this, o); }
  void load_state(std::istream& i) { load_model_state(*this, i, Config::name); }

  double loss_and_backward(const batch_type& b, step_info = {}) { return run(b, true); }
  double validation_loss(const batch_type& b) { return run(b, false); }

  // Mean over time of the activations before the output layer: [batch, skip].
  tensor<float, 2, B> encode(const batch_type& b) {
    forward(b, false);
    const index_t Bn = r2_.extent(0), S = r2_.extent(1), T = r2_.extent(2);
    tensor<float, 2, B> z({Bn, S});
    nn::tt::pooling<float, B>::mean_rows(Bn * S, T, r2_.data(), z.data());
    return z;
  }

 private:
  void check(const batch_type& b) const {
    const index_t Bn = b.q.extent(0), T = b.q.extent(1) - 1;
    if (T < 1 || T % c_.hop_length != 0)
      throw shape_error(cantus::detail::concat(Config::name, ": q must be [batch, T + 1] with T a multiple of hop_length = ",
                                               c_.hop_length, ", got ", shape_string(b.q.shape())));
    const shape_t<3> want{Bn, c_.n_mels, T / c_.hop_length + 1};
    if (b.mel.shape() != want) throw_shape_mismatch(Config::name, "conditioning log-mel", want, b.mel.shape());
  }

  void forward(const batch_type& b, bool training) {
    check(b);
    const index_t Bn = b.q.extent(0), T = b.q.extent(1) - 1, R = c_.residual, L = c_.layers();
    // input: column lookup of the 1x1 convolution over one-hot vectors
    auto eps = emb_params();
    xs_.resize(static_cast<std::size_t>(L + 1));
    detail::ensure_shape(xs_[0], {Bn, R, T});
    nn::tt::indexing<float, B>::gather_columns(Config::name, Bn, T, T + 1, c_.classes, R, b.q.data(), eps.w, eps.b,
                                               xs_[0].data());
    // conditioning, cropped to T
    detail::ensure_shape(up_out_, up_.output_shape(b.mel.shape()));
    up_.forward(b.mel.view(), up_out_.view(), training);
    detail::ensure_shape(cond_in_, {Bn, c_.n_mels, T});
    crop(up_out_, cond_in_, T);
    // layers
    detail::ensure_shape(skips_, {Bn, c_.skip, T}).fill(0.0f);
    for (index_t l = 0; l < L; ++l) {
      const auto li = static_cast<std::size_t>(l);
      detail::ensure_shape(xs_[li + 1], {Bn, R, T});
      layers_[li].forward(detail::cview(xs_[li]), detail::cview(cond_in_), xs_[li + 1].view(), skips_, scratch_, training);
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
    tensor<index_t, 2, B> target({Bn, T});
    for (index_t n = 0; n < Bn; ++n) backend_ops<B>::copy(target.data() + n * T, b.q.data() + n * (T + 1) + 1, std::size_t(T));
    auto loss = nn::cross_entropy(logits_, target);
    if (!training) return loss.value;
    // output head
    // Gradients kept between steps (16 MB each at the anchor size; fresh ones cost page faults every
    // step): the head's are overwritten, the accumulated ones cleared.
    auto& d_r2 = detail::ensure_shape(d_r2_, r2_.shape());
    auto& d_o1 = detail::ensure_shape(d_o1_, o1_.shape());
    auto& d_r1 = detail::ensure_shape(d_r1_, r1_.shape());
    auto& d_skips = detail::ensure_shape(d_skips_, skips_.shape());
    out2_.backward(detail::cview(r2_), detail::cview(logits_), detail::cview(loss.grad), d_r2.view());
    relu_.backward(detail::cview(o1_), detail::cview(r2_), detail::cview(d_r2), d_o1.view());
    out1_.backward(detail::cview(r1_), detail::cview(o1_), detail::cview(d_o1), d_r1.view());
    relu_.backward(detail::cview(skips_), detail::cview(r1_), detail::cview(d_r1), d_skips.view());
    // layers, last to first; dx is the gradient of the residual stream after layer l
    auto& dx = detail::ensure_shape(dx_, {Bn, R, T});
    auto& dcond = detail::ensure_shape(dcond_, {Bn, c_.n_mels, T});
    dx.fill(0.0f);
    dcond.fill(0.0f);
    for (index_t l = L; l-- > 0;) {
      const auto li = static_cast<std::size_t>(l);
      layers_[li].backward(detail::cview(xs_[li]), detail::cview(cond_in_), dx, detail::cview(d_skips), dcond, scratch_);
    }
    // conditioning network: the crop's adjoint pads with zeros
    auto& dup = detail::ensure_shape(dup_, up_out_.shape());
    dup.fill(0.0f);
    crop(dcond, dup, T);
    up_.backward(b.mel.view(), detail::cview(up_out_), detail::cview(dup), tensor_view<float, 3, B>());
    // input lookup: scatter-add into the columns of the one-hot convolution
    auto eps = emb_params();
    nn::tt::indexing<float, B>::scatter_add_columns(Bn, T, T + 1, c_.classes, R, b.q.data(), dx.data(), eps.gw, eps.gb);
    return loss.value;
  }

  // dst[n, m, :T] = src[n, m, :T] for tensors of the same batch and channels.
  static void crop(const tensor<float, 3, B>& src, tensor<float, 3, B>& dst, index_t T) {
    for (index_t n = 0; n < src.extent(0); ++n)
      for (index_t m = 0; m < src.extent(1); ++m)
        backend_ops<B>::copy(dst.data() + (n * dst.extent(1) + m) * dst.extent(2),
                             src.data() + (n * src.extent(1) + m) * src.extent(2), static_cast<std::size_t>(T));
  }

  struct emb_views {
    float *w, *b, *gw, *gb;
  };
  emb_views emb_params() {
    nn::parameter_list<float, B> ps;
    emb_.parameters(ps, "");
    return {ps[0].value.data(), ps[1].value.data(), ps[0].grad.data(), ps[1].grad.data()};
  }

  Config c_;
  nn::conv1d<float, B> emb_;
  std::vector<Layer> layers_;
  Upsampler up_;
  nn::conv1d<float, B> out1_, out2_;
  nn::relu<float, B, 3> relu_;
  gated_residual_scratch<B> scratch_;
  // activations of the most recent forward pass
  std::vector<tensor<float, 3, B>> xs_;
  tensor<float, 3, B> up_out_, cond_in_, skips_, r1_, o1_, r2_, logits_;
  // gradients of the backward pass
  tensor<float, 3, B> d_r2_, d_o1_, d_r1_, d_skips_, dx_, dcond_, dup_;
};

}  // namespace cantus::models
