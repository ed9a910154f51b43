#pragma once
// A Cairo drawing published as a PNG or SVG file (chosen by the extension), written atomically so a
// figure on disk is always complete.
#include <cairo-svg.h>
#include <cairo.h>

#include <filesystem>
#include <functional>
#include <string>

#include "cantus/base/error.hpp"
#include "cantus/core/atomic_file.hpp"

namespace cantus::viz {

enum class image_format { png, svg };

inline image_format format_of(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".png") return image_format::png;
  if (ext == ".svg") return image_format::svg;
  throw value_error(cantus::detail::concat(path.string(), ": unsupported figure format \"", ext,
                                           "\" (expected a .png or .svg file name)"));
}

// Calls draw(cr) on a width x height canvas (white background) and writes it to `path`.
inline void render_to_file(const std::filesystem::path& path, int width, int height, const std::function<void(cairo_t*)>& draw) {
  if (width < 16 || height < 16 || width > 20000 || height > 20000)
    throw value_error(cantus::detail::concat(path.string(), ": figure size must be within [16, 20000] pixels but found ",
                                             width, " x ", height));
  const image_format format = format_of(path);
  std::string bytes;
  auto append = [](void* closure, const unsigned char* data, unsigned int length) -> cairo_status_t {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  };
  cairo_surface_t* surface = format == image_format::png
                                 ? cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height)
                                 : cairo_svg_surface_create_for_stream(append, &bytes, width, height);
  cairo_t* cr = cairo_create(surface);
  auto release = [&] {
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
  };
  try {
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    draw(cr);
  } catch (...) {
    release();
    throw;
  }
  cairo_status_t status = cairo_status(cr);
  cairo_surface_flush(surface);
  if (format == image_format::png && status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_write_to_png_stream(surface, append, &bytes);
  cairo_surface_finish(surface);  // an SVG surface emits its document here
  if (status == CAIRO_STATUS_SUCCESS) status = cairo_surface_status(surface);
  release();
  if (status != CAIRO_STATUS_SUCCESS)
    throw io_error(cantus::detail::concat(path.string(), ": Cairo failed to draw the figure: ", cairo_status_to_string(status)));
  write_file_atomically(path, [&](std::ofstream& out) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); });
}

// Text helpers (Cairo's toy font API: enough for labels, no external font files needed).
inline void set_font(cairo_t* cr, double size, bool bold = false) {
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

// Draws `text` with its anchor at (x, y): ax, ay in {0, 0.5, 1} = left/centre/right, top/middle/bottom.
inline void draw_text(cairo_t* cr, const std::string& text, double x, double y, double ax = 0.0, double ay = 0.5, double angle = 0.0) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, text.c_str(), &e);
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_rotate(cr, angle);
  cairo_move_to(cr, -e.x_bearing - ax * e.width, -e.y_bearing - ay * e.height);
  cairo_show_text(cr, text.c_str());
  cairo_restore(cr);
}

inline double text_width(cairo_t* cr, const std::string& text) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, text.c_str(), &e);
  return e.x_advance;
}

}  // namespace cantus::viz
