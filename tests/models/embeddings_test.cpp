#include "cantus/models/embeddings.hpp"
#include "cantus_test.hpp"

using namespace cantus;

BOOST_AUTO_TEST_SUITE(embeddings)

BOOST_AUTO_TEST_CASE(track_embedding_is_the_mean_of_its_chunks_and_round_trips_through_npy) {
  // Track t has t+1 chunks; chunk c of track t has latent (t, c, t*c).
  std::vector<std::int64_t> ids = {10, 20, 30}, labels = {0, 1, 0};
  auto e = models::embed_tracks(ids, labels, [](index_t t) {
    tensor<float, 2> z({t + 1, 3});
    for (index_t c = 0; c <= t; ++c) z(c, 0) = float(t), z(c, 1) = float(c), z(c, 2) = float(t * c);
    return z;
  });
  BOOST_TEST(e.size() == 3);
  BOOST_TEST(e.dim() == 3);
  BOOST_TEST(e.latents(2, 0) == 2.0f);
  BOOST_TEST(e.latents(2, 1) == 1.0f);  // mean of 0, 1, 2
  BOOST_TEST(e.latents(2, 2) == 2.0f);  // mean of 0, 2, 4
  BOOST_TEST(e.latents(1, 1) == 0.5f);

  auto dir = cantus::testing::scratch_dir("embeddings");
  e.save(dir, "vae_train");
  auto r = models::track_embeddings::load(dir, "vae_train");
  BOOST_TEST(r.latents.to_vector() == e.latents.to_vector());
  BOOST_TEST(r.track_ids == ids);
  BOOST_TEST(r.labels == labels);
  auto raw = npy::read(dir / "vae_train_labels.npy");
  BOOST_TEST((raw.type == npy::dtype::int64));
  BOOST_TEST((npy::read(dir / "vae_train_latents.npy").type == npy::dtype::float32));

  auto s = e.select({2, 0});
  BOOST_TEST(s.track_ids == (std::vector<std::int64_t>{30, 10}));
  BOOST_TEST(s.latents(1, 0) == 0.0f);
}

BOOST_AUTO_TEST_CASE(mean_std_pooling_appends_each_dimensions_spread_over_the_chunks) {
  std::vector<std::int64_t> ids = {1, 2}, labels = {0, 1};
  auto chunks = [](index_t t) {  // track 0: (1, 3), (3, 3); track 1: (2, 0), (2, 4), (2, 8)
    tensor<float, 2> z({t + 2, 2});
    for (index_t c = 0; c < t + 2; ++c) z(c, 0) = t == 0 ? float(1 + 2 * c) : 2.0f, z(c, 1) = t == 0 ? 3.0f : float(4 * c);
    return z;
  };
  const auto m = models::embed_tracks(ids, labels, chunks, "embed");
  const auto e = models::embed_tracks(ids, labels, chunks, "embed", nullptr, models::pooling::mean_std);
  BOOST_TEST(m.dim() == 2);
  BOOST_TEST(e.dim() == 4);
  for (index_t t = 0; t < 2; ++t)
    for (index_t d = 0; d < 2; ++d) BOOST_TEST(e.latents(t, d) == m.latents(t, d));  // the means come first, unchanged
  BOOST_TEST(e.latents(0, 2) == 1.0f);  // std of 1, 3
  BOOST_TEST(e.latents(0, 3) == 0.0f);
  BOOST_TEST(e.latents(1, 2) == 0.0f);
  BOOST_TEST(e.latents(1, 3) == float(std::sqrt(32.0 / 3.0)), boost::test_tools::tolerance(1e-6f));  // std of 0, 4, 8
}

BOOST_AUTO_TEST_CASE(empty_tracks_width_changes_and_nan_are_errors_naming_the_track) {
  std::vector<std::int64_t> ids = {5, 6}, labels = {0, 1};
  try {
    models::embed_tracks(ids, labels, [](index_t t) { return tensor<float, 2>({t == 1 ? 0 : 2, 4}, 1.0f); });
    BOOST_FAIL("expected value_error");
  } catch (const value_error& e) {
    BOOST_TEST(std::string(e.what()).find("track 6") != std::string::npos);
  }
  BOOST_CHECK_THROW(models::embed_tracks(ids, labels, [](index_t t) { return tensor<float, 2>({2, t + 3}, 1.0f); }),
                    shape_error);
  BOOST_CHECK_THROW(models::embed_tracks(ids, labels,
                                         [](index_t) { return tensor<float, 2>({2, 2}, std::nanf("")); }),
                    value_error);
  BOOST_CHECK_THROW(models::embed_tracks(ids, {0}, [](index_t) { return tensor<float, 2>({1, 1}); }), value_error);
}

BOOST_AUTO_TEST_SUITE_END()
