// nn::tt::linear on CUDA: the interface the layer compiles against (contract in nn/tt/linear.hpp).
// The definitions come with the cuBLAS implementation; until then using it fails to link.
namespace cantus::nn::tt {

template <class T>
class linear<T, cuda> {
 public:
  void forward(index_t rows, index_t in, index_t out, const T* x, const T* w, const T* bias, T* y);
  void backward(index_t rows, index_t in, index_t out, const T* x, const T* w, const T* dy, T* dw, T* dbias, T* dx);
};

}  // namespace cantus::nn::tt
