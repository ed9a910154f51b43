#pragma once
// Lets any nn::optimizer (SGD, Adam, AdamW) drive models::train: the trainer's optimizer interface is
// zero_grad / step / save_state / load_state, and nn::optimizer exposes its state as named buffers
// plus a step count, which is what a checkpoint must hold to resume bit-identically.
#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "cantus/base/error.hpp"
#include "cantus/nn/optim/optimizer.hpp"

namespace cantus::models {

template <class Optimizer>
class optimizer_adapter {
 public:
  explicit optimizer_adapter(Optimizer& o) : o_(o) {}
  void zero_grad() { o_.zero_grad(); }
  void step() { o_.step(); }
  void set_lr(double lr) { o_.set_lr(lr); }
  void save_state(std::ostream& out) {
    const std::string kind = o_.kind();
    const std::uint64_t n = kind.size();
    out.write(reinterpret_cast<const char*>(&n), sizeof n);
    out.write(kind.data(), static_cast<std::streamsize>(n));
    const std::int64_t steps = o_.steps();
    out.write(reinterpret_cast<const char*>(&steps), sizeof steps);
    std::vector<float> host;
    for (auto& s : o_.state()) {
      host.resize(static_cast<std::size_t>(s.value.size()));
      backend_ops<typename Optimizer::backend_type>::download(host.data(), s.value.data(), host.size());
      out.write(reinterpret_cast<const char*>(host.data()), static_cast<std::streamsize>(host.size() * sizeof(float)));
    }
  }
  void load_state(std::istream& in) {
    std::uint64_t n = 0;
    in.read(reinterpret_cast<char*>(&n), sizeof n);
    if (!in || n > 64) throw io_error("optimizer state: corrupt or truncated checkpoint");
    std::string kind(n, '\0');
    in.read(kind.data(), static_cast<std::streamsize>(n));
    if (kind != o_.kind())
      throw io_error(cantus::detail::concat("optimizer state: the checkpoint holds ", kind, " state but this run uses ", o_.kind()));
    std::int64_t steps = 0;
    in.read(reinterpret_cast<char*>(&steps), sizeof steps);
    o_.set_steps(steps);
    std::vector<float> host;
    for (auto& s : o_.state()) {
      host.resize(static_cast<std::size_t>(s.value.size()));
      in.read(reinterpret_cast<char*>(host.data()), static_cast<std::streamsize>(host.size() * sizeof(float)));
      backend_ops<typename Optimizer::backend_type>::upload(s.value.data(), host.data(), host.size());
    }
    if (!in) throw io_error("optimizer state: truncated checkpoint");
  }

 private:
  Optimizer& o_;
};

}  // namespace cantus::models
