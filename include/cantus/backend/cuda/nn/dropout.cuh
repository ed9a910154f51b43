// nn::tt::dropout on CUDA: the interface the nn code compiles against (contract in nn/tt/dropout.hpp). The
// definitions come with the CUDA implementation; until then a program that runs it fails to link,
// naming the function.
namespace cantus::nn::tt {

template <class T>
struct dropout<T, cuda> {
  static void apply(index_t n, const T* x, T* y, const random_stream& rng, float p, T scale);
};

}  // namespace cantus::nn::tt
