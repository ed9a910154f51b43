// nn::tt::losses on CUDA: the interface the nn code compiles against (contract in nn/tt/losses.hpp). The
// definitions come with the CUDA implementation; until then a program that runs it fails to link,
// naming the function.
namespace cantus::nn::tt {

template <class T>
struct losses<T, cuda> {
  static double squared_error(index_t n, const T* x, const T* y, T grad_scale, T* grad);
  static double gaussian_kl(index_t n, const T* mu, const T* logvar, T inv_b, T* grad_mu, T* grad_logvar);
  template <class I>
  static double cross_entropy(index_t N, index_t C, index_t S, const T* x, const I* y, index_t ignore_index, bool mean,
                              T* grad, index_t& counted);
};

}  // namespace cantus::nn::tt
