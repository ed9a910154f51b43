#pragma once
// One 2-D cross-correlation (NCHW, float or double) through cuDNN's convolution API: forward,
// backward-data and backward-filter, with beta to overwrite or accumulate. conv1d is the H = 1 case,
// conv_transpose1d is this convolution run backwards (its forward is backward-data), conv2d the plain
// one. Each pass takes the first algorithm cuDNN's heuristics rank that is deterministic and supports
// the geometry (not every algorithm takes dilation or a 1 x k filter): a seed gives the same bits run
// to run, which the project promises on every backend. Descriptors, algorithms and workspace sizes are
// kept per geometry (a layer sees a few: training and evaluation batches), since the heuristic queries
// cost the host more than many of the kernels they choose; the workspace is kept between calls. cuDNN 9 marks this API deprecated in favour of its graph API; it is complete and
// supported, and the move is local to this file.
#include <cudnn.h>

#include <array>
#include <memory>
#include <optional>
#include <vector>

#include "cantus/backend/cuda/cuda_backend.hpp"
#include "cantus/backend/cuda/cuda_check.hpp"
#include "cantus/core/tensor.hpp"

namespace cantus::nn::tt::cuda_conv {

template <class T>
constexpr cudnnDataType_t data_type() {
  return std::is_same_v<T, float> ? CUDNN_DATA_FLOAT : CUDNN_DATA_DOUBLE;
}

// x [n, c, h, w] * w [k, c, r, s] -> y [n, k, p, q] with the given padding, stride and dilation.
struct geometry {
  std::array<int, 4> x{}, w{}, y{};
  std::array<int, 2> pad{}, stride{1, 1}, dilation{1, 1};
  friend bool operator==(const geometry&, const geometry&) = default;

  // A 1-D convolution as H = 1: x [batch, x_channels, 1, x_len] * w [y_channels, x_channels, 1, kernel]
  // -> y [batch, y_channels, 1, y_len] (conv1d forwards, conv_transpose1d backwards).
  static geometry one_d(index_t batch, index_t x_channels, index_t x_len, index_t y_channels, index_t y_len,
                        index_t kernel, index_t pad, index_t stride, index_t dilation) {
    geometry g;
    g.x = {int(batch), int(x_channels), 1, int(x_len)};
    g.w = {int(y_channels), int(x_channels), 1, int(kernel)};
    g.y = {int(batch), int(y_channels), 1, int(y_len)};
    g.pad = {0, int(pad)};
    g.stride = {1, int(stride)};
    g.dilation = {1, int(dilation)};
    return g;
  }
};

class descriptors {
 public:
  template <class T>
  descriptors(const geometry& g, T) {
    CANTUS_CUDNN_CHECK(cudnnCreateTensorDescriptor(&x_));
    CANTUS_CUDNN_CHECK(cudnnCreateTensorDescriptor(&y_));
    CANTUS_CUDNN_CHECK(cudnnCreateFilterDescriptor(&w_));
    CANTUS_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&c_));
    constexpr auto dt = data_type<T>();
    CANTUS_CUDNN_CHECK(cudnnSetTensor4dDescriptor(x_, CUDNN_TENSOR_NCHW, dt, g.x[0], g.x[1], g.x[2], g.x[3]));
    CANTUS_CUDNN_CHECK(cudnnSetTensor4dDescriptor(y_, CUDNN_TENSOR_NCHW, dt, g.y[0], g.y[1], g.y[2], g.y[3]));
    CANTUS_CUDNN_CHECK(cudnnSetFilter4dDescriptor(w_, dt, CUDNN_TENSOR_NCHW, g.w[0], g.w[1], g.w[2], g.w[3]));
    CANTUS_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(c_, g.pad[0], g.pad[1], g.stride[0], g.stride[1], g.dilation[0],
                                                       g.dilation[1], CUDNN_CROSS_CORRELATION, dt));
    // Tensor cores would round float inputs to TF32: results would no longer match the CPU to 1e-5.
    CANTUS_CUDNN_CHECK(cudnnSetConvolutionMathType(c_, CUDNN_FMA_MATH));
    // The output size cuDNN derives must be the one the layer computed.
    std::array<int, 4> out{};
    CANTUS_CUDNN_CHECK(cudnnGetConvolution2dForwardOutputDim(c_, x_, w_, &out[0], &out[1], &out[2], &out[3]));
    if (out != g.y)
      throw shape_error(cantus::detail::concat("cudnn convolution: output [", out[0], ", ", out[1], ", ", out[2], ", ",
                                               out[3], "] differs from the layer's [", g.y[0], ", ", g.y[1], ", ",
                                               g.y[2], ", ", g.y[3], "]"));
  }
  ~descriptors() {
    cudnnDestroyConvolutionDescriptor(c_);
    cudnnDestroyFilterDescriptor(w_);
    cudnnDestroyTensorDescriptor(y_);
    cudnnDestroyTensorDescriptor(x_);
  }
  descriptors(const descriptors&) = delete;
  descriptors& operator=(const descriptors&) = delete;

  cudnnTensorDescriptor_t x_{}, y_{};
  cudnnFilterDescriptor_t w_{};
  cudnnConvolutionDescriptor_t c_{};
};

