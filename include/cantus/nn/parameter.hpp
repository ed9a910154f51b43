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
