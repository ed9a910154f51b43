// nn::tt::optimizers on CUDA: the interface the nn code compiles against (contract in nn/tt/optimizers.hpp). The
// definitions come with the CUDA implementation; until then a program that runs it fails to link,
// naming the function.
namespace cantus::nn::tt {

template <class T>
struct optimizers<T, cuda> {
  static void adam(index_t n, T* w, const T* g, T* m, T* v, T* vmax, const adam_step<T>& s);
  static void sgd(index_t n, T* w, const T* g, T* buf, const sgd_step<T>& s);
  static double sum_of_squares(index_t n, const T* g);
};

}  // namespace cantus::nn::tt
