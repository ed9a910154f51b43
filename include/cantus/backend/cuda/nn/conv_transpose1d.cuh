// nn::tt::conv_transpose1d on CUDA: the interface the nn code compiles against (contract in nn/tt/conv_transpose1d.hpp). The
// definitions come with the CUDA implementation; until then a program that runs it fails to link,
// naming the function.
namespace cantus::nn::tt {

template <class T>
class conv_transpose1d<T, cuda> {
 public:
  void forward(const conv_transpose1d_config& c, index_t batch, index_t in_len, index_t out_len, const T* x, const T* w,
               const T* bias, T* y);
  void backward(const conv_transpose1d_config& c, index_t batch, index_t in_len, index_t out_len, const T* x, const T* w,
                const T* dy, T* dw, T* dbias, T* dx);
};

}  // namespace cantus::nn::tt
