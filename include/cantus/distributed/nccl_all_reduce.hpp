#pragma once
// Data-parallel gradients on the GPU: NCCL sums them where they live, device to device (NVLink,
// PCIe, or InfiniBand with GPUDirect between machines), instead of the host round trip that
// distributed::gradient_all_reduce takes. NCCL rather than a CUDA-aware MPI because NCCL's
// collectives are built for GPU buffers on every topology and ship with the CUDA stack we already
// need, while Debian's OpenMPI is not built CUDA-aware. The process group (MPI) still starts the job,
// hands NCCL its unique id, and carries the few host-side values (losses, KL of the beta-VAE).
//
// Part of distributed/gradients.hpp, which includes it at its end when nvcc compiles with NCCL
// (CANTUS_WITH_NCCL, set by cantus::cuda where libnccl is found): a specialisation must be seen
// wherever the reducer is chosen, so every translation unit that trains on cuda uses it.
#include <nccl.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>

#include "cantus/backend/cuda/cuda_check.hpp"
#include "cantus/base/error.hpp"
#include "cantus/distributed/group.hpp"
#include "cantus/nn/parameter.hpp"

namespace cantus::distributed {

namespace nccl_detail {
inline void check(ncclResult_t r, const char* call) {
  if (r != ncclSuccess) throw device_error(cantus::detail::concat(call, " failed: ", ncclGetErrorString(r)));
}
}  // namespace nccl_detail

// One NCCL communicator over the ranks of a process group (rank 0 makes the id, the group carries it).
class nccl_communicator {
 public:
  explicit nccl_communicator(process_group& g) {
    ncclUniqueId id{};
    std::string bytes;
    if (g.root()) {
      nccl_detail::check(ncclGetUniqueId(&id), "ncclGetUniqueId");
      bytes.assign(reinterpret_cast<const char*>(&id), sizeof id);
    }
    g.broadcast(bytes, 0);
    if (bytes.size() != sizeof id) throw device_error("NCCL: the unique id arrived damaged");
    std::memcpy(&id, bytes.data(), sizeof id);
    nccl_detail::check(ncclCommInitRank(&comm_, g.size(), id, g.rank()), "ncclCommInitRank");
  }
  ~nccl_communicator() {
    if (comm_) ncclCommDestroy(comm_);
  }
  nccl_communicator(const nccl_communicator&) = delete;
  nccl_communicator& operator=(const nccl_communicator&) = delete;
  ncclComm_t get() const { return comm_; }

 private:
  ncclComm_t comm_ = nullptr;
};

// gradient_all_reduce's contract on device parameters: sum_r weight_r * grad_r in one NCCL group
// call (NCCL fuses the per-tensor reductions itself, so no bucket buffers are needed); the weight is
// applied by NCCL's pre-multiplied sum.
template <class T>
class nccl_gradient_all_reduce {
  static_assert(std::is_same_v<T, float>, "nccl_gradient_all_reduce: float parameters only");

 public:
  nccl_gradient_all_reduce(process_group& group, nn::parameter_list<T, cuda> params, std::size_t /*bucket_bytes*/ = 0,
                           bool values = false)
      : comm_(group), params_(std::move(params)), values_(values) {}

  void operator()(T weight) {
    const auto t0 = std::chrono::steady_clock::now();
    ncclRedOp_t op;
    nccl_detail::check(ncclRedOpCreatePreMulSum(&op, &weight, ncclFloat32, ncclScalarHostImmediate, comm_.get()),
                       "ncclRedOpCreatePreMulSum");
    nccl_detail::check(ncclGroupStart(), "ncclGroupStart");
    for (auto& p : params_) {
      T* d = values_ ? p.value.data() : p.grad.data();
      nccl_detail::check(ncclAllReduce(d, d, static_cast<std::size_t>(p.value.size()), ncclFloat32, op, comm_.get(), nullptr),
                         "ncclAllReduce");
    }
    nccl_detail::check(ncclGroupEnd(), "ncclGroupEnd");
    CANTUS_CUDA_CHECK(cudaStreamSynchronize(nullptr));
    nccl_detail::check(ncclRedOpDestroy(op, comm_.get()), "ncclRedOpDestroy");
    seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  double seconds() const { return seconds_; }

 private:
  nccl_communicator comm_;
  nn::parameter_list<T, cuda> params_;
  bool values_;
  double seconds_ = 0;
};

template <>
struct gradient_reducer<float, cuda> {
  using type = nccl_gradient_all_reduce<float>;
};

// Each rank of a machine on its own GPU: the launcher's local rank (Open MPI, Slurm, MPICH/PMI)
// modulo the visible devices. Call before the first CUDA allocation.
inline int use_local_device() {
  int local = 0;
  for (const char* v : {"OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID", "MPI_LOCALRANKID", "PMI_LOCAL_RANK"})
    if (const char* e = std::getenv(v); e && *e) {
      local = std::atoi(e);
      break;
    }
  int devices = 0;
  CANTUS_CUDA_CHECK(cudaGetDeviceCount(&devices));
  if (devices == 0) throw device_error("use_local_device: no CUDA device is visible");
  const int d = local % devices;
  CANTUS_CUDA_CHECK(cudaSetDevice(d));
  return d;
}

}  // namespace cantus::distributed