// The best-ranked deterministic algorithm of a heuristic list (cudnnGet*Algorithm_v7).
template <class Perf>
auto deterministic(const Perf* perf, int n, const char* pass) {
  for (int i = 0; i < n; ++i)
    if (perf[i].status == CUDNN_STATUS_SUCCESS && perf[i].determinism == CUDNN_DETERMINISTIC) return perf[i].algo;
  throw device_error(cantus::detail::concat("cudnn convolution: no deterministic ", pass, " algorithm for this geometry"));
}
inline cudnnConvolutionFwdAlgo_t forward_algo(const descriptors& d) {
  cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
  int n = 0;
  CANTUS_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(cuda_detail::cudnn(), d.x_, d.w_, d.c_, d.y_,
                                                            CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &n, perf));
  return deterministic(perf, n, "forward");
}
inline cudnnConvolutionBwdDataAlgo_t backward_data_algo(const descriptors& d) {
  cudnnConvolutionBwdDataAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
  int n = 0;
  CANTUS_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithm_v7(cuda_detail::cudnn(), d.w_, d.y_, d.c_, d.x_,
                                                                 CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &n, perf));
  return deterministic(perf, n, "backward-data");
}
inline cudnnConvolutionBwdFilterAlgo_t backward_filter_algo(const descriptors& d) {
  cudnnConvolutionBwdFilterAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
  int n = 0;
  CANTUS_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(cuda_detail::cudnn(), d.x_, d.y_, d.c_, d.w_,
                                                                   CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &n, perf));
  return deterministic(perf, n, "backward-filter");
}

// A convolution's three passes; owns the workspace, so one object serves one layer.
template <class T>
class convolution {
 public:
  // y = conv(x, w) + beta * y
  void forward(const geometry& g, const T* x, const T* w, T* y, T beta) {
    plan& p = plan_for(g);
    const descriptors& d = *p.d;
    if (!p.forward) {
      const auto algo = forward_algo(d);
      std::size_t bytes = 0;
      CANTUS_CUDNN_CHECK(cudnnGetConvolutionForwardWorkspaceSize(cuda_detail::cudnn(), d.x_, d.w_, d.c_, d.y_, algo, &bytes));
      p.forward = {algo, bytes};
    }
    const auto [algo, bytes] = *p.forward;
    const T one(1);
    CANTUS_CUDNN_CHECK(cudnnConvolutionForward(cuda_detail::cudnn(), &one, d.x_, x, d.w_, w, d.c_, algo,
                                               workspace(bytes), bytes, &beta, d.y_, y));
  }
  // dx = conv^T(dy, w) + beta * dx
  void backward_data(const geometry& g, const T* w, const T* dy, T* dx, T beta) {
    plan& p = plan_for(g);
    const descriptors& d = *p.d;
    if (!p.backward_data) {
      const auto algo = backward_data_algo(d);
      std::size_t bytes = 0;
      CANTUS_CUDNN_CHECK(cudnnGetConvolutionBackwardDataWorkspaceSize(cuda_detail::cudnn(), d.w_, d.y_, d.c_, d.x_, algo, &bytes));
      p.backward_data = {algo, bytes};
    }
    const auto [algo, bytes] = *p.backward_data;
    const T one(1);
    CANTUS_CUDNN_CHECK(cudnnConvolutionBackwardData(cuda_detail::cudnn(), &one, d.w_, w, d.y_, dy, d.c_, algo,
                                                    workspace(bytes), bytes, &beta, d.x_, dx));
  }
  // dw = d(conv)/dw (x, dy) + beta * dw
  void backward_filter(const geometry& g, const T* x, const T* dy, T* dw, T beta) {
    plan& p = plan_for(g);
    const descriptors& d = *p.d;
    if (!p.backward_filter) {
      const auto algo = backward_filter_algo(d);
      std::size_t bytes = 0;
      CANTUS_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterWorkspaceSize(cuda_detail::cudnn(), d.x_, d.y_, d.c_, d.w_, algo, &bytes));
      p.backward_filter = {algo, bytes};
    }
    const auto [algo, bytes] = *p.backward_filter;
    const T one(1);
    CANTUS_CUDNN_CHECK(cudnnConvolutionBackwardFilter(cuda_detail::cudnn(), &one, d.x_, x, d.y_, dy, d.c_, algo,
                                                      workspace(bytes), bytes, &beta, d.w_, dw));
  }

 private:
  template <class Algo>
  struct choice {
    Algo algo;
    std::size_t bytes;
  };
  struct plan {
    geometry g;
    std::unique_ptr<descriptors> d;
    std::optional<choice<cudnnConvolutionFwdAlgo_t>> forward;
    std::optional<choice<cudnnConvolutionBwdDataAlgo_t>> backward_data;
    std::optional<choice<cudnnConvolutionBwdFilterAlgo_t>> backward_filter;
  };
  // The geometry's plan; the oldest of four is dropped for a fifth.
  plan& plan_for(const geometry& g) {
    for (auto& p : plans_)
      if (p.g == g) return p;
    if (plans_.size() == 4) plans_.erase(plans_.begin());
    plans_.push_back(plan{g, std::make_unique<descriptors>(g, T{}), {}, {}, {}});
    return plans_.back();
  }
  void* workspace(std::size_t bytes) {
    const auto words = static_cast<index_t>((bytes + sizeof(double) - 1) / sizeof(double));
    if (words == 0) return nullptr;
    if (workspace_.size() < words) workspace_ = tensor<double, 1, cuda>({words});
    return workspace_.data();
  }
  std::vector<plan> plans_;
  tensor<double, 1, cuda> workspace_;
};

}  // namespace cantus::nn::tt::cuda_conv
