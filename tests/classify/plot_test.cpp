#include <boost/test/unit_test.hpp>
#include <cmath>
#include <fstream>

#include "cantus/classify/metrics.hpp"
#include "cantus/viz.hpp"
#include "cantus/viz/image_grid.hpp"
#include "cantus_test.hpp"
#include "synthetic.hpp"

using namespace cantus;

namespace {
std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
}  // namespace

BOOST_AUTO_TEST_SUITE(plots)

BOOST_AUTO_TEST_CASE(scatter_writes_png_and_svg) {
  const auto dir = testing::scratch_dir("plots_scatter");
  const auto d = testing::make_blobs(300, 2, 5, 6.0, 3);
  const Eigen::VectorXi labels = Eigen::Map<const Eigen::VectorXi>(d.y.data(), 300);  // Eigen labels bind too
  const std::vector<std::string> names{"Hip-Hop", "Pop", "Folk", "Rock", "Electronic"};
  viz::scatter_plot(dir / "s.png", d.X, labels, names, {.title = "t-SNE of blobs"});
  viz::scatter_plot(dir / "s.svg", d.X, labels, names, {.title = "t-SNE of blobs"});
  const std::string png = slurp(dir / "s.png"), svg = slurp(dir / "s.svg");
  BOOST_REQUIRE(png.size() > 2000u);
  BOOST_TEST(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  BOOST_TEST(svg.find("<svg") != std::string::npos);
  BOOST_TEST(svg.find("</svg>") != std::string::npos);
  // Five classes, five legend colours: tab10's first colour (31, 119, 180) appears in the SVG.
  BOOST_TEST(svg.find("rgb(12.2") != std::string::npos);
  BOOST_CHECK_THROW(viz::scatter_plot(dir / "s.jpg", d.X, labels), value_error);
  BOOST_CHECK_THROW(viz::scatter_plot(dir / "bad.png", d.X, std::vector<int>(3, 0)), shape_error);
  BOOST_TEST(!std::filesystem::exists(dir / "bad.png"));
}

BOOST_AUTO_TEST_CASE(bar_chart_writes_png_and_svg_and_checks_its_input) {
  const auto dir = testing::scratch_dir("plots_bars");
  const std::vector<std::string> groups{"step_vae/lr", "wavenet/lr", "cnn"}, series{"train", "test", "paper test"};
  const std::vector<std::vector<double>> v{{0.9, 0.8, 0.95}, {0.5, 0.7, 0.8}, {std::nan(""), 0.4, 0.6}};
  viz::bar_chart(dir / "b.png", groups, series, v, {.title = "Table 1", .y_label = "accuracy", .reference = 0.1,
                                                    .reference_label = "chance"});
  viz::bar_chart(dir / "b.svg", groups, series, v, {.title = "Table 1"});
  const std::string png = slurp(dir / "b.png"), svg = slurp(dir / "b.svg");
  BOOST_REQUIRE(png.size() > 2000u);
  BOOST_TEST(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  BOOST_TEST(svg.find("</svg>") != std::string::npos);
  BOOST_TEST(svg.find("rgb(12.2") != std::string::npos);  // the first series' colour
  BOOST_CHECK_THROW(viz::bar_chart(dir / "bad.png", groups, series, {{0.1, 0.2, 0.3}}), shape_error);
  BOOST_CHECK_THROW(viz::bar_chart(dir / "bad.png", groups, {"a"}, {{0.1, 0.2}}), shape_error);
  BOOST_CHECK_THROW(viz::bar_chart(dir / "bad.png", {}, {"a"}, {{}}), value_error);
  BOOST_TEST(!std::filesystem::exists(dir / "bad.png"));
}

BOOST_AUTO_TEST_CASE(confusion_heatmap_writes_png_and_svg) {
  const auto dir = testing::scratch_dir("plots_heatmap");
  const std::vector<int> t{0, 0, 0, 1, 1, 2, 2, 2, 2}, p{0, 1, 0, 1, 2, 2, 2, 0, 2};
  const Eigen::MatrixXi C = classify::confusion_matrix(t, p);
  viz::confusion_heatmap(dir / "c.png", C, {"blues", "jazz", "metal"});
  viz::confusion_heatmap(dir / "c.svg", C, {"blues", "jazz", "metal"});
  const std::string png = slurp(dir / "c.png"), svg = slurp(dir / "c.svg");
  BOOST_TEST(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  BOOST_TEST(png.size() > 1000u);
  BOOST_TEST(svg.find("<svg") != std::string::npos);
  BOOST_CHECK_THROW(viz::confusion_heatmap(dir / "x.png", Eigen::MatrixXi::Zero(2, 3)), shape_error);
  BOOST_CHECK_THROW(viz::confusion_heatmap(dir / "x.png", C, {"only one"}), shape_error);
}

BOOST_AUTO_TEST_CASE(value_heatmap_and_image_grid_write_pngs) {
  const auto dir = testing::scratch_dir("plots_values");
  Eigen::MatrixXd v(2, 3);
  v << 0.1, 0.5, 0.9, std::nan(""), 1.2, -0.3;  // NaN drawn grey, out of range clamped
  viz::value_heatmap(dir / "v.png", v, {"model a", "model b"}, {"genre", "tempo", "key"}, {.title = "scores"});
  const std::string png = slurp(dir / "v.png");
  BOOST_TEST(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  BOOST_CHECK_THROW(viz::value_heatmap(dir / "x.png", v, {"a"}, {"genre", "tempo", "key"}), shape_error);
  std::vector<tensor<float, 2>> cells;
  for (int k = 0; k < 4; ++k) {
    tensor<float, 2> m({16, 20});
    for (index_t i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(k * 100 + i);
    cells.push_back(m);
  }
  viz::image_grid(dir / "g.png", cells, 2, 2, {"r0", "r1"}, {"c0", "c1"}, {.title = "grid", .scale = 2});
  BOOST_TEST(slurp(dir / "g.png").size() > 500u);
  BOOST_CHECK_THROW(viz::image_grid(dir / "x.png", cells, 3, 2, {"a", "b", "c"}, {"c0", "c1"}), shape_error);
  cells[3] = tensor<float, 2>({5, 5});
  BOOST_CHECK_THROW(viz::image_grid(dir / "x.png", cells, 2, 2, {"r0", "r1"}, {"c0", "c1"}), shape_error);
}

BOOST_AUTO_TEST_SUITE_END()
