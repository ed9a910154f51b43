#pragma once
// gradient_all_reduce: after each rank's backward pass over its shard of a batch, every rank's
// gradients become sum_r weight_r * grad_r (weight_r = the rank's share of the batch's rows), so all
// ranks take the same optimizer step as one process would on the whole batch.
//
// Gradients travel in buckets of about bucket_bytes (many small tensors per call instead of one call
// each, as PyTorch DDP does): while one bucket's all-reduce is in flight the next is packed. Packing
// goes through host memory, so a device backend works over any MPI, CUDA-aware or not (with NCCL the
// CUDA backend reduces on the GPU instead: gradient_reducer below). The models' backward passes are single calls, so the reduction
// starts after backward instead of overlapping it; docs/scaling.md gives its measured cost.
#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include "cantus/backend/backend.hpp"
#include "cantus/distributed/group.hpp"
#include "cantus/nn/parameter.hpp"

namespace cantus::distributed {

template <class T, class B = cpu>
class gradient_all_reduce {
 public:
  // values: reduce the parameters' values instead of their gradients (for buffers such as BatchNorm's
  // running statistics, which each rank updates from its own shard).
  gradient_all_reduce(process_group& group, nn::parameter_list<T, B> params, std::size_t bucket_bytes = std::size_t(4) << 20,
                      bool values = false)
      : group_(group), params_(std::move(params)) {
    if (values)
      for (auto& p : params_) p.grad = p.value;
    const std::size_t cap = std::max<std::size_t>(1, bucket_bytes / sizeof(T));
    bucket cur;
    for (std::size_t p = 0; p < params_.size(); ++p) {
      const std::size_t n = static_cast<std::size_t>(params_[p].grad.size());
      for (std::size_t off = 0; off < n;) {
        const std::size_t take = std::min(n - off, cap - cur.size);
        cur.pieces.push_back({p, off, take});
        cur.size += take;
        off += take;
        if (cur.size == cap) {
          buckets_.push_back(std::move(cur));
          cur = {};
        }
      }
      total_ += n;
    }
    if (cur.size) buckets_.push_back(std::move(cur));
    for (auto& b : buffers_) b.resize(std::min(cap, total_));
  }

  // Sums weight * gradient over the ranks, into every rank's gradients.
  void operator()(T weight) {
    const auto t0 = std::chrono::steady_clock::now();
    std::unique_ptr<process_group::request> in_flight[2];
    for (std::size_t k = 0; k < buckets_.size(); ++k) {
      const std::size_t slot = k % 2;
      if (in_flight[slot]) {  // the bucket that used this buffer two steps ago
        in_flight[slot]->wait();
        unpack(buckets_[k - 2], buffers_[slot]);
      }
      pack(buckets_[k], buffers_[slot], weight);
      in_flight[slot] = group_.start_all_reduce_sum(buffers_[slot].data(), buckets_[k].size);
    }
    for (std::size_t k = buckets_.size() >= 2 ? buckets_.size() - 2 : 0; k < buckets_.size(); ++k) {
      in_flight[k % 2]->wait();
      unpack(buckets_[k], buffers_[k % 2]);
    }
    seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++calls_;
  }

  std::size_t elements() const { return total_; }
  std::size_t buckets() const { return buckets_.size(); }
  double seconds() const { return seconds_; }  // spent in operator(), all calls
  std::int64_t calls() const { return calls_; }

 private:
  struct piece {
    std::size_t param, offset, count;
  };
  struct bucket {
    std::vector<piece> pieces;
    std::size_t size = 0;
  };

  void pack(const bucket& b, std::vector<T>& buf, T weight) {
    T* dst = buf.data();
    for (const auto& p : b.pieces) {
      const T* src = params_[p.param].grad.data() + p.offset;
      if constexpr (B::host_accessible) std::copy(src, src + p.count, dst);
      else backend_ops<B>::download(dst, src, p.count);
      if (weight != T(1))
        for (std::size_t i = 0; i < p.count; ++i) dst[i] *= weight;
      dst += p.count;
    }
  }
  void unpack(const bucket& b, const std::vector<T>& buf) {
    const T* src = buf.data();
    for (const auto& p : b.pieces) {
      T* dst = params_[p.param].grad.data() + p.offset;
      if constexpr (B::host_accessible) std::copy(src, src + p.count, dst);
      else backend_ops<B>::upload(dst, src, p.count);
      src += p.count;
    }
  }

  process_group& group_;
  nn::parameter_list<T, B> params_;
  std::vector<bucket> buckets_;
  std::vector<T> buffers_[2];
  std::size_t total_ = 0;
  double seconds_ = 0;
  std::int64_t calls_ = 0;
};

// The reducer the trainer uses for parameters on backend B: gradient_all_reduce, through host memory,
// unless the backend brings a better one (on cuda with NCCL: nccl_all_reduce.hpp, included below,
// specialises this). Same interface: (group, params, bucket_bytes, values), operator()(weight),
// seconds().
template <class T, class B>
struct gradient_reducer {
  using type = gradient_all_reduce<T, B>;
};
template <class T, class B>
using gradient_reducer_t = typename gradient_reducer<T, B>::type;

}  // namespace cantus::distributed

// Only files that see the CUDA backend (nvcc, or the build tree's compiled kernels: CANTUS_CUDA_DECLARE)
// train on cuda; the others are spared CUDA's and NCCL's headers.
#if CANTUS_CUDA_DECLARE && CANTUS_WITH_NCCL
#include "cantus/distributed/nccl_all_reduce.hpp"
#endif
