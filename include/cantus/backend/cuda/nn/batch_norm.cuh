// nn::tt::batch_norm on CUDA: the interface the nn code compiles against (contract in nn/tt/batch_norm.hpp). The
// definitions come with the CUDA implementation; until then a program that runs it fails to link,
// naming the function.
namespace cantus::nn::tt {

template <class T>
class batch_norm<T, cuda> {
 public:
  void forward(const batch_norm_config& c, index_t batch, index_t inner, const T* x, const T* weight, const T* bias,
               T* running_mean, T* running_var, bool training, T* y);
  void backward(const batch_norm_config& c, index_t batch, index_t inner, const T* x, const T* weight, const T* dy,
                T* dweight, T* dbias, T* dx);
  void backward_scattered(const batch_norm_config& c, index_t batch, index_t inner, const T* x, const T* weight,
                          const T* val, const std::int32_t* pos, index_t per_plane, T* dweight, T* dbias, T* dx);
};

}  // namespace cantus::nn::tt
