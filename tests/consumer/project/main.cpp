// Uses tensors, the dispatched CPU kernels, GEMM and .npy through the umbrella header.
#include <cantus/cantus.hpp>
#include <cstdio>

int main() {
  using namespace cantus;
  tensor<float, 2> a({4, 3}, 1.f), b({3, 2}, 2.f), c({4, 2});
  matmul<float, cpu>(a, b, c);
  map<float, 2, cpu>(c, c, ops::relu{});
  const float s = sum<float, 2, cpu>(c);
  npy::write("consumer.npy", c);
  const auto back = npy::load<float, 2>("consumer.npy");
  std::printf("consumer: simd=%s sum=%.1f npy=[%lld, %lld]\n", cpu_kernels::simd_name(), s,
              static_cast<long long>(back.extent(0)), static_cast<long long>(back.extent(1)));
  return (s == 48.f && back(3, 1) == 6.f) ? 0 : 1;
}
