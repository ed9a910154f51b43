#pragma once
// 2-D scatter plot coloured by class with a legend and a title (the paper's t-SNE figures), PNG or SVG.
#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "cantus/classify/common.hpp"
#include "cantus/viz/canvas.hpp"
#include "cantus/viz/palette.hpp"

namespace cantus::viz {

struct scatter_options {
  std::string title;
  int width = 900;
  int height = 700;
  double point_radius = 2.2;
  double alpha = 0.75;
};

namespace detail {
// About five round tick values covering [lo, hi].
inline std::vector<double> nice_ticks(double lo, double hi) {
  const double span = hi - lo;
  if (!(span > 0)) return {lo};
  const double raw = span / 5, mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double step = (raw / mag >= 5 ? 10 : raw / mag >= 2 ? 5 : raw / mag >= 1 ? 2 : 1) * mag;
  std::vector<double> t;
  for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9 * span; v += step) t.push_back(std::abs(v) < 1e-12 * span ? 0.0 : v);
  return t;
}
inline std::string tick_label(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}
}  // namespace detail

// points: n x 2; labels: n class ids (any ints); names[k] names the k-th smallest distinct label
// (missing names fall back to the label's number).
inline void scatter_plot(const std::filesystem::path& path, const Eigen::Ref<const Eigen::MatrixXd>& points,
                         classify::labels_ref labels,
                  const std::vector<std::string>& names = {}, const scatter_options& opt = {}) {
  const auto n = static_cast<std::size_t>(points.rows());
  if (points.cols() != 2)
    throw shape_error(cantus::detail::concat("scatter_plot: points must have shape [n, 2] but found [", points.rows(), ", ",
                                             points.cols(), "]"));
  if (static_cast<std::size_t>(labels.size()) != n)
    throw shape_error(cantus::detail::concat("scatter_plot: labels must hold one label per point: expected ", n,
                                             " but found ", labels.size()));
  if (n == 0) throw value_error("scatter_plot: no points to draw");
  std::vector<int> classes(labels.values.begin(), labels.values.end());
  std::sort(classes.begin(), classes.end());
  classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
  double x0 = points(0, 0), x1 = x0, y0 = points(0, 1), y1 = y0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(points(i, 0)) || !std::isfinite(points(i, 1)))
      throw value_error(cantus::detail::concat("scatter_plot: point ", i, " is not finite"));
    x0 = std::min(x0, points(i, 0)), x1 = std::max(x1, points(i, 0));
    y0 = std::min(y0, points(i, 1)), y1 = std::max(y1, points(i, 1));
  }
  const double padx = std::max(1e-12, (x1 - x0) * 0.04), pady = std::max(1e-12, (y1 - y0) * 0.04);
  x0 -= padx, x1 += padx, y0 -= pady, y1 += pady;
  auto name_of = [&](std::size_t k) { return k < names.size() ? names[k] : std::to_string(classes[k]); };

  render_to_file(path, opt.width, opt.height, [&](cairo_t* cr) {
    set_font(cr, 13);
    double legend_w = 0;
    for (std::size_t k = 0; k < classes.size(); ++k) legend_w = std::max(legend_w, text_width(cr, name_of(k)));
    const double left = 70, right = opt.width - (legend_w + 60), top = opt.title.empty() ? 20 : 50, bottom = opt.height - 50;
    auto X = [&](double v) { return left + (v - x0) / (x1 - x0) * (right - left); };
    auto Y = [&](double v) { return bottom - (v - y0) / (y1 - y0) * (bottom - top); };
    if (!opt.title.empty()) {
      set_font(cr, 18, true);
      cairo_set_source_rgb(cr, 0, 0, 0);
      draw_text(cr, opt.title, (left + right) / 2, 25, 0.5, 0.5);
    }
    // Ticks and frame.
    set_font(cr, 11);
    cairo_set_line_width(cr, 1);
    for (double t : detail::nice_ticks(x0, x1)) {
      cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
      cairo_move_to(cr, X(t), bottom), cairo_line_to(cr, X(t), bottom + 5), cairo_stroke(cr);
      draw_text(cr, detail::tick_label(t), X(t), bottom + 8, 0.5, 0.0);
    }
    for (double t : detail::nice_ticks(y0, y1)) {
      cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
      cairo_move_to(cr, left - 5, Y(t)), cairo_line_to(cr, left, Y(t)), cairo_stroke(cr);
      draw_text(cr, detail::tick_label(t), left - 8, Y(t), 1.0, 0.5);
    }
    // Points, clipped to the plot area.
    cairo_save(cr);
    cairo_rectangle(cr, left, top, right - left, bottom - top);
    cairo_clip(cr);
    for (std::size_t i = 0; i < n; ++i) {
      const auto k = static_cast<std::size_t>(std::lower_bound(classes.begin(), classes.end(), labels[i]) - classes.begin());
      const rgb c = category_colour(k);
      cairo_set_source_rgba(cr, c.r, c.g, c.b, opt.alpha);
      cairo_new_sub_path(cr);
      cairo_arc(cr, X(points(i, 0)), Y(points(i, 1)), opt.point_radius, 0, 2 * M_PI);
      cairo_fill(cr);
    }
    cairo_restore(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_rectangle(cr, left, top, right - left, bottom - top);
    cairo_stroke(cr);
    // Legend.
    set_font(cr, 13);
    const double lx = right + 15;
    double ly = top + 10;
    for (std::size_t k = 0; k < classes.size(); ++k, ly += 22) {
      const rgb c = category_colour(k);
      cairo_set_source_rgb(cr, c.r, c.g, c.b);
      cairo_new_sub_path(cr);
      cairo_arc(cr, lx + 6, ly, 5, 0, 2 * M_PI);
      cairo_fill(cr);
      cairo_set_source_rgb(cr, 0, 0, 0);
      draw_text(cr, name_of(k), lx + 18, ly, 0.0, 0.5);
    }
  });
}

}  // namespace cantus::viz
