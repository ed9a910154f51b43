#pragma once
// Space-partitioning tree over 2-D points for Barnes-Hut t-SNE: every cell keeps its point count and
// centre of mass, so a far cell's repulsion is one term instead of one per point. Rebuilt each
// iteration (O(N log N)); cells are stored in one array, children of a cell contiguous.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace cantus::classify {

class quadtree {
 public:
  struct cell {
    double cx, cy, half;      // square cell: centre and half width
    double sx = 0, sy = 0;    // sum of the positions inside (centre of mass = s / count)
    std::int32_t count = 0;
    std::int32_t first_child = -1;  // -1 for a leaf
    std::int32_t point = -1;        // a leaf's point (duplicates share one leaf)
  };

  // xy: n points, interleaved (x0, y0, x1, y1, ...).
  void build(const double* xy, std::int64_t n) {
    cells_.clear();
    cells_.reserve(static_cast<std::size_t>(4 * n + 1));
    double lo_x = xy[0], hi_x = xy[0], lo_y = xy[1], hi_y = xy[1];
    for (std::int64_t i = 1; i < n; ++i) {
      lo_x = std::min(lo_x, xy[2 * i]), hi_x = std::max(hi_x, xy[2 * i]);
      lo_y = std::min(lo_y, xy[2 * i + 1]), hi_y = std::max(hi_y, xy[2 * i + 1]);
    }
    const double half = std::max({hi_x - lo_x, hi_y - lo_y, 1e-12}) * 0.5 * (1 + 1e-6);
    cells_.push_back({0.5 * (lo_x + hi_x), 0.5 * (lo_y + hi_y), half});
    for (std::int64_t i = 0; i < n; ++i) insert(static_cast<std::int32_t>(i), xy[2 * i], xy[2 * i + 1], xy);
    summaries_.resize(cells_.size());
    for (std::size_t k = 0; k < cells_.size(); ++k) {
      const cell& c = cells_[k];
      const double inv = c.count > 0 ? 1.0 / c.count : 0.0;
      summaries_[k] = {c.sx * inv, c.sy * inv, 4 * c.half * c.half, c.count, c.first_child, c.point};
    }
  }

  // What the force computation reads, packed: centre of mass, squared cell width, count, links.
  struct summary {
    double x, y, width2;
    std::int32_t count, first_child, point;
  };
  const std::vector<summary>& summaries() const { return summaries_; }
  const std::vector<cell>& cells() const { return cells_; }

 private:
  static constexpr int kMaxDepth = 48;  // beyond this, points count as duplicates of the leaf's

  static int quadrant(const cell& c, double x, double y) { return (x >= c.cx ? 1 : 0) + (y >= c.cy ? 2 : 0); }

  void insert(std::int32_t i, double x, double y, const double* xy) {
    std::int32_t id = 0;
    for (int depth = 0;; ++depth) {
      cell& c = cells_[id];
      if (c.first_child < 0) {
        if (c.count == 0) {
          c.point = i, c.count = 1, c.sx = x, c.sy = y;
          return;
        }
        const double px = xy[2 * c.point], py = xy[2 * c.point + 1];
        if ((px == x && py == y) || depth >= kMaxDepth) {
          ++c.count, c.sx += x, c.sy += y;
          return;
        }
        // Split: the resident (with any duplicates) moves down into its quadrant.
        const auto first = static_cast<std::int32_t>(cells_.size());
        const double h = c.half * 0.5, cx = c.cx, cy = c.cy;
        const cell resident = c;
        for (int q = 0; q < 4; ++q) cells_.push_back({cx + ((q & 1) ? h : -h), cy + ((q & 2) ? h : -h), h});
        cell& parent = cells_[id];  // push_back may have moved it
        parent.first_child = first;
        parent.point = -1;
        cell& child = cells_[first + quadrant(parent, px, py)];
        child.point = resident.point, child.count = resident.count, child.sx = resident.sx, child.sy = resident.sy;
      }
      cell& p = cells_[id];
      ++p.count, p.sx += x, p.sy += y;
      id = p.first_child + quadrant(p, x, y);
    }
  }

  std::vector<cell> cells_;
  std::vector<summary> summaries_;
};

}  // namespace cantus::classify
