#pragma once
// Vantage-point tree (Yianilos 1993) for exact k-nearest-neighbour queries under the Euclidean
// distance; t-SNE uses it to find the 3 * perplexity neighbours its input similarities live on.
// Vantage points are drawn from a counter-based stream, so the tree (and any tie order) is the same
// on every run.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <queue>
#include <utility>
#include <vector>

#include "cantus/core/random.hpp"

namespace cantus::classify {

class vp_tree {
 public:
  // `points` is row-major n x dim and must outlive the tree.
  vp_tree(const double* points, std::int64_t n, std::int64_t dim, std::uint64_t seed = 0)
      : x_(points), n_(n), dim_(dim), rng_(seed, 0x7670u) {
    items_.resize(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) items_[i] = static_cast<std::int32_t>(i);
    nodes_.reserve(static_cast<std::size_t>(n));
    build(0, static_cast<std::int32_t>(n));
  }

  double distance(std::int64_t a, const double* q) const {
    const double* p = x_ + a * dim_;
    double s = 0;
    for (std::int64_t k = 0; k < dim_; ++k) {
      const double t = p[k] - q[k];
      s += t * t;
    }
    return std::sqrt(s);
  }

  // The k nearest points to point `self` (itself excluded), nearest first, as (index, distance).
  void neighbours_of(std::int64_t self, int k, std::vector<std::int32_t>& index, std::vector<double>& dist) const {
    const double* q = x_ + self * dim_;
    std::priority_queue<std::pair<double, std::int32_t>> heap;  // the k best so far, worst on top
    double tau = std::numeric_limits<double>::max();
    // Depth-first, near side first so that tau shrinks early. Each pending subtree carries a lower
    // bound on the distance from q to any point in it (triangle inequality), checked when popped.
    std::vector<std::pair<double, std::int32_t>> stack;
    if (!nodes_.empty()) stack.emplace_back(0.0, 0);
    while (!stack.empty()) {
      const auto [bound, id] = stack.back();
      stack.pop_back();
      if (bound > tau) continue;
      const auto& nd = nodes_[id];
      const double d = distance(nd.point, q);
      if (nd.point != self && d < tau) {
        heap.emplace(d, nd.point);
        if (static_cast<int>(heap.size()) > k) heap.pop();
        if (static_cast<int>(heap.size()) == k) tau = heap.top().first;
      }
      const double inside_bound = std::max(0.0, d - nd.radius), outside_bound = std::max(0.0, nd.radius - d);
      if (d < nd.radius) {
        if (nd.outside >= 0 && outside_bound <= tau) stack.emplace_back(outside_bound, nd.outside);
        if (nd.inside >= 0) stack.emplace_back(inside_bound, nd.inside);
      } else {
        if (nd.inside >= 0 && inside_bound <= tau) stack.emplace_back(inside_bound, nd.inside);
        if (nd.outside >= 0) stack.emplace_back(outside_bound, nd.outside);
      }
    }
    index.resize(heap.size());
    dist.resize(heap.size());
    for (auto k2 = static_cast<std::ptrdiff_t>(heap.size()) - 1; k2 >= 0; --k2) {
      index[k2] = heap.top().second;
      dist[k2] = heap.top().first;
      heap.pop();
    }
  }

 private:
  struct node {
    std::int32_t point;
    double radius;
    std::int32_t inside, outside;  // points with distance <= radius / >= radius
  };

  std::int32_t build(std::int32_t lo, std::int32_t hi) {
    if (lo >= hi) return -1;
    const auto id = static_cast<std::int32_t>(nodes_.size());
    nodes_.push_back({-1, 0.0, -1, -1});
    const auto pick = lo + static_cast<std::int32_t>(rng_.below(draw_++, static_cast<std::uint64_t>(hi - lo)));
    std::swap(items_[lo], items_[pick]);
    const std::int32_t vp = items_[lo];
    nodes_[id].point = vp;
    if (hi - lo > 1) {
      const double* q = x_ + static_cast<std::int64_t>(vp) * dim_;
      const std::int32_t mid = (lo + 1 + hi) / 2;
      std::vector<std::pair<double, std::int32_t>> by_distance;
      by_distance.reserve(static_cast<std::size_t>(hi - lo - 1));
      for (std::int32_t k = lo + 1; k < hi; ++k) by_distance.emplace_back(distance(items_[k], q), items_[k]);
      std::nth_element(by_distance.begin(), by_distance.begin() + (mid - lo - 1), by_distance.end());
      for (std::int32_t k = lo + 1; k < hi; ++k) items_[k] = by_distance[k - lo - 1].second;
      nodes_[id].radius = by_distance[mid - lo - 1].first;
      const auto in = build(lo + 1, mid);
      const auto out = build(mid, hi);
      nodes_[id].inside = in;
      nodes_[id].outside = out;
    }
    return id;
  }

  const double* x_;
  std::int64_t n_, dim_;
  random_stream rng_;
  std::uint64_t draw_ = 0;
  std::vector<std::int32_t> items_;
  std::vector<node> nodes_;
};

}  // namespace cantus::classify
