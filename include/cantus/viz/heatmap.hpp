#pragma once
// Heatmaps. confusion_heatmap: rows = true class, columns = predicted class, each cell shaded by its
// share of the row (so classes of different sizes read alike) and labelled with its count.
// value_heatmap: any table of values in [0, 1] (scores of models against factors), each cell shaded
// by its value and labelled with it.
#include <cmath>
#include <Eigen/Core>

#include <algorithm>
#include <string>
#include <vector>

#include "cantus/viz/canvas.hpp"
#include "cantus/viz/palette.hpp"

namespace cantus::viz {

// The width in pixels of the widest of `names` at the labels' 13 px font (on a scratch surface).
inline double widest_label(const std::vector<std::string>& names) {
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 8, 8);
  cairo_t* cr = cairo_create(s);
  set_font(cr, 13);
  double w = 0;
  for (const auto& n : names) w = std::max(w, text_width(cr, n));
  cairo_destroy(cr);
  cairo_surface_destroy(s);
  return w;
}

// One c x c cell at (x, y) filled with `fill` and labelled in black or white, whichever reads.
inline void labelled_cell(cairo_t* cr, double x, double y, double c, rgb fill, const std::string& label, double font) {
  cairo_set_source_rgb(cr, fill.r, fill.g, fill.b);
  cairo_rectangle(cr, x, y, c, c);
  cairo_fill(cr);
  const double ink = luminance(fill) < 0.45 ? 1.0 : 0.0;
  cairo_set_source_rgb(cr, ink, ink, ink);
  set_font(cr, font);
  draw_text(cr, label, x + 0.5 * c, y + 0.5 * c, 0.5, 0.5);
}

struct heatmap_options {
  std::string title = "Confusion matrix";
  int cell = 56;  // pixels per cell
};

inline void confusion_heatmap(const std::filesystem::path& path, const Eigen::MatrixXi& counts,
                              const std::vector<std::string>& names = {}, const heatmap_options& opt = {}) {
  const auto K = counts.rows();
  if (K == 0 || counts.cols() != K)
    throw shape_error(cantus::detail::concat("confusion_heatmap: counts must be a non-empty square matrix but found [", counts.rows(),
                                             ", ", counts.cols(), "]"));
  if (!names.empty() && static_cast<Eigen::Index>(names.size()) != K)
    throw shape_error(cantus::detail::concat("confusion_heatmap: names must hold one name per class: expected ", K,
                                             " but found ", names.size()));
  if ((counts.array() < 0).any()) throw value_error("confusion_heatmap: counts must be >= 0");
  auto name_of = [&](Eigen::Index k) { return names.empty() ? std::to_string(k) : names[k]; };
  std::vector<std::string> all_names;
  for (Eigen::Index k = 0; k < K; ++k) all_names.push_back(name_of(k));
  const double label_w = widest_label(all_names);
  const double c = opt.cell, left = label_w + 60, top = opt.title.empty() ? 20 : 55;
  const double grid = c * static_cast<double>(K);
  const int width = static_cast<int>(left + grid + 30), height = static_cast<int>(top + grid + label_w + 60);
  render_to_file(path, width, height, [&](cairo_t* cr) {
    if (!opt.title.empty()) {
      set_font(cr, 18, true);
      cairo_set_source_rgb(cr, 0, 0, 0);
      draw_text(cr, opt.title, left + grid / 2, 25, 0.5, 0.5);
    }
    for (Eigen::Index i = 0; i < K; ++i) {
      const double row_total = std::max(1, counts.row(i).sum());
      for (Eigen::Index j = 0; j < K; ++j) {
        labelled_cell(cr, left + j * c, top + i * c, c, blues(counts(i, j) / row_total), std::to_string(counts(i, j)),
                      std::min(14.0, c * 0.3));
      }
    }
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, left, top, grid, grid);
    cairo_stroke(cr);
    set_font(cr, 13);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (Eigen::Index k = 0; k < K; ++k) {
      draw_text(cr, name_of(k), left - 8, top + (k + 0.5) * c, 1.0, 0.5);
      draw_text(cr, name_of(k), left + (k + 0.5) * c, top + grid + 8, 1.0, 0.5, -M_PI / 2);  // rotated column names
    }
    set_font(cr, 14, true);
    draw_text(cr, "Predicted label", left + grid / 2, top + grid + label_w + 30, 0.5, 0.5);
    draw_text(cr, "True label", 18, top + grid / 2, 0.5, 0.5, -M_PI / 2);
  });
}

// rows x cols values, shaded on [0, 1] (clamped; NaN drawn grey and labelled n/a).
inline void value_heatmap(const std::filesystem::path& path, const Eigen::MatrixXd& values, const std::vector<std::string>& row_names,
                          const std::vector<std::string>& col_names, const heatmap_options& opt = {}) {
  const auto R = values.rows(), C = values.cols();
  if (R == 0 || C == 0) throw shape_error("value_heatmap: values must not be empty");
  if (static_cast<Eigen::Index>(row_names.size()) != R || static_cast<Eigen::Index>(col_names.size()) != C)
    throw shape_error(cantus::detail::concat("value_heatmap: ", R, "x", C, " values but ", row_names.size(), " row and ",
                                             col_names.size(), " column names"));
  const double row_w = widest_label(row_names), col_w = widest_label(col_names);
  const double c = opt.cell, left = row_w + 24, top = (opt.title.empty() ? 20 : 55);
  const double gw = c * static_cast<double>(C), gh = c * static_cast<double>(R);
  const int width = static_cast<int>(std::max(left + gw + 30, opt.title.size() * 9.0 + 40)),
            height = static_cast<int>(top + gh + col_w + 30);
  render_to_file(path, width, height, [&](cairo_t* cr) {
    if (!opt.title.empty()) {
      set_font(cr, 16, true);
      cairo_set_source_rgb(cr, 0, 0, 0);
      draw_text(cr, opt.title, width / 2.0, 25, 0.5, 0.5);
    }
    for (Eigen::Index i = 0; i < R; ++i)
      for (Eigen::Index j = 0; j < C; ++j) {
        const double v = values(i, j);
        char b[16];
        if (std::isnan(v)) std::snprintf(b, sizeof b, "n/a");
        else std::snprintf(b, sizeof b, "%.2f", v);
        labelled_cell(cr, left + j * c, top + i * c, c, std::isnan(v) ? rgb{0.85, 0.85, 0.85} : blues(std::clamp(v, 0.0, 1.0)), b,
                      std::min(13.0, c * 0.26));
      }
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, left, top, gw, gh);
    cairo_stroke(cr);
    set_font(cr, 13);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (Eigen::Index i = 0; i < R; ++i) draw_text(cr, row_names[static_cast<std::size_t>(i)], left - 8, top + (i + 0.5) * c, 1.0, 0.5);
    for (Eigen::Index j = 0; j < C; ++j)
      draw_text(cr, col_names[static_cast<std::size_t>(j)], left + (j + 0.5) * c, top + gh + 8, 1.0, 0.5, -M_PI / 2);
  });
}

}  // namespace cantus::viz
