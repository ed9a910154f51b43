// nn::tt::reparameterize on CUDA: the interface (contract in nn/tt/reparameterize.hpp). The
// definitions come with the CUDA kernels; until then using it fails to link.
namespace cantus::nn::tt {

template <class T>
struct reparameterize<T, cuda> {
  static void forward(index_t n, const T* mu, const T* logvar, const T* eps, T* z);
  static void backward(index_t n, const T* logvar, const T* eps, const T* dz, T* dmu, T* dlogvar);
};

}  // namespace cantus::nn::tt
