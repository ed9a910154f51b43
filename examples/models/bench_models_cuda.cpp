// bench_models --backend cuda: the models' training steps instantiated for the GPU (host code; the
// kernels are compiled once in cantus::cuda's objects).
#include "cantus/backend/cuda/cuda_backend.hpp"
#include "bench_models_run.hpp"

namespace bench {

bool cuda_usable(std::string& why) {
  if (cantus::cuda_detail::device_available()) return true;
  why = "no CUDA device is visible to this process (the CUDA runtime reports none); use --backend cpu";
  return false;
}

measured run_cantus_cuda(const std::string& name, double seconds) { return run_cantus_on<cantus::cuda>(name, seconds); }

}  // namespace bench
