#include "cantus/backend/cuda/cuda_backend.hpp"
#include "cantus/distributed/gradients.hpp"
#include "cantus/nn/parameter.hpp"
#include "cantus/core/tensor.hpp"
#include "device_ops.hpp"

namespace cantus::cuda_test {
using dev = backend_ops<cuda>;

bool device_present() { return cuda_detail::device_available(); }

std::string device_description() {
  return detail::concat(cuda_detail::device_name(), ", cuDNN ", cudnnGetVersion(), ", cuBLAS handle ok: ",
                        cuda_detail::cublas() != nullptr, ", cuDNN handle ok: ", cuda_detail::cudnn() != nullptr);
}

std::vector<float> map_sigmoid(const std::vector<float>& x) {
  tensor<float, 1, cpu> h({index_t(x.size())}, std::span<const float>(x));
  auto d = h.to<cuda>();
  dev::map(d.data(), d.data(), x.size(), ops::sigmoid{});
  return d.to_vector();
}

std::vector<float> zip_plus_axpy(const std::vector<float>& a, const std::vector<float>& b, float alpha) {
  tensor<float, 1, cuda> da({index_t(a.size())}, std::span<const float>(a)), db({index_t(b.size())}, std::span<const float>(b)),
      y({index_t(a.size())});
  dev::zip(da.data(), db.data(), y.data(), a.size(), ops::plus{});
  dev::axpy(alpha, da.data(), y.data(), a.size());
  return y.to_vector();
}

float sum(const std::vector<float>& x) {
  tensor<float, 1, cuda> d({index_t(x.size())}, std::span<const float>(x));
  return dev::sum(d.data(), x.size());
}
float dot(const std::vector<float>& a, const std::vector<float>& b) {
  tensor<float, 1, cuda> da({index_t(a.size())}, std::span<const float>(a)), db({index_t(b.size())}, std::span<const float>(b));
  return dev::dot(da.data(), db.data(), a.size());
}
float max(const std::vector<float>& x) {
  tensor<float, 1, cuda> d({index_t(x.size())}, std::span<const float>(x));
  return dev::max(d.data(), x.size());
}

std::vector<float> gemm(bool ta, bool tb, int m, int n, int k, const std::vector<float>& a, const std::vector<float>& b) {
  tensor<float, 1, cuda> da({index_t(a.size())}, std::span<const float>(a)), db({index_t(b.size())}, std::span<const float>(b)),
      dc({index_t(m) * n}, 0.f);
  dev::gemm(ta ? transpose::yes : transpose::no, tb ? transpose::yes : transpose::no, m, n, k, 1.f, da.data(),
            ta ? m : k, db.data(), tb ? k : n, 0.f, dc.data(), n);
  return dc.to_vector();
}

std::vector<double> gemm_batched(int batch, int m, int n, int k, const std::vector<double>& a, const std::vector<double>& b) {
  tensor<double, 1, cuda> da({index_t(a.size())}, std::span<const double>(a)),
      db({index_t(b.size())}, std::span<const double>(b)), dc({index_t(batch) * m * n}, 0.0);
  dev::gemm_strided_batched(transpose::no, transpose::no, m, n, k, 1.0, da.data(), k, index_t(m) * k, db.data(), n,
                            index_t(k) * n, 0.0, dc.data(), n, index_t(m) * n, batch);
  return dc.to_vector();
}

void allocate_too_much() { tensor<float, 1, cuda> huge({index_t(1) << 45}); }

std::vector<float> nccl_weighted_sum(const std::vector<float>& grad, float weight) {
#if CANTUS_WITH_NCCL
  tensor<float, 1, cuda> value({index_t(grad.size())}, 0.f), g({index_t(grad.size())}, std::span<const float>(grad));
  nn::parameter_list<float, cuda> ps{{"p", value.view(), g.view(), {index_t(grad.size())}}};
  distributed::single_process one;
  distributed::gradient_reducer_t<float, cuda> reduce(one, ps);
  reduce(weight);
  return g.to_vector();
#else
  (void)grad;
  (void)weight;
  return {};
#endif
}
}  // namespace cantus::cuda_test
