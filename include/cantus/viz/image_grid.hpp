#pragma once
// A grid of images (spectrograms) on one shared colour scale: rows x cols cells, each a matrix
// [height, width] drawn with row 0 at the bottom (low frequencies low), viridis from the smallest to
// the largest value over all cells, row and column labels. For latent traversals: one row per latent
// dimension, one column per value it takes.
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "cantus/base/error.hpp"
#include "cantus/core/tensor.hpp"
#include "cantus/viz/canvas.hpp"
#include "cantus/viz/palette.hpp"

namespace cantus::viz {

struct image_grid_options {
  std::string title;
  double scale = 2;  // pixels per matrix entry
};

// cells[r * cols + c]: the image of row r, column c; all the same shape.
inline void image_grid(const std::filesystem::path& path, const std::vector<tensor<float, 2>>& cells, int rows, int cols,
                       const std::vector<std::string>& row_labels, const std::vector<std::string>& col_labels,
                       const image_grid_options& opt = {}) {
  if (rows < 1 || cols < 1 || cells.size() != static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols))
    throw shape_error(cantus::detail::concat("image_grid: ", rows, " x ", cols, " cells expected, ", cells.size(), " given"));
  if (row_labels.size() != static_cast<std::size_t>(rows) || col_labels.size() != static_cast<std::size_t>(cols))
    throw shape_error("image_grid: one label per row and per column");
  const index_t h = cells[0].extent(0), w = cells[0].extent(1);
  if (h < 1 || w < 1) throw shape_error("image_grid: empty images");
  float lo = std::numeric_limits<float>::infinity(), hi = -lo;
  for (const auto& c : cells) {
    if (c.extent(0) != h || c.extent(1) != w) throw shape_error("image_grid: images of different shapes");
    for (index_t i = 0; i < c.size(); ++i)
      if (std::isfinite(c.data()[i])) lo = std::min(lo, c.data()[i]), hi = std::max(hi, c.data()[i]);
  }
  if (!(hi > lo)) hi = lo + 1;
  const double cw = w * opt.scale, ch = h * opt.scale, gap = 6, left = 90, top = opt.title.empty() ? 30 : 60;
  const int width = static_cast<int>(left + cols * (cw + gap) + 10), height = static_cast<int>(top + rows * (ch + gap) + 10);
  render_to_file(path, width, height, [&](cairo_t* cr) {
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    if (!opt.title.empty()) {
      set_font(cr, 16, true);
      cairo_set_source_rgb(cr, 0, 0, 0);
      draw_text(cr, opt.title, width / 2.0, 22, 0.5, 0.5);
    }
    set_font(cr, 12);
    for (int c = 0; c < cols; ++c) {
      cairo_set_source_rgb(cr, 0, 0, 0);
      draw_text(cr, col_labels[static_cast<std::size_t>(c)], left + c * (cw + gap) + cw / 2, top - 12, 0.5, 0.5);
    }
    for (int r = 0; r < rows; ++r) {
      cairo_set_source_rgb(cr, 0, 0, 0);
      draw_text(cr, row_labels[static_cast<std::size_t>(r)], left - 8, top + r * (ch + gap) + ch / 2, 1.0, 0.5);
      for (int c = 0; c < cols; ++c) {
        const auto& m = cells[static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(c)];
        cairo_surface_t* img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(w), static_cast<int>(h));
        const int stride = cairo_image_surface_get_stride(img);
        unsigned char* px = cairo_image_surface_get_data(img);
        cairo_surface_flush(img);
        for (index_t y = 0; y < h; ++y)
          for (index_t x = 0; x < w; ++x) {
            const float v = m(h - 1 - y, x);  // row 0 at the bottom
            const rgb col = std::isfinite(v) ? viridis((v - lo) / (hi - lo)) : rgb{1, 1, 1};
            auto* p = reinterpret_cast<std::uint32_t*>(px + y * stride) + x;
            *p = (std::uint32_t(col.r * 255 + 0.5) << 16) | (std::uint32_t(col.g * 255 + 0.5) << 8) | std::uint32_t(col.b * 255 + 0.5);
          }
        cairo_surface_mark_dirty(img);
        cairo_save(cr);
        cairo_translate(cr, left + c * (cw + gap), top + r * (ch + gap));
        cairo_scale(cr, opt.scale, opt.scale);
        cairo_set_source_surface(cr, img, 0, 0);
        cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
        cairo_paint(cr);
        cairo_restore(cr);
        cairo_surface_destroy(img);
      }
    }
  });
}

}  // namespace cantus::viz
