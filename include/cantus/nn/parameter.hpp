#pragma once
// A layer's trainable tensors as optimizers and checkpoints see them: a name, the value, the
// gradient (same shape), both as flat views into the layer's own storage.
#include <string>
#include <vector>

#include "cantus/core/tensor.hpp"

namespace cantus::nn {

template <class T, class Backend = cpu>
struct parameter {
  std::string name;                       // "conv1.weight": layer path + PyTorch's parameter name
  tensor_view<T, 1, Backend> value;       // flat view of the parameter
  tensor_view<T, 1, Backend> grad;        // flat view of its gradient, accumulated by backward()
  std::vector<index_t> shape;             // logical shape, e.g. [out, in, kernel] as in PyTorch
};

template <class T, class Backend = cpu>
using parameter_list = std::vector<parameter<T, Backend>>;

// A layer's own storage for one trainable tensor and its gradient, both in the backend's memory.
// Initial values are drawn on the host (the same numbers on every backend) and copied in with
// set_from_host; an empty trainable (size 0) stands for an absent tensor such as a disabled bias.
template <class T, class Backend = cpu>
struct trainable {
  tensor<T, 1, Backend> value, grad;

  trainable() = default;
  explicit trainable(index_t n) : value({n}, T(0)), grad({n}, T(0)) {}

  bool empty() const { return value.data() == nullptr || value.size() == 0; }
  index_t size() const { return empty() ? 0 : value.size(); }
  T* data() { return value.data(); }
  const T* data() const { return value.data(); }
  T* grad_data() { return grad.data(); }

  // fill(tensor_view<T, 1> host) writes the values on the host; they are then copied to the backend.
  template <class Fill>
  void set_from_host(Fill&& fill) {
    if (empty()) return;
    if constexpr (Backend::host_accessible) {
      fill(tensor_view<T, 1>(value.data(), {value.size()}));
    } else {
      std::vector<T> host(static_cast<std::size_t>(value.size()));
      fill(tensor_view<T, 1>(host.data(), {value.size()}));
      backend_ops<Backend>::upload(value.data(), host.data(), host.size());
    }
  }
};

// Prefixes every name in `ps` from index `first` on with "prefix." (used by containers).
template <class T, class Backend>
void prefix_names(parameter_list<T, Backend>& ps, std::size_t first, const std::string& prefix) {
  for (std::size_t i = first; i < ps.size(); ++i) ps[i].name = prefix + "." + ps[i].name;
}

template <class T, class Backend>
void zero_grad(parameter_list<T, Backend>& ps) {
  for (auto& p : ps) backend_ops<Backend>::fill(p.grad.data(), static_cast<std::size_t>(p.grad.size()), T(0));
}

template <class T, class Backend>
index_t parameter_count(const parameter_list<T, Backend>& ps) {
  index_t n = 0;
  for (auto& p : ps) n += p.value.size();
  return n;
}

}  // namespace cantus::nn
