#pragma once
// Grouped bar chart: one group per category (a model and classifier, say), one bar per series
// (train, test, the paper's figure...), values in [y_min, y_max], with an optional dashed reference
// line (chance level). Missing values (NaN) leave a gap and are marked "n/a".
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "cantus/viz/canvas.hpp"
#include "cantus/viz/palette.hpp"
#include "cantus/viz/scatter.hpp"

namespace cantus::viz {

struct bar_chart_options {
  std::string title, y_label;
  double y_min = 0.0, y_max = 1.0;
  double reference = std::nan("");  // a dashed horizontal line when finite
  std::string reference_label;
  int group_width = 90, height = 460;
};

// values[s][g]: series s in group g.
inline void bar_chart(const std::filesystem::path& path, const std::vector<std::string>& groups,
                      const std::vector<std::string>& series, const std::vector<std::vector<double>>& values,
                      const bar_chart_options& opt = {}) {
  const std::size_t G = groups.size(), S = series.size();
  if (G == 0 || S == 0) throw value_error("bar_chart: needs at least one group and one series");
  if (values.size() != S)
    throw shape_error(cantus::detail::concat("bar_chart: expected one value row per series (", S, ") but found ", values.size()));
  for (std::size_t s = 0; s < S; ++s)
    if (values[s].size() != G)
      throw shape_error(cantus::detail::concat("bar_chart: series \"", series[s], "\" has ", values[s].size(),
                                               " values, expected one per group (", G, ")"));
  if (!(opt.y_max > opt.y_min)) throw value_error("bar_chart: y_max must be greater than y_min");
  double label_w = 0;  // the longest group name, drawn at 45 degrees under the axis
  {
    cairo_surface_t* scratch = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 8, 8);
    cairo_t* cr = cairo_create(scratch);
    set_font(cr, 12);
    for (const auto& g : groups) label_w = std::max(label_w, text_width(cr, g));
    cairo_destroy(cr);
    cairo_surface_destroy(scratch);
  }
  const double left = 70, top = opt.title.empty() ? 40 : 70, bottom = 30 + 0.75 * label_w, right = 170;
  if (opt.height - top - bottom < 80)
    throw value_error(cantus::detail::concat("bar_chart: height ", opt.height, " leaves no room for the plot under ",
                                             "group names ", static_cast<int>(label_w), " pixels wide"));
  const double plot_w = static_cast<double>(G) * opt.group_width, plot_h = opt.height - top - bottom;
  const int width = static_cast<int>(left + plot_w + right);
  auto y_of = [&](double v) {
    const double t = (std::clamp(v, opt.y_min, opt.y_max) - opt.y_min) / (opt.y_max - opt.y_min);
    return top + plot_h * (1.0 - t);
  };
  render_to_file(path, width, opt.height, [&](cairo_t* cr) {
    cairo_set_source_rgb(cr, 0, 0, 0);
    if (!opt.title.empty()) {
      set_font(cr, 17, true);
      draw_text(cr, opt.title, left + plot_w / 2, 28, 0.5, 0.5);
    }
    // y grid and ticks
    set_font(cr, 12);
    for (double t : detail::nice_ticks(opt.y_min, opt.y_max)) {
      const double y = y_of(t);
      cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
      cairo_set_line_width(cr, 1);
      cairo_move_to(cr, left, y);
      cairo_line_to(cr, left + plot_w, y);
      cairo_stroke(cr);
      cairo_set_source_rgb(cr, 0, 0, 0);
      draw_text(cr, detail::tick_label(t), left - 8, y, 1.0, 0.5);
    }
    if (!opt.y_label.empty()) draw_text(cr, opt.y_label, 18, top + plot_h / 2, 0.5, 0.5, -M_PI / 2);
    // bars
    const double slot = opt.group_width * 0.8 / static_cast<double>(S);
    for (std::size_t g = 0; g < G; ++g) {
      const double x0 = left + static_cast<double>(g) * opt.group_width + opt.group_width * 0.1;
      for (std::size_t s = 0; s < S; ++s) {
        const double v = values[s][g], x = x0 + static_cast<double>(s) * slot;
        if (!std::isfinite(v)) {
          cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
          set_font(cr, 9);
          draw_text(cr, "n/a", x + slot / 2, y_of(opt.y_min) - 6, 0.5, 1.0, -M_PI / 2);
          continue;
        }
        const rgb c = category_colour(s);
        cairo_set_source_rgb(cr, c.r, c.g, c.b);
        cairo_rectangle(cr, x + 1, y_of(v), slot - 2, y_of(opt.y_min) - y_of(v));
        cairo_fill(cr);
      }
      cairo_set_source_rgb(cr, 0, 0, 0);
      set_font(cr, 12);
      draw_text(cr, groups[g], x0 + opt.group_width * 0.4, top + plot_h + 10, 1.0, 0.5, -M_PI / 4);
    }
    // axes
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1.2);
    cairo_move_to(cr, left, top);
    cairo_line_to(cr, left, top + plot_h);
    cairo_line_to(cr, left + plot_w, top + plot_h);
    cairo_stroke(cr);
    if (std::isfinite(opt.reference)) {
      const double dash[] = {6.0, 4.0};
      cairo_set_dash(cr, dash, 2, 0);
      cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
      cairo_move_to(cr, left, y_of(opt.reference));
      cairo_line_to(cr, left + plot_w, y_of(opt.reference));
      cairo_stroke(cr);
      cairo_set_dash(cr, nullptr, 0, 0);
      if (!opt.reference_label.empty()) {
        set_font(cr, 12);
        draw_text(cr, opt.reference_label, left + plot_w + 8, y_of(opt.reference), 0.0, 0.5);
      }
    }
    // legend
    set_font(cr, 13);
    for (std::size_t s = 0; s < S; ++s) {
      const double y = top + 10 + 22.0 * static_cast<double>(s);
      const rgb c = category_colour(s);
      cairo_set_source_rgb(cr, c.r, c.g, c.b);
      cairo_rectangle(cr, left + plot_w + 10, y - 7, 14, 14);
      cairo_fill(cr);
      cairo_set_source_rgb(cr, 0, 0, 0);
      draw_text(cr, series[s], left + plot_w + 30, y, 0.0, 0.5);
    }
  });
}

}  // namespace cantus::viz
