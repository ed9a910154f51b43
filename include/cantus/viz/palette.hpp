#pragma once
// Colours: matplotlib's qualitative tab10 (then tab20's light shades) for classes, and a white-to-blue
// ramp like matplotlib's "Blues" for heatmaps.
#include <algorithm>
#include <array>
#include <cmath>

namespace cantus::viz {

struct rgb {
  double r, g, b;
};

inline rgb category_colour(std::size_t k) {
  static constexpr std::array<rgb, 20> tab20{{
      {0.122, 0.467, 0.706}, {1.000, 0.498, 0.055}, {0.173, 0.627, 0.173}, {0.839, 0.153, 0.157}, {0.580, 0.404, 0.741},
      {0.549, 0.337, 0.294}, {0.890, 0.467, 0.761}, {0.498, 0.498, 0.498}, {0.737, 0.741, 0.133}, {0.090, 0.745, 0.812},
      {0.682, 0.780, 0.910}, {1.000, 0.733, 0.471}, {0.596, 0.875, 0.541}, {1.000, 0.596, 0.588}, {0.773, 0.690, 0.835},
      {0.769, 0.612, 0.580}, {0.969, 0.714, 0.824}, {0.780, 0.780, 0.780}, {0.859, 0.859, 0.553}, {0.620, 0.855, 0.898},
  }};
  return tab20[k % tab20.size()];
}

// t in [0, 1] -> white .. dark blue (matplotlib Blues end points and midpoint).
inline rgb blues(double t) {
  t = std::clamp(t, 0.0, 1.0);
  constexpr rgb lo{0.969, 0.984, 1.000}, mid{0.420, 0.682, 0.839}, hi{0.031, 0.188, 0.420};
  auto mix = [](rgb a, rgb b, double u) { return rgb{a.r + (b.r - a.r) * u, a.g + (b.g - a.g) * u, a.b + (b.b - a.b) * u}; };
  return t < 0.5 ? mix(lo, mid, t * 2) : mix(mid, hi, (t - 0.5) * 2);
}

// t in [0, 1] -> matplotlib's viridis (dark violet .. yellow), linear between nine of its samples:
// perceptually even, readable in grey, the usual map for spectrograms.
inline rgb viridis(double t) {
  static constexpr rgb v[9] = {{0.267, 0.005, 0.329}, {0.283, 0.141, 0.458}, {0.254, 0.265, 0.530},
                               {0.207, 0.372, 0.553}, {0.164, 0.471, 0.558}, {0.128, 0.567, 0.551},
                               {0.135, 0.659, 0.518}, {0.478, 0.821, 0.318}, {0.993, 0.906, 0.144}};
  t = std::clamp(t, 0.0, 1.0) * 8;
  const int i = std::min(7, static_cast<int>(t));
  const double u = t - i;
  return {v[i].r + (v[i + 1].r - v[i].r) * u, v[i].g + (v[i + 1].g - v[i].g) * u, v[i].b + (v[i + 1].b - v[i].b) * u};
}

// Relative luminance, to pick black or white text on a coloured cell.
inline double luminance(rgb c) { return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b; }

}  // namespace cantus::viz
