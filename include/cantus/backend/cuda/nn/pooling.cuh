// nn::tt::pooling on CUDA: the interface the nn code compiles against (contract in nn/tt/pooling.hpp). The
// definitions come with the CUDA implementation; until then a program that runs it fails to link,
// naming the function.
namespace cantus::nn::tt {

template <class T>
struct pooling<T, cuda> {
  static void mean_rows(index_t rows, index_t inner, const T* x, T* y);
  static void spread_rows(index_t rows, index_t inner, const T* dy, T* dx);
};

}  // namespace cantus::nn::tt
