// nn::tt::conv2d on CUDA: the interface the nn code compiles against (contract in nn/tt/conv2d.hpp). The
// definitions come with the CUDA implementation; until then a program that runs it fails to link,
// naming the function.
namespace cantus::nn::tt {

template <class T>
class conv2d<T, cuda> {
 public:
  void forward(const conv2d_config& c, const shape_t<4>& in, const shape_t<4>& out, const T* x, const T* w,
               const T* bias, T* y);
  void backward(const conv2d_config& c, const shape_t<4>& in, const shape_t<4>& out, const T* x, const T* w,
                const T* dy, T* dw, T* dbias, T* dx);
};

}  // namespace cantus::nn::tt
