// nn::tt::indexing on CUDA: the interface the nn code compiles against (contract in nn/tt/indexing.hpp). The
// definitions come with the CUDA implementation; until then a program that runs it fails to link,
// naming the function.
namespace cantus::nn::tt {

template <class T>
struct indexing<T, cuda> {
  static void one_hot(const std::string& layer, index_t batch, index_t len, index_t classes, const T* x, T* y);
  static void gather_rows(const std::string& layer, index_t n, index_t rows, index_t dim, const T* x, const T* table, T* y);
  static void scatter_add_rows(const std::string& layer, index_t n, index_t rows, index_t dim, const T* x, const T* dy,
                               T* dtable);
  template <class I>
  static void gather_columns(const std::string& layer, index_t batch, index_t len, index_t q_stride, index_t classes,
                             index_t dim, const I* q, const T* table, const T* bias, T* y);
  template <class I>
  static void scatter_add_columns(index_t batch, index_t len, index_t q_stride, index_t classes, index_t dim,
                                  const I* q, const T* dy, T* dtable, T* dbias);
};

}  // namespace cantus::nn::tt
