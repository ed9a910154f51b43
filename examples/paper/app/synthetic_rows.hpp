#pragma once
// A data set of n synthetic rows of a registry model's input (its synthetic_batch at batch size n),
// for benchmarks and tests that train a model through models::train without a corpus.
#include <algorithm>
#include <span>

#include "app/registry.hpp"

namespace paper {

using namespace cantus;  // the application is written in the library's terms

// Rows [r0, r1, ...] (along dimension 0) of a host batch, for every batch type of the paper models.
template <class T, std::size_t R>
tensor<T, R> take_rows(const tensor<T, R>& t, std::span<const index_t> rows) {
  auto s = t.shape();
  const index_t per = s[0] > 0 ? t.size() / s[0] : 0;
  s[0] = static_cast<index_t>(rows.size());
  tensor<T, R> out(s);
  for (std::size_t i = 0; i < rows.size(); ++i)
    std::copy(t.data() + rows[i] * per, t.data() + (rows[i] + 1) * per, out.data() + static_cast<index_t>(i) * per);
  return out;
}
inline models::wavenet_batch<cpu> take_rows(const models::wavenet_batch<cpu>& b, std::span<const index_t> rows) {
  return {take_rows(b.q, rows), take_rows(b.mel, rows)};
}
inline models::labelled_chunks<cpu> take_rows(const models::labelled_chunks<cpu>& b, std::span<const index_t> rows) {
  return {take_rows(b.x, rows), take_rows(b.y, rows)};
}

template <class Entry>
struct synthetic_rows {
  using batch_type = typename Entry::model::batch_type;
  batch_type all;
  index_t n = 0;
  synthetic_rows(const typename Entry::config_type& c, index_t rows, std::uint64_t seed)
      : all(Entry::synthetic_batch(c, rows, seed)), n(rows) {}
  index_t size() const { return n; }
  batch_type batch(std::span<const index_t> rows) const { return take_rows(all, rows); }
};

}  // namespace paper
