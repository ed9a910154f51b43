// The paper component's data sets cut the right windows from a real feature store (built here from
// synthetic WAVs).
#include <sndfile.h>

#include <cmath>

#include "cantus/data/folders.hpp"
#include "app/datasets.hpp"
#include "cantus/data/feature_store.hpp"
#include "cantus_test.hpp"

using namespace cantus;

namespace {
void write_wav(const std::filesystem::path& path, double freq, double seconds) {
  std::filesystem::create_directories(path.parent_path());
  SF_INFO info{};
  info.samplerate = 22050;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  BOOST_REQUIRE(f);
  std::vector<float> x(static_cast<std::size_t>(seconds * 22050));
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.5f * static_cast<float>(std::sin(2 * M_PI * freq * double(i) / 22050.0));
  sf_write_float(f, x.data(), static_cast<sf_count_t>(x.size()));
  sf_close(f);
}

struct store_fixture {
  cantus::data::feature_store store;
  std::vector<const cantus::data::stored_track*> tracks;
  paper::mel_standardizer norm;
  store_fixture() {
    auto dir = cantus::testing::scratch_dir("datasets");
    write_wav(dir / "audio" / "high" / "a.wav", 2000, 1.5);
    write_wav(dir / "audio" / "low" / "b.wav", 200, 2.0);
    auto c = data::folders::load(dir / "audio");
    cantus::data::feature_params p;
    p.raw_sample_rate = 22050;
    cantus::data::store_options so;
    so.verbose = false;
    store = cantus::data::feature_store::open_or_build(c, p, dir / "cache", so);
    for (const auto& t : store.all()) tracks.push_back(&t);
    norm = paper::mel_standardizer::fit(store, tracks);
  }
};
}  // namespace

BOOST_AUTO_TEST_SUITE(datasets)

BOOST_FIXTURE_TEST_CASE(windows_values_and_labels_come_from_the_right_place, store_fixture) {
  BOOST_REQUIRE(tracks.size() == 2u);
  const paper::track_source src{&store, tracks, &norm};
  const auto& t1 = *tracks[1];
  const auto mel1 = store.mel(t1);

  paper::frame_dataset frames(src, 3);
  BOOST_TEST(frames.size() == static_cast<index_t>((tracks[0]->frames + 2) / 3 + (t1.frames + 2) / 3));
  const auto rows1 = frames.items_of(1);
  auto fb = frames.batch(std::span<const index_t>(rows1.data() + 1, 1));  // second frame of track 1 = frame 3
  BOOST_TEST(fb(0, 0, 7) == norm(7, mel1(7, 3)), boost::test_tools::tolerance(1e-6f));

  paper::mel_chunk_dataset chunks(src, 16, 8);
  const auto r = chunks.items_of(1);
  BOOST_TEST(static_cast<index_t>(r.size()) == (static_cast<index_t>(t1.frames) - 16) / 8 + 1);
  auto cb = chunks.batch(std::span<const index_t>(r.data() + 2, 1));  // starts at frame 16
  BOOST_TEST((cb.shape() == shape_t<3>{1, 16, store.n_mels()}));
  BOOST_TEST(cb(0, 5, 9) == norm(9, mel1(9, 21)), boost::test_tools::tolerance(1e-6f));

  paper::cnn_chunk_dataset cnn(src, 16, 16);
  auto lb = cnn.batch(std::span<const index_t>(cnn.items_of(1).data(), 1));
  BOOST_TEST(lb.y(0) == t1.label);
  BOOST_TEST(lb.x(0, 0, 9, 5) == norm(9, mel1(9, 5)), boost::test_tools::tolerance(1e-6f));

  paper::raw_chunk_dataset raw(src, 1000, 1000, 2);  // at most 2 windows per track, evenly spaced
  BOOST_TEST(raw.items_of(0).size() == 2u);
  const auto rr = raw.items_of(1);
  auto rb = raw.batch(std::span<const index_t>(rr.data() + 1, 1));
  const index_t windows = static_cast<index_t>(t1.raw_samples) / 1000;  // 44 -> second kept window is 22
  BOOST_TEST(rb(0, 3) == store.raw(t1)[static_cast<std::size_t>((windows / 2) * 1000 + 3)]);
  // raw_gain: 1 / RMS over the tracks' samples, applied by raw_chunk_dataset.
  double s2 = 0, n = 0;
  for (const auto* t : tracks) {
    for (float v : store.raw(*t)) s2 += double(v) * double(v);
    n += double(t->raw_samples);
  }
  auto gained_src = src;
  gained_src.gain = paper::raw_gain(store, tracks);
  BOOST_TEST(gained_src.gain == 1.0 / std::sqrt(s2 / n), boost::test_tools::tolerance(1e-5));
  paper::raw_chunk_dataset gained(gained_src, 1000, 1000, 2);
  auto gb = gained.batch(std::span<const index_t>(rr.data() + 1, 1));
  BOOST_TEST(gb(0, 3) == gained_src.gain * rb(0, 3), boost::test_tools::tolerance(1e-6f));

  paper::wavenet_dataset wn(src, 1024, 512, 2);
  const auto wr = wn.items_of(1);
  auto wb = wn.batch(std::span<const index_t>(wr.data() + 1, 1));  // frame k = 2: samples from 1024
  BOOST_TEST((wb.q.shape() == shape_t<2>{1, 1025}));
  BOOST_TEST((wb.mel.shape() == shape_t<3>{1, store.n_mels(), 3}));
  BOOST_TEST(wb.q(0, 10) == nn::mu_law_encode(store.raw(t1)[1024 + 10]));
  BOOST_TEST(wb.mel(0, 4, 1) == norm(4, mel1(4, 3)), boost::test_tools::tolerance(1e-6f));
  for (auto row : wr) {  // every window fits inside the track, with its conditioning frames
    auto b = wn.batch(std::span<const index_t>(&row, 1));
    BOOST_TEST(b.q.extent(1) == 1025);
  }
}

BOOST_FIXTURE_TEST_CASE(standardised_training_frames_have_zero_mean_and_track_embeddings_average_items, store_fixture) {
  const paper::track_source src{&store, tracks, &norm};
  paper::frame_dataset frames(src, 1);
  std::vector<index_t> all(static_cast<std::size_t>(frames.size()));
  std::iota(all.begin(), all.end(), index_t(0));
  auto x = frames.batch(all);
  double mean = 0;
  for (index_t i = 0; i < x.extent(0); ++i) mean += x(i, 0, 20);
  BOOST_TEST(mean / double(x.extent(0)) == 0.0, boost::test_tools::tolerance(1e-3));
  // A fake encoder: the latent of a frame is its bin 20; the track embedding is the mean over frames.
  auto e = paper::embed_dataset(frames, [](const tensor<float, 3>& b) {
    tensor<float, 2> z({b.extent(0), 1});
    for (index_t i = 0; i < b.extent(0); ++i) z(i, 0) = b(i, 0, 20);
    return z;
  }, 7, "test");
  double m1 = 0;
  const auto rows = frames.items_of(1);
  for (auto r : rows) m1 += x(r, 0, 20);
  BOOST_TEST(e.latents(1, 0) == m1 / double(rows.size()), boost::test_tools::tolerance(1e-5));
  BOOST_TEST(e.track_ids[1] == tracks[1]->id);
}

BOOST_AUTO_TEST_SUITE_END()
