// Audio problems in a corpus (empty, truncated, random bytes, ID3 tag only, too short), the real FMA
// audio in ../shared/data/fma-gtzan, and the generated style corpus (when mma and fluidsynth exist);
// the feature store and the style corpus are cantus::paper's.
#include <boost/test/unit_test.hpp>

#include <map>
#include <set>
#include <thread>

#include "cantus/data/corpus_check.hpp"
#include "cantus/data/fma.hpp"
#include "cantus/data/folders.hpp"
#include "cantus/data/feature_store.hpp"
#include "app/style_corpus.hpp"
#include "cantus/audio/save.hpp"
#include "cantus_test.hpp"
#include "data_test_support.hpp"

using namespace cantus;
using namespace cantus::data;
using namespace paper;
namespace fs = std::filesystem;

namespace {
std::string random_bytes(std::size_t n, std::uint64_t seed) {
  random_stream r(seed);
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(r.u32(i) & 0xff);
  return s;
}

store_options quiet_store() {
  store_options o;
  o.threads = 2;
  o.verbose = false;
  return o;
}

// An FMA-layout corpus whose ids are the six broken tracks of the real fma_small, each broken one of
// the ways they are (and the other ways files break), next to good tracks.
fs::path broken_fma(const fs::path& root, bool with_truncated_mp3) {
  const auto audio = root / "fma_small";
  std::string csv = ",set,set,track,track\n,split,subset,genre_top,duration\ntrack_id,,,,\n";
  auto add = [&](std::int64_t id, const char* genre, const char* split) {
    csv += std::to_string(id) + "," + split + ",small," + genre + ",30\n";
  };
  int k = 0;
  for (std::int64_t id : {1, 2, 3, 4, 5, 6}) {
    testing::write_tone(fma::audio_stem(audio, id).string() + ".wav", 12.0, 200 + 50 * id);
    add(id, k++ % 2 ? "Rock" : "Jazz", id <= 4 ? "training" : "test");
  }
  // 098565, 098567, 098569: a few seconds long.
  testing::write_tone(fma::audio_stem(audio, 98565).string() + ".wav", 1.6, 300);
  testing::write_tone(fma::audio_stem(audio, 98567).string() + ".wav", 0.5, 300);
  testing::write_tone(fma::audio_stem(audio, 98569).string() + ".wav", 3.0, 300);
  // 099134, 108925, 133297: no audio (an ID3 tag only, an empty file, random bytes).
  testing::write_bytes(fma::audio_stem(audio, 99134).string() + ".mp3", testing::id3_tag_only());
  testing::write_bytes(fma::audio_stem(audio, 108925).string() + ".mp3", "");
  testing::write_bytes(fma::audio_stem(audio, 133297).string() + ".mp3", random_bytes(20000, 7));
  for (std::int64_t id : {98565, 98567, 98569, 99134, 108925, 133297}) add(id, "Rock", "training");
  // A WAV cut off after 2 s of its 30 (the header still promises 30 s).
  testing::write_tone(fma::audio_stem(audio, 7).string() + ".wav", 30.0, 500);
  fs::resize_file(fma::audio_stem(audio, 7).string() + ".wav", 44 + 2 * 22050 * 2);
  add(7, "Jazz", "training");
  if (with_truncated_mp3) {  // a real MP3 cut to its first tenth
    const auto src = testing::shared_data() / "fma-gtzan" / "fma_small" / "001" / "001000.mp3";
    const auto bytes = testing::read_bytes(src);
    testing::write_bytes(fma::audio_stem(audio, 8).string() + ".mp3", bytes.substr(0, bytes.size() / 10));
    add(8, "Jazz", "training");
  }
  add(9, "Jazz", "training");  // no file at all
  testing::write_bytes(root / "fma_metadata" / "tracks.csv", csv);
  return root;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(broken_audio_suite)

BOOST_AUTO_TEST_CASE(probe_tells_broken_files_apart) {
  const auto dir = testing::scratch_dir("probe");
  testing::write_tone(dir / "good.wav", 2.0, 440);
  testing::write_bytes(dir / "empty.mp3", "");
  testing::write_bytes(dir / "id3.mp3", testing::id3_tag_only());
  testing::write_bytes(dir / "random.mp3", random_bytes(5000, 1));
  testing::write_bytes(dir / "random.wav", random_bytes(5000, 2));
  const auto good = probe_audio(dir / "good.wav");
  BOOST_TEST(good.ok);
  BOOST_TEST(good.seconds == 2.0, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(probe_audio(dir / "good.wav", true).seconds == 2.0, boost::test_tools::tolerance(1e-6));
  for (const char* name : {"empty.mp3", "id3.mp3", "random.mp3", "random.wav", "missing.wav"}) {
    for (bool decode : {false, true}) {
      const auto p = probe_audio(dir / name, decode);
      BOOST_TEST(!p.ok, name << " decode=" << decode);
      BOOST_TEST(!p.error.empty(), name);
    }
  }
  BOOST_TEST(probe_audio(dir / "empty.mp3").error.find("empty") != std::string::npos);
  BOOST_TEST(probe_audio(dir / "missing.wav").error.find("missing") != std::string::npos);
  BOOST_TEST(probe_audio(dir / "id3.mp3").error.find("only an ID3 tag") != std::string::npos, probe_audio(dir / "id3.mp3").error);
  BOOST_TEST(probe_audio(dir / "random.wav").error.find("not a recognised audio format") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(broken_tracks_are_skipped_named_and_counted) {
  const bool shared = testing::have_shared_data();
  const auto root = broken_fma(testing::scratch_dir("broken_fma"), shared);
  const auto c = fma::load(root);
  // The file-less track is a metadata-time problem; the rest load as tracks.
  BOOST_REQUIRE_EQUAL(c.problems.size(), 1u);
  BOOST_TEST(c.problems[0].track_id == 9);
  const std::set<std::int64_t> broken_ids = shared ? std::set<std::int64_t>{7, 8, 98565, 98567, 98569, 99134, 108925, 133297}
                                                   : std::set<std::int64_t>{7, 98565, 98567, 98569, 99134, 108925, 133297};
  BOOST_TEST(c.size() == 6 + broken_ids.size());

  // The check finds every broken file with its id (fully decoding; the header probe cannot see that
  // an MP3 was cut short).
  const auto found = check_audio(c, true, 2);
  std::set<std::int64_t> found_ids;
  for (const auto& p : found) found_ids.insert(p.track_id);
  BOOST_TEST((found_ids == broken_ids));
  std::string why;
  BOOST_TEST(usable(c, found, &why), why);
  // Validation tracks cannot stand in for the test split every table is measured on (issue 22, item 9).
  corpus no_test = c;
  for (auto& t : no_test.tracks)
    if (t.split == split::test) t.split = split::validation;
  BOOST_TEST(!usable(no_test, found, &why));
  BOOST_TEST(why.find("test split") != std::string::npos, why);

  // The feature store skips them, one bad file never aborting the corpus, and counts them.
  const auto dir = testing::scratch_dir("broken_store");
  const auto r = feature_store::build(c, feature_params{}, dir, quiet_store());
  BOOST_TEST(r.extracted == 6u);
  BOOST_TEST(r.failed == broken_ids.size());
  std::set<std::int64_t> failed_ids;
  for (const auto& f : r.failures) {
    failed_ids.insert(f.track_id);
    BOOST_TEST(f.what.find(f.path.filename().string()) != std::string::npos, f.what);  // names the file
  }
  BOOST_TEST((failed_ids == broken_ids));
  const auto s = feature_store::open(dir);
  BOOST_TEST(s.failed() == broken_ids.size());
  BOOST_TEST(s.tracks(split::training).size() == 4u);
  BOOST_TEST(s.tracks(split::test).size() == 2u);
  BOOST_CHECK_THROW(s.mel(*s.find(98565)), value_error);
  BOOST_TEST(s.find(98565)->message.find("1.6") != std::string::npos, s.find(98565)->message);
  // Reopening reports the same failures without decoding again.
  const auto again = feature_store::build(c, feature_params{}, dir, quiet_store());
  BOOST_TEST(again.up_to_date);
  BOOST_TEST(again.failed == broken_ids.size());

  // A corpus whose every file is broken is not usable, and says why.
  corpus only_bad = c;
  std::erase_if(only_bad.tracks, [&](const track& t) { return !broken_ids.count(t.id); });
  BOOST_TEST(!usable(only_bad, check_audio(only_bad, false, 2), &why));
  BOOST_TEST(!why.empty());
}

BOOST_AUTO_TEST_CASE(shared_fma_gtzan_feature_store) {
  CANTUS_REQUIRE_SHARED_DATA();
  auto c = fma::load(testing::shared_data() / "fma-gtzan");
  // Every genre's test clip and one training clip: 20 MP3s (44.1 kHz stereo, resampled to 22050).
  std::map<int, int> taken;
  std::erase_if(c.tracks, [&](const track& t) { return t.split == split::validation || (t.split == split::training && taken[t.label]++ > 0); });
  BOOST_REQUIRE_EQUAL(c.tracks.size(), 20u);
  const auto dir = testing::scratch_dir("fma_gtzan_store");
  const auto r = feature_store::build(c, feature_params{}, dir, quiet_store());
  BOOST_TEST(r.failed == 0u);
  BOOST_TEST_MESSAGE("fma-gtzan: " << r.audio_seconds << " s of MP3 audio in " << r.wall_seconds << " s = " << r.realtime()
                                   << "x realtime on " << r.threads << " threads");
  const auto s = feature_store::open(dir);
  BOOST_TEST(s.tracks(split::test).size() == 10u);
  BOOST_TEST(s.tracks(split::training).size() == 10u);
  for (const auto* t : s.tracks(split::test)) {
    BOOST_TEST(t->seconds > 29.0);
    BOOST_TEST(s.mel(*t).shape()[0] == 128);
    BOOST_TEST(s.mel(*t).shape()[1] == static_cast<index_t>(1 + std::llround(t->seconds * 22050) / 512));
    BOOST_TEST(s.labels()[t->label] == c.find(t->id)->label_name);
  }
  BOOST_TEST(check_audio(c).empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(in_memory_store_suite)

// embed and predict put a user's audio in an in-memory store: its features must be those of a
// store built from the file (the first max_seconds, as table1 reads a track).
BOOST_AUTO_TEST_CASE(in_memory_features_equal_a_built_store) {
  const auto dir = testing::scratch_dir("in_memory");
  std::vector<float> x(22050 * 3);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.3f * std::sin(0.05f * static_cast<float>(i)) * std::cos(0.0007f * static_cast<float>(i));
  cantus::audio::write_wav(dir / "a.wav", x, 22050);
  feature_params fp;
  fp.raw_sample_rate = fp.mel.sr;
  fp.max_seconds = 2;
  const cantus::audio::mel_spectrogram mel(fp.mel);
  track t;
  t.id = 7;
  t.path = dir / "a.wav";
  const auto built = cantus::data::internal::extract_track(t, fp, mel);
  auto samples = cantus::audio::load(t.path, fp.mel.sr).samples;
  samples.resize(static_cast<std::size_t>(std::llround(fp.max_seconds * fp.mel.sr)));
  auto ex = cantus::data::internal::extract_samples(7, samples, fp, mel);
  BOOST_TEST(ex.mel == built.mel);
  BOOST_TEST(ex.raw == built.raw);
  BOOST_TEST(ex.entry.checksum == built.entry.checksum);
  std::vector<cantus::data::internal::extracted> v;
  v.push_back(std::move(ex));
  const auto s = feature_store::in_memory(fp, std::move(v), "a.wav");
  BOOST_REQUIRE_EQUAL(s.tracks(split::training).size(), 1u);
  const auto& st = *s.tracks(split::training)[0];
  const auto m = s.mel(st);
  BOOST_TEST(m.extent(0) == fp.mel.n_mels);
  BOOST_TEST(std::equal(built.mel.begin(), built.mel.end(), m.data()));
  BOOST_TEST(s.raw(st).size() == built.raw.size());
  BOOST_TEST(s.verify().empty());
  BOOST_CHECK_THROW(s.mel(stored_track{}), value_error);  // a failed track is named, as in a built store
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(style_corpus_suite)

BOOST_AUTO_TEST_CASE(plan_is_deterministic_and_splits_by_pattern) {
  style::options o;
  o.genres = 10;
  o.clips_per_genre = 12;
  o.soundfonts = {"/a.sf2", "/b.sf2"};
  const auto a = style::plan(o), b = style::plan(o);
  BOOST_REQUIRE_EQUAL(a.size(), 120u);
  std::map<int, std::map<int, std::set<int>>> families;  // genre -> split -> families
  std::map<int, std::map<int, int>> counts;
  std::set<std::string> soundfonts;
  for (std::size_t i = 0; i < a.size(); ++i) {
    BOOST_TEST(style::mma_script(a[i]) == style::mma_script(b[i]));
    families[a[i].genre][static_cast<int>(a[i].split)].insert(a[i].family);
    ++counts[a[i].genre][static_cast<int>(a[i].split)];
    soundfonts.insert(a[i].soundfont.string());
    const auto& g = style::genres()[a[i].genre];
    BOOST_TEST(a[i].tempo >= g.tempo_min);
    BOOST_TEST(a[i].tempo <= g.tempo_max);
    BOOST_TEST(style::mma_script(a[i]).find("RndSeed ") != std::string::npos);
  }
  BOOST_TEST(soundfonts.size() == 2u);
  for (auto& [g, by_split] : families) {
    for (int f : by_split[2]) BOOST_TEST(!by_split[0].count(f), "genre " << g << ": test pattern " << f << " also in training");
    BOOST_TEST(counts[g][0] == 8);
    BOOST_TEST(counts[g][1] == 2);
    BOOST_TEST(counts[g][2] == 2);
  }
  o.seed = 7;
  const auto c = style::plan(o);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < a.size(); ++i) differ += style::mma_script(a[i]) != style::mma_script(c[i]);
  BOOST_TEST(differ > 100u);
  o.genres = 1;
  BOOST_CHECK_THROW(style::plan(o), value_error);
}

BOOST_AUTO_TEST_CASE(independent_factors_are_dealt_evenly_to_every_genre) {
  style::options o;
  o.genres = 4;
  o.clips_per_genre = 60;  // a multiple of 5 bands, 12 keys, 4 loudness levels, 6 instruments, 2 soundfonts
  o.soundfonts = {"/a.sf2", "/b.sf2"};
  o.factors = style::factor_mode::independent;
  const auto a = style::plan(o);
  BOOST_REQUIRE_EQUAL(a.size(), 240u);
  // per genre: each value of each factor equally often
  std::map<int, std::map<int, int>> band, key, loud, lead, font;
  std::map<std::pair<int, int>, int> band_and_lead;  // across genres: a factor says nothing of another
  for (const auto& p : a) {
    const int b = style::tempo_band(p.tempo);
    BOOST_TEST(p.tempo >= style::tempo_low + b * style::tempo_band_width);
    BOOST_TEST(p.tempo < style::tempo_low + (b + 1) * style::tempo_band_width);
    ++band[p.genre][b], ++key[p.genre][p.transpose], ++lead[p.genre][p.lead], ++font[p.genre][p.soundfont == "/b.sf2"];
    ++loud[p.genre][static_cast<int>(p.loudness_db)];
    ++band_and_lead[{b, p.lead}];
    BOOST_TEST(style::mma_script(p).find("Arpeggio-Lead Voice " + std::string(style::lead_instruments()[p.lead])) != std::string::npos);
  }
  for (int g = 0; g < 4; ++g) {
    BOOST_TEST(band[g].size() == 5u);
    for (auto [v, n] : band[g]) BOOST_TEST(n == 12);
    BOOST_TEST(key[g].size() == 12u);
    for (auto [v, n] : key[g]) BOOST_TEST(n == 5);
    BOOST_TEST(loud[g].size() == 4u);
    for (auto [v, n] : loud[g]) BOOST_TEST(n == 15);
    BOOST_TEST(lead[g].size() == 6u);
    for (auto [v, n] : lead[g]) BOOST_TEST(n == 10);
    for (auto [v, n] : font[g]) BOOST_TEST(n == 30);
  }
  // 240 clips over 30 (band, lead) cells: 8 each if independent; the shuffles keep them near it
  BOOST_TEST(band_and_lead.size() == 30u);
  for (auto [cell, n] : band_and_lead) BOOST_TEST((n >= 2 && n <= 16), "band " << cell.first << " lead " << cell.second << ": " << n);
  // The genre mode is what it was: no lead voice, the genre's tempo range.
  o.factors = style::factor_mode::genre;
  for (const auto& p : style::plan(o)) {
    BOOST_TEST(p.lead == -1);
    BOOST_TEST(p.loudness_db == 0.0);
    BOOST_TEST(style::mma_script(p).find("Arpeggio") == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(independent_corpus_renders_its_loudness_and_records_every_factor) {
  if (!style::tools_available()) {
    std::printf("skipped: mma, fluidsynth or a General MIDI soundfont is missing\n");
    return;
  }
  const auto dir = testing::scratch_dir("style_factors");
  style::options o;
  o.genres = 2;
  o.clips_per_genre = 4;
  o.seconds = 2;
  o.verbose = false;
  o.factors = style::factor_mode::independent;
  style::generate(dir, o);
  const auto f = style::read_factors(dir);
  BOOST_TEST(f.names.size() == 6u);
  BOOST_REQUIRE_EQUAL(f.codes.size(), 8u);
  BOOST_TEST(f.values[0].size() == 2u);  // two genres
  BOOST_TEST(f.values[3].size() == 4u);  // four loudness levels, each once per genre
  BOOST_TEST(f.values[3].front() == "-18");  // numeric order
  const auto c = fma::load(dir);
  for (const auto& t : c.tracks) {
    const auto s = cantus::audio::load(t.path, 0);
    float peak = 0;
    for (float v : s.samples) peak = std::max(peak, std::abs(v));
    const double level = std::stod(f.values[3][static_cast<std::size_t>(f.codes.at(t.id)[3])]);
    BOOST_TEST(20 * std::log10(peak) == 20 * std::log10(0.89) + level, boost::test_tools::tolerance(0.01));
    BOOST_TEST(f.values[4][static_cast<std::size_t>(f.codes.at(t.id)[4])] != "none");
  }
}

BOOST_AUTO_TEST_CASE(tiny_style_corpus_renders_and_loads_as_fma) {
  if (!style::tools_available()) {
    BOOST_TEST_MESSAGE("skipped: mma, fluidsynth or a General MIDI soundfont is missing (Debian: mma fluidsynth fluid-soundfont-gm)");
    std::printf("skipped: mma, fluidsynth or a General MIDI soundfont is missing\n");
    return;
  }
  const auto dir = testing::scratch_dir("style");
  style::options o;
  o.genres = 2;
  o.clips_per_genre = 2;
  o.seconds = 3;
  o.verbose = false;
  const auto r = style::generate(dir / "a", o);
  BOOST_TEST(r.rendered == 4u);
  const auto c = fma::load(dir / "a");
  BOOST_TEST(c.problems.empty());
  BOOST_REQUIRE_EQUAL(c.size(), 4u);
  BOOST_TEST(c.labels.size() == 2u);
  for (std::size_t l = 0; l < 2; ++l) {
    BOOST_TEST(c.count(split::training, static_cast<int>(l)) == 1u);
    BOOST_TEST(c.count(split::test, static_cast<int>(l)) == 1u);
  }
  for (const auto& t : c.tracks) {
    BOOST_TEST(t.path.extension() == ".flac");
    const auto p = probe_audio(t.path, true);
    BOOST_TEST(p.ok, p.error);
    BOOST_TEST(p.seconds == 3.0, boost::test_tools::tolerance(1e-6));
    BOOST_TEST(p.sample_rate == 22050);
  }
  // Test clips come from patterns never seen in training.
  const auto table = fma::tracks_table::read(dir / "a" / "fma_metadata" / "tracks.csv");
  const auto fam = table.column("style", "pattern_family"), spl = table.column("set", "split"), genre = table.column("track", "genre_top");
  std::map<std::string, std::set<std::string>, std::less<>> train_families;
  for (std::size_t i = 0; i < table.rows(); ++i)
    if (table.at(i, spl) == "training") train_families[std::string(table.at(i, genre))].insert(std::string(table.at(i, fam)));
  for (std::size_t i = 0; i < table.rows(); ++i)
    if (table.at(i, spl) == "test") BOOST_TEST(!train_families[std::string(table.at(i, genre))].count(std::string(table.at(i, fam))));
  // Up to date on a second call; the same seed elsewhere gives the same audio, bit for bit, even
  // when two generators are started on one folder at once (they take turns).
  BOOST_TEST(style::generate(dir / "a", o).up_to_date);
  style::result first, second;
  std::thread other([&] { first = style::generate(dir / "b", o); });
  second = style::generate(dir / "b", o);
  other.join();
  BOOST_TEST(first.rendered + second.rendered == 4u);
  BOOST_TEST((first.up_to_date != second.up_to_date));
  for (const auto& t : c.tracks) {
    const auto other = dir / "b" / fs::relative(t.path, dir / "a");
    BOOST_TEST((testing::read_bytes(t.path) == testing::read_bytes(other)), t.path);
  }
  // The generated corpus goes through the feature store like any other.
  const auto s = feature_store::open_or_build(c, feature_params{}, dir / "cache", quiet_store());
  BOOST_TEST(s.failed() == 0u);
  BOOST_TEST(s.tracks(split::test).size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
