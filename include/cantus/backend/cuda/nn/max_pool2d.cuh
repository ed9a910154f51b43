// nn::tt::max_pool2d on CUDA: the interface the nn code compiles against (contract in nn/tt/max_pool2d.hpp). The
// definitions come with the CUDA implementation; until then a program that runs it fails to link,
// naming the function.
namespace cantus::nn::tt {

template <class T>
struct max_pool2d<T, cuda> {
  static void forward(const max_pool2d_config& c, index_t planes, index_t H, index_t W, index_t OH, index_t OW,
                      const T* x, T* y, std::int32_t* argmax);
  static void backward(index_t planes, index_t HW, index_t OHW, const std::int32_t* argmax, const T* dy, T* dx);
};

}  // namespace cantus::nn::tt
