// What instantiates the models for the paper programs: training and embedding through the registry
// (cantus/paper/registry.hpp). Compiled once into the programs' common library, so table1, table2,
// figure5 and figure6 do not each instantiate every model, its trainer and its data set. The CUDA
// instantiation (--backend cuda) is paper_experiment_cuda.cpp's.
#include "paper_experiment_run.hpp"
#if CANTUS_WITH_MPI
#include "cantus/distributed/mpi.hpp"
#endif

namespace paper {

const std::vector<std::string>& all_models() {
  static const std::vector<std::string> names = model_names();
  return names;
}
const std::vector<std::string>& unsupervised_models() {
  static const std::vector<std::string> names = model_names(/*unsupervised_only=*/true);
  return names;
}
bool is_model(const std::string& name) { return known_model(name); }

cantus::distributed::process_group& world() {
#if CANTUS_WITH_MPI
  static cantus::distributed::mpi_environment env(nullptr, nullptr);
  return env.world();
#else
  static cantus::distributed::single_process one;
  return one;
#endif
}

std::string build_id() {
  return cantus::detail::concat("compiled ", __DATE__, " ", __TIME__, " by ", __VERSION__, ", ", sizeof(void*) * 8, "-bit",
#if CANTUS_WITH_MPI
                                ", MPI"
#else
                                ""
#endif
  );
}

plan plan_for(const std::string& model, bool quick) {
  return visit_model(model, [&](auto e) { return decltype(e)::plan(quick); });
}

void fill_from_preset(const std::string& model, bool quick, plan& pl) {
  const plan preset = plan_for(model, quick);
  if (pl.training.batch_size == 0) pl.training.batch_size = preset.training.batch_size;
  if (pl.training.learning_rate == 0) pl.training.learning_rate = preset.training.learning_rate;
}

#if CANTUS_EXAMPLE_HAVE_CUDA
model_result run_model_cuda(const std::string& name, const prepared& p, const options& o, bool measure_error);
#else
bool cuda_usable(std::string& why) {
  why = "this build has no CUDA backend (configure with -DCANTUS_CUDA=ON on a machine with nvcc and cuDNN 9)";
  return false;
}
#endif

trained_step_vae::trained_step_vae(const prepared& p, const options& o) {
  using E = step_vae_entry;
  if (!o.plans.count("step_vae")) throw cantus::value_error(o.program + ": --models must include step_vae");
  std::string key;
  const auto cfg = entry_config<E>("step_vae", p, o, key);
  m_ = std::make_unique<models::step_vae<cpu>>(cfg, o.seed);
  train_entry<E>(*m_, cfg, key, "step_vae", p, o);
}
trained_step_vae::~trained_step_vae() = default;
index_t trained_step_vae::n_mels() const { return m_->config().n_mels; }
index_t trained_step_vae::latent() const { return m_->config().latent; }
tensor<float, 2> trained_step_vae::encode(const tensor<float, 3>& frames) { return m_->encode(frames); }
tensor<float, 3> trained_step_vae::decode(const tensor<float, 2>& z) { return m_->decode(z); }

model_result run_model(const std::string& name, const prepared& p, const options& o, bool measure_error) {
#if CANTUS_EXAMPLE_HAVE_CUDA
  if (o.backend == "cuda") return run_model_cuda(name, p, o, measure_error);
#endif
  return run_model_on<cantus::cpu>(name, p, o, measure_error);
}

}  // namespace paper
