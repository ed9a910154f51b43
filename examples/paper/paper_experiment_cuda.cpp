// The paper programs' models on the CUDA backend (--backend cuda): the same training and embedding
// as paper_experiment.cpp, instantiated for cuda by the host compiler
// against the CUDA kernels compiled once (cantus::cuda's objects, nn/cuda_compiled.cu).
#include "cantus/backend/cuda/cuda_backend.hpp"
#include "paper_experiment_run.hpp"

namespace paper {

bool cuda_usable(std::string& why) {
  if (cantus::cuda_detail::device_available()) return true;
  why = "no CUDA device is visible to this process (the CUDA runtime reports none); run on a machine with a GPU or use --backend cpu";
  return false;
}

model_result run_model_cuda(const std::string& name, const prepared& p, const options& o, bool measure_error) {
#if CANTUS_WITH_NCCL
  // Several ranks on a machine: each on its own GPU, chosen before the first allocation.
  static const int device = o.group->size() > 1 ? cantus::distributed::use_local_device() : -1;
  (void)device;
#endif
  return run_model_on<cantus::cuda>(name, p, o, measure_error);
}

}  // namespace paper
