#pragma once
// The optimizer interface: parameters in (nn::parameter_list views into the layers), one update per
// step(), and the state (moment buffers, step count, learning rate) enumerable by name so a
// checkpoint can store and restore it exactly.
#include <algorithm>
#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "cantus/base/error.hpp"
#include "cantus/core/tensor.hpp"
#include "cantus/nn/parameter.hpp"

namespace cantus::nn {

// One named state buffer, e.g. "weight_ih_l0.exp_avg": a flat view into the optimizer's storage.
template <class T, class B = cpu>
struct optimizer_state_tensor {
  std::string name;
  tensor_view<T, 1, B> value;
};

// Optimizers keep their state on the parameters' backend B and update through nn::tt::optimizers.
template <class T, class B = cpu>
class optimizer {
 public:
  using value_type = T;
  using backend_type = B;

  explicit optimizer(parameter_list<T, B> params, double lr) : params_(std::move(params)), lr_(lr) {
    if (!(lr >= 0)) throw_value_error("optimizer: learning rate lr must be >= 0, got ", lr);
  }
  virtual ~optimizer() = default;
  optimizer(const optimizer&) = delete;
  optimizer& operator=(const optimizer&) = delete;

  // Applies one update from the accumulated gradients.
  void step() {
    ++steps_;
    update();
  }
  void zero_grad() { nn::zero_grad(params_); }

  double lr() const { return lr_; }
  void set_lr(double lr) {
    if (!(lr >= 0)) throw_value_error(kind(), ": learning rate lr must be >= 0, got ", lr);
    lr_ = lr;
  }
  // Number of step() calls so far (PyTorch's state['step']).
  std::int64_t steps() const { return steps_; }
  void set_steps(std::int64_t s) { steps_ = s; }

  parameter_list<T, B>& parameters() { return params_; }
  const parameter_list<T, B>& parameters() const { return params_; }

  // "sgd", "adam", "adamw": stored in checkpoints so a state is never loaded into another kind.
  virtual std::string kind() const = 0;
  // Every state buffer, named "<parameter>.<buffer>", in a fixed order.
  virtual std::vector<optimizer_state_tensor<T, B>> state() = 0;

  // The whole state (kind, lr, step count, every buffer by name) as a self-describing binary blob,
  // for training harnesses with their own checkpoint files (nn/checkpoint.hpp stores the same).
  void save_state(std::ostream& out) {
    auto put = [&](const auto& v) { out.write(reinterpret_cast<const char*>(&v), sizeof v); };
    auto put_str = [&](const std::string& x) {
      put(static_cast<std::uint32_t>(x.size()));
      out.write(x.data(), static_cast<std::streamsize>(x.size()));
    };
    out.write("CNOPTIM1", 8);
    put_str(kind());
    put(lr_);
    put(static_cast<std::int64_t>(steps_));
    auto st = state();
    put(static_cast<std::uint32_t>(st.size()));
    std::vector<T> host;
    for (auto& e : st) {
      put_str(e.name);
      put(static_cast<std::uint64_t>(e.value.size()));
      host.resize(static_cast<std::size_t>(e.value.size()));
      backend_ops<B>::download(host.data(), e.value.data(), host.size());
      out.write(reinterpret_cast<const char*>(host.data()), static_cast<std::streamsize>(host.size() * sizeof(T)));
    }
    if (!out) throw io_error(kind() + " optimizer: writing the state failed");
  }
  // Reads what save_state wrote; validates everything (kind, names, sizes) before changing anything.
  void load_state(std::istream& in) {
    const std::string who = kind() + " optimizer state";
    auto get = [&](auto& v, const char* what) {
      if (!in.read(reinterpret_cast<char*>(&v), sizeof v)) throw io_error(who + ": truncated while reading " + what);
    };
    auto get_str = [&](const char* what) {
      std::uint32_t n = 0;
      get(n, what);
      if (n > (1u << 20)) throw io_error(detail::concat(who, ": malformed ", what, " (length ", n, ")"));
      std::string x(n, '\0');
      if (!in.read(x.data(), n)) throw io_error(who + ": truncated while reading " + what);
      return x;
    };
    char magic[8];
    if (!in.read(magic, 8) || std::string(magic, 8) != "CNOPTIM1") throw io_error(who + ": not an optimizer state (bad magic)");
    const std::string k = get_str("kind");
    if (k != kind()) throw io_error(detail::concat(who, ": the state is of optimizer '", k, "'"));
    double lr = 0;
    std::int64_t steps = 0;
    std::uint32_t n = 0;
    get(lr, "lr");
    get(steps, "step count");
    get(n, "state count");
    auto live = state();
    if (n != live.size())
      throw io_error(detail::concat(who, ": holds ", n, " state tensors, this optimizer has ", live.size(),
                                    " (different parameters or options?)"));
    std::vector<std::vector<T>> values(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::string name = get_str("state name");
      std::uint64_t count = 0;
      get(count, "state size");
      if (name != live[i].name || count != static_cast<std::uint64_t>(live[i].value.size()))
        throw io_error(detail::concat(who, ": state ", i, " is '", name, "' with ", count, " values, expected '", live[i].name,
                                      "' with ", live[i].value.size()));
      values[i].resize(count);
      if (!in.read(reinterpret_cast<char*>(values[i].data()), static_cast<std::streamsize>(count * sizeof(T))))
        throw io_error(who + ": truncated in state '" + name + "'");
    }
    for (std::uint32_t i = 0; i < n; ++i) backend_ops<B>::upload(live[i].value.data(), values[i].data(), values[i].size());
    set_lr(lr);
    steps_ = steps;
  }

 protected:
  virtual void update() = 0;
  // One zeroed buffer per parameter, shaped like it.
  std::vector<tensor<T, 1, B>> zeros_like_params() const {
    std::vector<tensor<T, 1, B>> v;
    v.reserve(params_.size());
    for (auto& p : params_) v.emplace_back(shape_t<1>{p.value.size()}, T(0));
    return v;
  }
  void add_state(std::vector<optimizer_state_tensor<T, B>>& out, std::vector<tensor<T, 1, B>>& bufs, const char* what) {
    for (std::size_t i = 0; i < bufs.size(); ++i)
      out.push_back({params_[i].name + "." + what, tensor_view<T, 1, B>(bufs[i].data(), {bufs[i].size()})});
  }

  parameter_list<T, B> params_;
  double lr_;
  std::int64_t steps_ = 0;
};

}  // namespace cantus::nn
