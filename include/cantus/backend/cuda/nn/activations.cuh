// nn::tt::activations on CUDA: the interface the layers compile against (contract in
// nn/tt/activations.hpp). The definitions come with the CUDA kernels; until then using them fails
// to link.
namespace cantus::nn::tt {

template <class T>
struct activations<T, cuda> {
  template <class Kind>
  static void backward(const Kind& k, index_t n, const T* x, const T* y, const T* dy, T* dx);
  static void gated_forward(index_t batch, index_t half, const T* x, T* tanh_a, T* sigmoid_b, T* y);
  static void gated_backward(index_t batch, index_t half, const T* tanh_a, const T* sigmoid_b, const T* dy, T* dx);
};

}  // namespace cantus::nn::tt
