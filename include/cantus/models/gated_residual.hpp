#pragma once
// gated_residual<B>: one layer of a WaveNet stack (van den Oord et al. 2016) with local conditioning:
//   h = CausalConv1d "filt" (residual -> 2 residual, k2, dilation d)(x) + Conv1d "cond" (cond -> 2 residual, k1)(c)
//   g = tanh(h[:residual]) * sigmoid(h[residual:])
//   x' = x + Conv1d "resc" (residual -> residual, k1)(g);   skips += Conv1d "skipc" (residual -> skip, k1)(g)
// It keeps what backward needs from the most recent forward; temporaries come from a scratch the
// stack shares between its layers.
#include <string>

#include "cantus/models/model_support.hpp"  // first: see the note there
#include "cantus/nn/layers/activations.hpp"
#include "cantus/nn/layers/conv1d.hpp"

namespace cantus::models {

struct gated_residual_config {
  index_t residual = 64, skip = 128, condition = 128, dilation = 1;
};

// Temporaries every layer of a stack reuses in turn (a full-size WaveNet's are tens of MB each).
template <class B = cpu>
struct gated_residual_scratch {
  tensor<float, 3, B> sum2, res, skip, dg, dres, dh, dx_filt, dcond;
};

template <class B = cpu>
class gated_residual {
 public:
  using backend_type = B;
  using conv_type = nn::conv1d<float, B>;
  static constexpr const char* part_names[4] = {"filt", "cond", "resc", "skipc"};

  explicit gated_residual(const gated_residual_config& c)
      : c_(c),
        filt_(causal(c)),
        cond_(nn::conv1d_config{c.condition, 2 * c.residual, 1}),
        resc_(nn::conv1d_config{c.residual, c.residual, 1}),
        skipc_(nn::conv1d_config{c.residual, c.skip, 1}) {}

  // The four convolutions in the order of part_names (models name and initialise them by kind).
  conv_type& part(int i) { return i == 0 ? filt_ : i == 1 ? cond_ : i == 2 ? resc_ : skipc_; }

  // x [batch, residual, T] -> x_next (same shape); skips [batch, skip, T] += this layer's skip output.
  void forward(tensor_view<const float, 3, B> x, tensor_view<const float, 3, B> c, tensor_view<float, 3, B> x_next,
               tensor<float, 3, B>& skips, gated_residual_scratch<B>& s, bool training) {
    const index_t Bn = x.extent(0), R = c_.residual, T = x.extent(2);
    detail::ensure_shape(h_, {Bn, 2 * R, T});
    detail::ensure_shape(s.sum2, {Bn, 2 * R, T});
    filt_.forward(x, h_.view(), training);
    cond_.forward(c, s.sum2.view(), training);
    add_into(h_.data(), s.sum2.data(), h_.size());
    detail::ensure_shape(g_, {Bn, R, T});
    gate_.forward(detail::cview(h_), g_.view(), training);
    backend_ops<B>::copy(x_next.data(), x.data(), static_cast<std::size_t>(x.size()));
    detail::ensure_shape(s.res, {Bn, R, T});
    resc_.forward(detail::cview(g_), s.res.view(), training);
    add_into(x_next.data(), s.res.data(), x_next.size());
    detail::ensure_shape(s.skip, {Bn, c_.skip, T});
    skipc_.forward(detail::cview(g_), s.skip.view(), training);
    add_into(skips.data(), s.skip.data(), skips.size());
  }

  // dx: the gradient of the residual stream after this layer, on entry; before it, on return.
  // dskips: the gradient of the skip sum. dcond += this layer's share of the conditioning's gradient.
  void backward(tensor_view<const float, 3, B> x, tensor_view<const float, 3, B> c, tensor<float, 3, B>& dx,
                tensor_view<const float, 3, B> dskips, tensor<float, 3, B>& dcond, gated_residual_scratch<B>& s) {
    const index_t Bn = x.extent(0), R = c_.residual, T = x.extent(2);
    detail::ensure_shape(s.dg, {Bn, R, T});
    detail::ensure_shape(s.dres, {Bn, R, T});
    detail::ensure_shape(s.dh, {Bn, 2 * R, T});
    detail::ensure_shape(s.dx_filt, {Bn, R, T});
    detail::ensure_shape(s.dcond, dcond.shape());
    detail::ensure_shape(s.skip, {Bn, c_.skip, T});
    // A 1x1 convolution's backward reads only the shape of its output: g (residual -> residual) and
    // the skip scratch stand in for the outputs of this layer's forward.
    skipc_.backward(detail::cview(g_), detail::cview(s.skip), dskips, s.dg.view());
    resc_.backward(detail::cview(g_), detail::cview(g_), detail::cview(dx), s.dres.view());
    add_into(s.dg.data(), s.dres.data(), s.dg.size());
    gate_.backward(detail::cview(h_), detail::cview(g_), detail::cview(s.dg), s.dh.view());
    filt_.backward(x, detail::cview(h_), detail::cview(s.dh), s.dx_filt.view());
    cond_.backward(c, detail::cview(h_), detail::cview(s.dh), s.dcond.view());
    add_into(dcond.data(), s.dcond.data(), dcond.size());
    add_into(dx.data(), s.dx_filt.data(), dx.size());
  }

 private:
  static nn::conv1d_config causal(const gated_residual_config& c) {
    nn::conv1d_config f{c.residual, 2 * c.residual, 2};
    f.dilation = c.dilation;
    f.causal = true;
    return f;
  }
  static void add_into(float* a, const float* b, index_t n) { backend_ops<B>::axpy(1.0f, b, a, static_cast<std::size_t>(n)); }

  gated_residual_config c_;
  conv_type filt_, cond_, resc_, skipc_;
  nn::gated_activation<float, B, 3> gate_;
  tensor<float, 3, B> h_, g_;  // the pre-activation and the gate output of the most recent forward
};

}  // namespace cantus::models
