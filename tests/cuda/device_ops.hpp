#pragma once
// Wrappers around the CUDA backend (device_ops.cpp) that take and return host vectors, so the
// Boost.Test cases read as plain checks.
#include <string>
#include <vector>

namespace cantus::cuda_test {
bool device_present();
std::string device_description();          // name, cuDNN and cuBLAS versions
std::vector<float> map_sigmoid(const std::vector<float>& x);
std::vector<float> zip_plus_axpy(const std::vector<float>& a, const std::vector<float>& b, float alpha);
float sum(const std::vector<float>& x);
float dot(const std::vector<float>& a, const std::vector<float>& b);
float max(const std::vector<float>& x);
std::vector<float> gemm(bool ta, bool tb, int m, int n, int k, const std::vector<float>& a, const std::vector<float>& b);
std::vector<double> gemm_batched(int batch, int m, int n, int k, const std::vector<double>& a, const std::vector<double>& b);
void allocate_too_much();                  // throws cantus::memory_error naming cudaMalloc
// The data-parallel gradient reducer for cuda (NCCL, a group of one): weight * grad; empty without NCCL.
std::vector<float> nccl_weighted_sum(const std::vector<float>& grad, float weight);
}  // namespace cantus::cuda_test
