#pragma once
// classifier<Body, Head, Config>: a supervised classifier over chunks, the model template behind the
// paper's CNN baseline.
//   body     Body: [batch, 1, n_mels, frames] -> [batch, C, h, w] (a layer: nn::sequential or a
//            composite such as nn::conv_pool_stack)
//   latent   the mean over (h, w): [batch, C] (nn::global_avg_pool); the embedding of a chunk
//   head     Head: [batch, C] -> [batch, classes] logits; loss cross-entropy (mean) on the labels.
// Parameter names: "body.*" and "head.*". Config: name, seed_tag, n_mels, frames, genres,
// make_body<Body>(config) found next to the config type, validate().
#include <cstdint>
#include <string>
#include <type_traits>

#include "cantus/models/model_support.hpp"  // first: see the note there
#include "cantus/nn/layers/global_avg_pool.hpp"
#include "cantus/nn/layers/linear.hpp"
#include "cantus/nn/loss/cross_entropy.hpp"
#include "cantus/nn/tt/batch_norm.hpp"  // batch_norm_sync

namespace cantus::models {

template <class B = cpu>
struct labelled_chunks {
  tensor<float, 4, B> x;  // [batch, 1, n_mels, frames]
  tensor<index_t, 1, B> y;  // [batch] genre index
};

template <class Body, class Head, class Config>
class classifier {
 public:
  using backend_type = typename Body::backend_type;
  using B = backend_type;
  using config_type = Config;
  static_assert(std::is_same_v<typename Head::backend_type, B>, "classifier: body and head on different backends");
  static_assert(Body::in_rank == 4 && Body::out_rank == 4, "classifier: the body maps [batch, 1, n_mels, frames] to [batch, C, h, w]");
  using batch_type = labelled_chunks<B>;

  explicit classifier(Config c = {}, std::uint64_t seed = 0)
      : c_(detail::validated(std::move(c))), body_(make_body<Body>(c_)), head_(nn::linear_config{latent_dim(), c_.genres}) {
    init(random_stream(seed, Config::seed_tag));
  }
  const Config& config() const { return c_; }
  index_t latent_dim() const { return body_.output_shape({1, 1, c_.n_mels, c_.frames})[1]; }
  static constexpr const char* name() { return Config::name; }

  // Streams in order: the body's layers with parameters (see nn::sequential::init), then the head.
  void init(random_stream rng) {
    std::uint64_t k = 0;
    body_.init(rng, k);
    head_.init(rng.split(k++));
  }
  nn::parameter_list<float, B> parameters() {
    nn::parameter_list<float, B> ps;
    body_.parameters(ps, "body");
    head_.parameters(ps, "head");
    return ps;
  }
  nn::parameter_list<float, B> buffers() {
    nn::parameter_list<float, B> bs;
    body_.buffers(bs, "body");
    head_.buffers(bs, "head");
    return bs;
  }
  void save_state(std::ostream& o) { save_model_state(*this, o); }
  void load_state(std::istream& i) { load_model_state(*this, i, Config::name); }

  // Data parallel (a shard of a batch): BatchNorm statistics are the whole batch's, summed over the
  // group, so the ranks train as one process would on the whole batch.
  double loss_and_backward(const batch_type& b, step_info s = {}) {
    if constexpr (requires(Body& body, const nn::batch_norm_sync& f) { body.set_batch_norm_sync(f); }) {
      if (s.sharded()) {
        struct unsync {
          Body& body;
          ~unsync() { body.set_batch_norm_sync({}); }
        } restore{body_};
        body_.set_batch_norm_sync([g = s.group](double* v, std::size_t n) { g->all_reduce_sum(v, n); });
        return run(b, true);
      }
    }
    return run(b, true);
  }
  double validation_loss(const batch_type& b) { return run(b, false); }

  // Logits in evaluation mode (BatchNorm running statistics): [batch, genres].
  tensor<float, 2, B> logits(const tensor<float, 4, B>& x) {
    forward(x, false);
    return logits_;
  }
  // The pooled features before the head: [batch, C].
  tensor<float, 2, B> encode(const tensor<float, 4, B>& x) {
    forward(x, false);
    return pooled_;
  }
  tensor<float, 2, B> encode(const batch_type& b) { return encode(b.x); }

 private:

  void forward(const tensor<float, 4, B>& x, bool training) {
    if (x.extent(1) != 1 || x.extent(2) != c_.n_mels || x.extent(3) != c_.frames)
      throw_shape_mismatch(Config::name, "input chunks [batch, 1, n_mels, frames]",
                           shape_t<4>{x.extent(0), 1, c_.n_mels, c_.frames}, x.shape());
    detail::ensure_shape(features_, body_.output_shape(x.shape()));
    body_.forward(x.view(), features_.view(), training);
    detail::ensure_shape(pooled_, pool_.output_shape(features_.shape()));
    pool_.forward(detail::cview(features_), pooled_.view(), training);
    detail::ensure_shape(logits_, head_.output_shape(pooled_.shape()));
    head_.forward(detail::cview(pooled_), logits_.view(), training);
  }

  double run(const batch_type& b, bool training) {
    if (b.y.extent(0) != b.x.extent(0)) throw_shape_mismatch(Config::name, "labels", shape_t<1>{b.x.extent(0)}, b.y.shape());
    forward(b.x, training);
    auto loss = nn::cross_entropy(logits_, b.y);
    if (!training) return loss.value;
    tensor<float, 2, B> dpooled(pooled_.shape());
    head_.backward(detail::cview(pooled_), detail::cview(logits_), detail::cview(loss.grad), dpooled.view());
    detail::ensure_shape(d_features_, features_.shape());
    pool_.backward(detail::cview(features_), detail::cview(pooled_), detail::cview(dpooled), d_features_.view());
    body_.backward(b.x.view(), detail::cview(features_), detail::cview(d_features_), tensor_view<float, 4, B>());
    return loss.value;
  }

  Config c_;
  Body body_;
  Head head_;
  nn::global_avg_pool<float, B, 4> pool_;
  tensor<float, 4, B> features_, d_features_;
  tensor<float, 2, B> pooled_, logits_;
};

}  // namespace cantus::models
