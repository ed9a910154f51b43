// nn::tt::conv1d on CUDA: the interface the layer compiles against (contract in nn/tt/conv1d.hpp).
// The definitions come with the cuDNN implementation; until then a program that runs a conv1d on
// the cuda backend fails to link, naming this function.
namespace cantus::nn::tt {

template <class T>
class conv1d<T, cuda> {
 public:
  void forward(const conv1d_config& c, index_t batch, index_t in_len, index_t out_len, const T* x, const T* w,
               const T* bias, T* y);
  void backward(const conv1d_config& c, index_t batch, index_t in_len, index_t out_len, const T* x, const T* w,
                const T* dy, T* dw, T* dbias, T* dx);
};

}  // namespace cantus::nn::tt
