#pragma once
// models::to_backend<B>(batch): a model batch copied to backend B, for every batch type of the model
// templates (tensors, wavenet_batch, labelled_chunks). Data sets build batches in host memory; a
// model on the GPU trains on `m.loss_and_backward(models::to_backend<cuda>(batch))`.
#include <span>
#include <utility>

#include "cantus/core/tensor.hpp"
#include "cantus/models/classifier.hpp"
#include "cantus/models/wavenet_stack.hpp"

namespace cantus::models {

template <class To, class T, std::size_t R, class From>
tensor<T, R, To> to_backend(const tensor<T, R, From>& t) {
  return t.template to<To>();
}
template <class To, class From>
wavenet_batch<To> to_backend(const wavenet_batch<From>& b) {
  return {b.q.template to<To>(), b.mel.template to<To>()};
}
template <class To, class From>
labelled_chunks<To> to_backend(const labelled_chunks<From>& b) {
  return {b.x.template to<To>(), b.y.template to<To>()};
}

// A data set whose batches arrive on backend B: the trainer's batch_source over any host data set.
template <class B, class Data>
class data_on {
 public:
  using batch_type = decltype(to_backend<B>(std::declval<const Data&>().batch(std::span<const index_t>{})));
  explicit data_on(const Data& d) : d_(&d) {}
  index_t size() const { return d_->size(); }
  batch_type batch(std::span<const index_t> rows) const { return to_backend<B>(d_->batch(rows)); }

 private:
  const Data* d_;
};

}  // namespace cantus::models
