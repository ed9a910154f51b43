#pragma once
// cantus::viz — figures drawn with Cairo (link cantus::viz): class-coloured scatter plots,
// confusion-matrix heatmaps and grouped bar charts, as PNG or SVG.
#include "cantus/viz/bar_chart.hpp"
#include "cantus/viz/canvas.hpp"
#include "cantus/viz/heatmap.hpp"
#include "cantus/viz/palette.hpp"
#include "cantus/viz/scatter.hpp"
