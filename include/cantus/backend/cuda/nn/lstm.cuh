// nn::tt::lstm on CUDA: the interface the nn code compiles against (contract in nn/tt/lstm.hpp). The
// definitions come with the CUDA implementation; until then a program that runs it fails to link,
// naming the function.
namespace cantus::nn::tt {

template <class T>
class lstm<T, cuda> {
 public:
  void forward(index_t B, index_t Tn, index_t I, index_t H, const T* x, const T* h0, const T* c0, const T* w_ih,
               const T* w_hh, const T* b_ih, const T* b_hh, T* y, T* h_n, T* c_n);
  bool has_forward() const;
  index_t batch() const;
  index_t time() const;
  void backward(index_t I, index_t H, const T* dy, const T* dh_n, const T* dc_n, const T* w_ih, const T* w_hh, T* dw_ih,
                T* dw_hh, T* db_ih, T* db_hh, T* dx, T* dh0, T* dc0);
};

}  // namespace cantus::nn::tt
