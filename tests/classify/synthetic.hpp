#pragma once
// Test data: Gaussian blobs around well-separated centres, from a counter-based stream.
#include <vector>

#include "cantus/classify/common.hpp"
#include "cantus/core/random.hpp"

namespace cantus::testing {

struct blobs {
  classify::row_matrix X;
  std::vector<int> y;
};

// n points in d dimensions, `classes` clusters with centres `separation` apart along distinct axes
// (plus a shared offset), unit noise; labels are label_base + 10 * class (so not 0..K-1).
inline blobs make_blobs(int n, int d, int classes, double separation, std::uint64_t seed, int label_base = -3) {
  const random_stream rng(seed);
  blobs b;
  b.X.resize(n, d);
  b.y.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const int c = i % classes;
    b.y[i] = label_base + 10 * c;
    for (int j = 0; j < d; ++j) {
      const double centre = (j == c % d ? separation : 0.0) + (j == (c / d) % d && c >= d ? separation : 0.0);
      b.X(i, j) = centre + rng.normal(static_cast<std::uint64_t>(i) * d + j);
    }
  }
  return b;
}

}  // namespace cantus::testing
