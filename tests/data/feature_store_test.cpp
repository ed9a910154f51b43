// The feature store: contents equal the audio front end's log-mel, reuse when nothing changed,
// rebuild when parameters change, resume after an interruption or lost data, identical bytes for any
// thread count, raw audio, and damage detection. The store is cantus::paper's.
#include <boost/test/unit_test.hpp>

#include <sstream>
#include <thread>

#include "cantus/audio/load.hpp"
#include "cantus/audio/mel.hpp"
#include "cantus/core/npy.hpp"
#include "cantus/data/folders.hpp"
#include "cantus/data/feature_store.hpp"
#include "cantus_test.hpp"
#include "data_test_support.hpp"

using namespace cantus;
using namespace cantus::data;
using namespace cantus::data;
namespace fs = std::filesystem;

namespace {

// 3 genres x 4 clips of 1.5 s tones: small enough that every build takes a fraction of a second.
corpus tone_corpus(const fs::path& root) {
  const char* genres[] = {"alpha", "beta", "gamma"};
  for (int g = 0; g < 3; ++g)
    for (int i = 0; i < 4; ++i)
      testing::write_tone(root / genres[g] / ("clip" + std::to_string(i) + ".wav"), 1.5, 110.0 * (g + 1) + 17 * i);
  return folders::load(root);
}

feature_params small_params() {
  feature_params p;
  p.mel.n_mels = 40;
  p.mel.n_fft = 1024;
  p.mel.hop_length = 256;
  return p;
}

store_options quiet(int threads = 2) {
  store_options o;
  o.threads = threads;
  o.verbose = false;
  o.checkpoint_tracks = 1;
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(feature_store_suite)

BOOST_AUTO_TEST_CASE(contents_match_the_front_end_and_reuse_when_unchanged) {
  const auto dir = testing::scratch_dir("fs_basic");
  const auto c = tone_corpus(dir / "corpus");
  const auto p = small_params();
  auto r = feature_store::build(c, p, dir / "cache", quiet());
  BOOST_TEST(!r.up_to_date);
  BOOST_TEST(r.extracted == 12u);
  BOOST_TEST(r.failed == 0u);
  BOOST_TEST(r.audio_seconds == 18.0, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(fs::exists(dir / "cache" / "index.tsv"));
  BOOST_TEST(!fs::exists(dir / "cache" / "journal.tsv"));

  const auto s = feature_store::open(dir / "cache");
  BOOST_TEST(s.n_mels() == 40);
  BOOST_TEST(s.hop_length() == 256);
  BOOST_TEST(s.labels() == c.labels, boost::test_tools::per_element());
  BOOST_TEST(s.tracks(split::training).size() + s.tracks(split::validation).size() + s.tracks(split::test).size() == 12u);
  BOOST_TEST(s.tracks(split::test).size() == c.count(split::test));
  const audio::mel_spectrogram mel(p.mel);
  for (const auto& t : c.tracks) {
    const auto* st = s.find(t.id);
    BOOST_REQUIRE(st);
    BOOST_TEST(st->label == t.label);
    BOOST_TEST((st->split == t.split));
    const auto expect = mel.log(audio::load(t.path, p.mel.sr).samples);
    const auto got = s.mel(*st);
    BOOST_REQUIRE(got.shape() == expect.shape());
    BOOST_TEST(std::equal(expect.data(), expect.data() + expect.size(), got.data()));  // bit for bit
  }
  BOOST_TEST(s.verify().empty());
  BOOST_CHECK_THROW(s.raw(s.all()[0]), value_error);  // not stored

  auto again = feature_store::build(c, p, dir / "cache", quiet());
  BOOST_TEST(again.up_to_date);
  BOOST_TEST(again.extracted == 0u);
  BOOST_TEST(again.reused == 12u);
}

BOOST_AUTO_TEST_CASE(rebuilds_when_parameters_or_corpus_change) {
  const auto dir = testing::scratch_dir("fs_rebuild");
  auto c = tone_corpus(dir / "corpus");
  auto p = small_params();
  feature_store::build(c, p, dir / "cache", quiet());
  p.mel.n_mels = 32;
  auto r = feature_store::build(c, p, dir / "cache", quiet());
  BOOST_TEST(!r.up_to_date);
  BOOST_TEST(r.extracted == 12u);
  BOOST_TEST(r.rebuild_reason.find("changed") != std::string::npos, r.rebuild_reason);
  BOOST_TEST(feature_store::open(dir / "cache").n_mels() == 32);
  BOOST_TEST(feature_store::open(dir / "cache").mel(feature_store::open(dir / "cache").all()[0]).shape()[0] == 32);
  // A replaced audio file (different size): that track is extracted again, the others are copied.
  testing::write_tone(c.tracks[0].path, 2.0, 440);
  r = feature_store::build(c, p, dir / "cache", quiet());
  BOOST_TEST(r.extracted == 1u);
  BOOST_TEST(r.reused == 11u);
  BOOST_TEST(feature_store::open(dir / "cache").all()[0].seconds == 2.0, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(identical_bytes_for_any_thread_count) {
  const auto dir = testing::scratch_dir("fs_threads");
  const auto c = tone_corpus(dir / "corpus");
  feature_store::build(c, small_params(), dir / "one", quiet(1));
  feature_store::build(c, small_params(), dir / "two", quiet(2));
  feature_store::build(c, small_params(), dir / "three", quiet(3));
  const auto ref = testing::read_bytes(dir / "one" / "mel.f32");
  BOOST_TEST(!ref.empty());
  BOOST_TEST((testing::read_bytes(dir / "two" / "mel.f32") == ref));
  BOOST_TEST((testing::read_bytes(dir / "three" / "mel.f32") == ref));
  // The index too, but for the files' stat identities: whether one is recorded depends on the clock
  // (file_identity::of), not on the threads.
  const auto without_identities = [](const fs::path& d) {
    auto x = cantus::data::internal::parse_index(d / "index.tsv");
    for (auto& t : x.tracks) t.identity = {};
    return cantus::data::internal::format_index(x);
  };
  BOOST_TEST((without_identities(dir / "two") == without_identities(dir / "one")));
}

BOOST_AUTO_TEST_CASE(resumes_after_interruption_and_lost_data) {
  const auto dir = testing::scratch_dir("fs_resume");
  const auto c = tone_corpus(dir / "corpus");
  const auto p = small_params();
  feature_store::build(c, p, dir / "reference", quiet());
  const auto reference = testing::read_bytes(dir / "reference" / "mel.f32");

  // Interrupted after 5 committed tracks: no index, a journal, and open() refuses the cache.
  auto o = quiet();
  int calls = 0;
  o.keep_going = [&] { return ++calls < 5; };
  auto r = feature_store::build(c, p, dir / "cache", o);
  BOOST_TEST(r.interrupted);
  BOOST_TEST(r.extracted == 5u);
  BOOST_TEST(!fs::exists(dir / "cache" / "index.tsv"));
  BOOST_TEST(fs::exists(dir / "cache" / "journal.tsv"));
  BOOST_CHECK_THROW(feature_store::open(dir / "cache"), io_error);
  // Resuming extracts only the rest, and the result is the uninterrupted build's bytes.
  r = feature_store::build(c, p, dir / "cache", quiet());
  BOOST_TEST(r.resumed);
  BOOST_TEST(r.reused == 5u);
  BOOST_TEST(r.extracted == 7u);
  BOOST_TEST((testing::read_bytes(dir / "cache" / "mel.f32") == reference));
  BOOST_TEST(!fs::exists(dir / "cache" / "journal.tsv"));
  build_report rep;
  const auto opened = feature_store::open_or_build(c, p, dir / "cache", quiet(), &rep);
  BOOST_TEST(rep.up_to_date);
  BOOST_TEST(opened.all().size() == 12u);

  // Interrupted again, then part of the data is lost: only the intact prefix is kept.
  fs::remove_all(dir / "cache");
  calls = 0;
  o.keep_going = [&] { return ++calls < 6; };
  feature_store::build(c, p, dir / "cache", o);
  const auto partial = dir / "cache" / "mel.f32.partial";
  fs::resize_file(partial, fs::file_size(partial) - 100);
  r = feature_store::build(c, p, dir / "cache", quiet());
  BOOST_TEST(r.resumed);
  BOOST_TEST(r.reused == 5u);  // the sixth track's data was cut
  BOOST_TEST(r.extracted == 7u);
  BOOST_TEST(r.rebuild_reason.find("intact") != std::string::npos, r.rebuild_reason);
  BOOST_TEST((testing::read_bytes(dir / "cache" / "mel.f32") == reference));

  // A deleted index: the cache counts as absent and is rebuilt from scratch.
  fs::remove(dir / "cache" / "index.tsv");
  r = feature_store::build(c, p, dir / "cache", quiet());
  BOOST_TEST(!r.resumed);
  BOOST_TEST(r.extracted == 12u);
  BOOST_TEST((testing::read_bytes(dir / "cache" / "mel.f32") == reference));

  // A damaged journal is ignored (its checksum fails), not trusted.
  fs::remove_all(dir / "cache");
  calls = 0;
  o.keep_going = [&] { return ++calls < 3; };
  feature_store::build(c, p, dir / "cache", o);
  auto j = testing::read_bytes(dir / "cache" / "journal.tsv");
  j[j.size() / 2] ^= 1;
  testing::write_bytes(dir / "cache" / "journal.tsv", j);
  r = feature_store::build(c, p, dir / "cache", quiet());
  BOOST_TEST(!r.resumed);
  BOOST_TEST(r.extracted == 12u);
  BOOST_TEST(r.rebuild_reason.find("checksum") != std::string::npos, r.rebuild_reason);
}

BOOST_AUTO_TEST_CASE(concurrent_builds_of_one_cache_take_turns) {
  const auto dir = testing::scratch_dir("fs_concurrent");
  const auto c = tone_corpus(dir / "corpus");
  build_report a, b;
  std::thread other([&] { a = feature_store::build(c, small_params(), dir / "cache", quiet(1)); });
  b = feature_store::build(c, small_params(), dir / "cache", quiet(1));
  other.join();
  BOOST_TEST(a.extracted + b.extracted == 12u);  // one extracted everything, the other found it done
  BOOST_TEST((a.up_to_date != b.up_to_date));
  BOOST_TEST(feature_store::open(dir / "cache").verify().empty());
}

BOOST_AUTO_TEST_CASE(damage_is_detected) {
  const auto dir = testing::scratch_dir("fs_damage");
  const auto c = tone_corpus(dir / "corpus");
  feature_store::build(c, small_params(), dir / "cache", quiet());
  const auto data = dir / "cache" / "mel.f32";
  const auto intact = testing::read_bytes(data);
  {
    auto bytes = testing::read_bytes(data);
    bytes[bytes.size() - 7] ^= 0x40;  // the last track's data
    testing::write_bytes(data, bytes);
  }
  auto s = feature_store::open(dir / "cache");
  const auto bad = s.verify();
  BOOST_REQUIRE_EQUAL(bad.size(), 1u);
  BOOST_TEST(bad[0] == c.tracks.back().id);
  // Issue 22, item 3: the next build verifies before reuse and re-extracts only the damaged track
  // from its audio, writing back the very bytes it held; nothing else is extracted.
  {
    const auto again = feature_store::build(c, small_params(), dir / "cache", quiet());
    BOOST_TEST(again.up_to_date);
    BOOST_TEST(again.repaired == 1u);
    BOOST_TEST(again.extracted == 0u);
    BOOST_TEST(testing::read_bytes(data) == intact);
    BOOST_TEST(feature_store::build(c, small_params(), dir / "cache", quiet()).repaired == 0u);
  }
  // Damage whose audio changed meanwhile (same size, other samples): the changed content is found
  // first (issue 34), and that track is extracted again from its new audio, saying why.
  {
    auto bytes = testing::read_bytes(data);
    bytes[bytes.size() - 7] ^= 0x40;
    testing::write_bytes(data, bytes);
    const auto wav = c.tracks.back().path;
    const auto size = fs::file_size(wav);
    testing::write_tone(wav, 1.5, 999.0);
    BOOST_REQUIRE_EQUAL(fs::file_size(wav), size);
    const auto again = feature_store::build(c, small_params(), dir / "cache", quiet());
    BOOST_TEST(!again.up_to_date);
    BOOST_TEST(again.extracted == 1u);
    BOOST_TEST(again.reused == 11u);
    BOOST_TEST(again.rebuild_reason.find(std::to_string(c.tracks.back().id)) != std::string::npos, again.rebuild_reason);
    BOOST_TEST(again.rebuild_reason.find("changed") != std::string::npos, again.rebuild_reason);
    BOOST_TEST(feature_store::open(dir / "cache").verify().empty());
    BOOST_TEST(feature_store::build(c, small_params(), dir / "cache", quiet()).up_to_date);
  }
  // A truncated data file or an edited index is refused with the file named.
  fs::resize_file(data, fs::file_size(data) - 4);
  try {
    feature_store::open(dir / "cache");
    BOOST_FAIL("expected io_error");
  } catch (const io_error& e) {
    BOOST_TEST(std::string(e.what()).find("mel.f32") != std::string::npos, e.what());
  }
  auto index = testing::read_bytes(dir / "cache" / "index.tsv");
  index[40] = index[40] == '1' ? '2' : '1';
  testing::write_bytes(dir / "cache" / "index.tsv", index);
  BOOST_CHECK_THROW(feature_store::open(dir / "cache"), io_error);
  // ...and the next build replaces it.
  auto r = feature_store::build(c, small_params(), dir / "cache", quiet());
  BOOST_TEST(r.extracted == 12u);
  BOOST_TEST(feature_store::open(dir / "cache").verify().empty());
  // A cache directory that cannot be created is cantus's io_error naming it, not std::filesystem's.
  testing::write_bytes(dir / "a-file", "");
  try {
    feature_store::build(c, small_params(), dir / "a-file" / "cache", quiet());
    BOOST_FAIL("expected io_error");
  } catch (const io_error& e) {
    const auto expected = "feature store " + (dir / "a-file" / "cache").string() + ": cannot create the directory";
    BOOST_TEST(std::string(e.what()).find(expected) != std::string::npos, e.what());
  }
}

// Issue 34: a store is keyed by its audio's content, not by paths and sizes. A file rewritten with
// other samples of the same length (its modification time put back, as a hostile user would) is
// found and its track extracted again; the store then holds what a fresh build holds, and its
// content key changes. An unchanged stat identity is trusted without reading the file; a file
// touched but not changed is read, found the same, and not extracted.
BOOST_AUTO_TEST_CASE(audio_rewritten_with_the_same_size_is_extracted_again) {
  const auto dir = testing::scratch_dir("fs_content");
  const auto c = tone_corpus(dir / "corpus");
  const auto p = small_params();
  feature_store::build(c, p, dir / "cache", quiet());
  const auto key_before = feature_store::open(dir / "cache").content_key();
  // Files younger than file_identity's settling time have no identity recorded: hashed every time
  // until they have settled.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto r = feature_store::build(c, p, dir / "cache", quiet());
  BOOST_TEST(r.up_to_date);
  BOOST_TEST(r.rehashed == 12u);
  r = feature_store::build(c, p, dir / "cache", quiet());
  BOOST_TEST(r.up_to_date);
  BOOST_TEST(r.rehashed == 0u);  // every identity recorded and unchanged: no file read
  BOOST_TEST(feature_store::open(dir / "cache").content_key() == key_before);

  // The rewrite: same size, other samples, the old modification time put back.
  const auto& victim = c.tracks[5];
  const auto size = fs::file_size(victim.path);
  const auto mtime = fs::last_write_time(victim.path);
  testing::write_tone(victim.path, 1.5, 777.0);
  fs::last_write_time(victim.path, mtime);
  BOOST_REQUIRE_EQUAL(fs::file_size(victim.path), size);
  r = feature_store::build(c, p, dir / "cache", quiet());
  BOOST_TEST(!r.up_to_date);
  BOOST_TEST(r.extracted == 1u);
  BOOST_TEST(r.reused == 11u);
  BOOST_REQUIRE_EQUAL(r.changed.size(), 1u);
  BOOST_TEST(r.changed[0].track_id == victim.id);
  BOOST_TEST(r.rebuild_reason.find("changed") != std::string::npos, r.rebuild_reason);
  const auto s = feature_store::open(dir / "cache");
  BOOST_TEST(s.verify().empty());
  BOOST_TEST(s.content_key() != key_before);
  const audio::mel_spectrogram mel(p.mel);
  const auto expect = mel.log(audio::load(victim.path, p.mel.sr).samples);
  const auto got = s.mel(*s.find(victim.id));
  BOOST_REQUIRE(got.shape() == expect.shape());
  BOOST_TEST(std::equal(expect.data(), expect.data() + expect.size(), got.data()));
  feature_store::build(c, p, dir / "fresh", quiet());
  BOOST_TEST((testing::read_bytes(dir / "cache" / "mel.f32") == testing::read_bytes(dir / "fresh" / "mel.f32")));
  BOOST_TEST(feature_store::open(dir / "fresh").content_key() == s.content_key());

  // Touched, not changed: read again, the same bytes, nothing extracted.
  const auto same = testing::read_bytes(c.tracks[0].path);
  testing::write_bytes(c.tracks[0].path, same);
  r = feature_store::build(c, p, dir / "cache", quiet());
  BOOST_TEST(r.up_to_date);
  BOOST_TEST(r.rehashed >= 1u);
  BOOST_TEST(r.extracted == 0u);
}

// A store written before content checksums (format 1) cannot say whether its audio changed: build()
// extracts it again, saying why, and it has no content key.
BOOST_AUTO_TEST_CASE(format_1_stores_are_extracted_again) {
  const auto dir = testing::scratch_dir("fs_format1");
  const auto c = tone_corpus(dir / "corpus");
  const auto p = small_params();
  feature_store::build(c, p, dir / "cache", quiet());
  // Format 1: the same index without the content and identity fields.
  std::istringstream in(testing::read_bytes(dir / "cache" / "index.tsv"));
  std::string body, line;
  while (std::getline(in, line) && line.rfind("checksum\t", 0) != 0) {
    if (line == "cantus feature store 2") line = "cantus feature store 1";
    auto f = cantus::data::internal::split_tabs(line);
    if (f.size() == 14) {
      f.erase(f.begin() + 10, f.begin() + 12);
      line.clear();
      for (std::size_t i = 0; i < f.size(); ++i) line += (i ? "\t" : "") + f[i];
    }
    body += line + "\n";
  }
  testing::write_bytes(dir / "cache" / "index.tsv",
                       body + "checksum\t" + cantus::data::internal::hex64(cantus::data::checksum(body)) + "\n");
  const auto old = feature_store::open(dir / "cache");
  BOOST_TEST(old.format_version() == 1);
  BOOST_CHECK_THROW(old.content_key(), value_error);
  const auto r = feature_store::build(c, p, dir / "cache", quiet());
  BOOST_TEST(r.extracted == 12u);
  BOOST_TEST(r.rebuild_reason.find("format 1") != std::string::npos, r.rebuild_reason);
  BOOST_TEST(feature_store::open(dir / "cache").format_version() == 2);
}

// An interrupted build resumes only the committed tracks whose audio is unchanged.
BOOST_AUTO_TEST_CASE(resume_stops_at_a_changed_file) {
  const auto dir = testing::scratch_dir("fs_content_resume");
  const auto c = tone_corpus(dir / "corpus");
  const auto p = small_params();
  auto o = quiet();
  int calls = 0;
  o.keep_going = [&] { return ++calls < 5; };
  BOOST_TEST(feature_store::build(c, p, dir / "cache", o).interrupted);
  const auto size = fs::file_size(c.tracks[2].path);
  testing::write_tone(c.tracks[2].path, 1.5, 555.0);
  BOOST_REQUIRE_EQUAL(fs::file_size(c.tracks[2].path), size);
  const auto r = feature_store::build(c, p, dir / "cache", quiet());
  BOOST_TEST(r.reused == 2u);
  BOOST_TEST(r.extracted == 10u);
  BOOST_REQUIRE_EQUAL(r.changed.size(), 1u);
  BOOST_TEST(r.changed[0].track_id == c.tracks[2].id);
  feature_store::build(c, p, dir / "fresh", quiet());
  BOOST_TEST((testing::read_bytes(dir / "cache" / "mel.f32") == testing::read_bytes(dir / "fresh" / "mel.f32")));
}

// Found by tests/fuzz (fuzz_feature_store): offsets and lengths in an index (with a valid checksum)
// whose sum or product wraps passed the bounds check and became views past the mapped data.
BOOST_AUTO_TEST_CASE(index_offsets_that_wrap_are_refused) {
  const auto dir = testing::scratch_dir("fs_wrap");
  const auto c = tone_corpus(dir / "corpus");
  auto p = small_params();
  p.raw_sample_rate = 8000;
  feature_store::build(c, p, dir / "cache", quiet());
  const auto index = dir / "cache" / "index.tsv";
  const auto good = cantus::data::internal::parse_index(index);
  const auto refused = [&](auto damage) {
    auto x = good;
    damage(x.tracks[0]);
    write_file_atomically(index, [&](std::ofstream& o) { o << cantus::data::internal::format_index(x); });
    try {
      feature_store::open(dir / "cache");
    } catch (const io_error& e) {
      return std::string(e.what()).find("lies outside the data files") != std::string::npos;
    }
    return false;
  };
  BOOST_TEST(refused([](stored_track& t) { t.frames = std::uint64_t{1} << 62; }));  // frames * n_mels wraps
  BOOST_TEST(refused([](stored_track& t) { t.raw_offset = ~std::uint64_t{0}; t.raw_samples = 1; }));
  BOOST_TEST(refused([](stored_track& t) { t.mel_offset = ~std::uint64_t{0} - 3; }));
  BOOST_TEST(!refused([](stored_track&) {}));
  // Raw samples listed while the parameters store none: verify() hashed from a null pointer.
  auto x = good;
  x.params.replace(x.params.find("raw_sample_rate 8000"), 20, "raw_sample_rate 0");
  write_file_atomically(index, [&](std::ofstream& o) { o << cantus::data::internal::format_index(x); });
  try {
    feature_store::open(dir / "cache");
    BOOST_FAIL("expected io_error");
  } catch (const io_error& e) {
    BOOST_TEST(std::string(e.what()).find("raw samples but its parameters store none") != std::string::npos, e.what());
  }
}

// Issue 22, item 8: a clip whose MP3 is damaged in the middle decodes to half its length. It is
// skipped as broken, named with what was lost; a smaller min_decoded_share keeps it and the report
// (also of a later run that reuses the store) says what its decoding lost.
BOOST_AUTO_TEST_CASE(partly_decodable_clips_are_refused_or_reported) {
  const auto dir = testing::scratch_dir("fs_partial");
  auto c = tone_corpus(dir / "corpus");
  SF_INFO info{};
  info.samplerate = 22050;
  info.channels = 1;
  info.format = SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
  if (!sf_format_check(&info)) {
    std::printf("skipped: this libsndfile cannot write MP3\n");
    return;
  }
  const auto mp3 = dir / "corpus" / "alpha" / "damaged.mp3";
  {
    std::vector<float> x(22050 * 4);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.3f * static_cast<float>(std::sin(0.05 * static_cast<double>(i)));
    SNDFILE* out = sf_open(mp3.c_str(), SFM_WRITE, &info);
    BOOST_TEST_REQUIRE(out != nullptr, sf_strerror(nullptr));
    sf_writef_float(out, x.data(), static_cast<sf_count_t>(x.size()));
    sf_close(out);
    auto bytes = testing::read_bytes(mp3);
    std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2),
              bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2 + 2000), '\0');
    testing::write_bytes(mp3, bytes);
  }
  c = folders::load(dir / "corpus");
  const auto r = feature_store::build(c, small_params(), dir / "strict", quiet());
  BOOST_TEST_REQUIRE(r.failures.size() == 1u);
  BOOST_TEST(r.failures[0].path == mp3);
  BOOST_TEST(r.failures[0].what.find("its header declares") != std::string::npos, r.failures[0].what);
  BOOST_TEST(r.losses.empty());

  auto lenient = small_params();
  lenient.min_decoded_share = 0.25;
  const auto kept = feature_store::build(c, lenient, dir / "lenient", quiet());
  BOOST_TEST(kept.failed == 0u);
  BOOST_TEST_REQUIRE(kept.losses.size() == 1u);
  BOOST_TEST(kept.losses[0].what.find("the decoder stopped") != std::string::npos, kept.losses[0].what);
  const auto again = feature_store::build(c, lenient, dir / "lenient", quiet());
  BOOST_TEST(again.up_to_date);
  BOOST_TEST(again.losses.size() == 1u);
  // The share is part of what the store depends on: another share is another extraction.
  BOOST_TEST(!feature_store::build(c, small_params(), dir / "lenient", quiet()).up_to_date);
  auto bad = small_params();
  bad.min_decoded_share = -0.1;
  BOOST_CHECK_THROW(feature_store::build(c, bad, dir / "bad", quiet()), value_error);
}

BOOST_AUTO_TEST_CASE(raw_audio_at_a_chosen_rate_and_max_seconds) {
  const auto dir = testing::scratch_dir("fs_raw");
  const auto c = tone_corpus(dir / "corpus");
  auto p = small_params();
  p.raw_sample_rate = 16000;
  p.max_seconds = 1.0;
  feature_store::build(c, p, dir / "cache", quiet());
  const auto s = feature_store::open(dir / "cache");
  BOOST_TEST(s.has_raw());
  for (const auto& t : s.all()) {
    const auto raw = s.raw(t);
    BOOST_TEST(raw.size() == 16000u);
    BOOST_TEST(t.seconds == 1.0);
    BOOST_TEST(s.mel(t).shape()[1] == 1 + 22050 / 256);
    auto x = audio::load(t.path, 22050).samples;
    x.resize(22050);
    const auto expect = audio::resample(x, 22050, 16000);
    BOOST_TEST(std::equal(expect.begin(), expect.end(), raw.begin()));
  }
  // Same sample rate as the mel: the decoded samples themselves.
  p.raw_sample_rate = 22050;
  feature_store::build(c, p, dir / "cache", quiet());
  const auto s2 = feature_store::open(dir / "cache");
  auto x = audio::load(s2.all()[3].path, 22050).samples;
  BOOST_TEST(std::equal(s2.raw(s2.all()[3]).begin(), s2.raw(s2.all()[3]).end(), x.begin()));
  p.raw_sample_rate = -1;
  BOOST_CHECK_THROW(feature_store::build(c, p, dir / "cache", quiet()), value_error);
}

BOOST_AUTO_TEST_CASE(shared_gtzan_mini_matches_librosa_goldens) {
  CANTUS_REQUIRE_SHARED_DATA();
  auto c = folders::load(testing::shared_data() / "gtzan-mini");
  // Two clips with librosa goldens; the feature store must reproduce them end to end.
  std::erase_if(c.tracks, [](const track& t) {
    const auto n = t.path.filename().string();
    return n != "blues.00000.wav" && n != "metal.00003.wav";
  });
  BOOST_REQUIRE_EQUAL(c.tracks.size(), 2u);
  const auto dir = testing::scratch_dir("fs_golden");
  feature_store::build(c, feature_params{}, dir, quiet());
  const auto s = feature_store::open(dir);
  for (const auto& t : s.all()) {
    BOOST_REQUIRE(t.ok);
    const auto stem = fs::path(t.path).stem().string();
    const auto golden = npy::load<float, 2>(testing::shared_data() / "golden" / (stem + ".logmel.npy"));
    const auto got = s.mel(t);
    BOOST_REQUIRE(got.shape() == golden.shape());
    double worst = 0;
    for (index_t m = 0; m < got.shape()[0]; ++m)
      for (index_t f = 0; f < got.shape()[1]; ++f) worst = std::max(worst, double(std::abs(got(m, f) - golden(m, f))));
    BOOST_TEST_MESSAGE(stem << ": max |store - librosa| = " << worst << " dB");
    BOOST_TEST(worst < 0.05, stem << ": " << worst << " dB");
  }
}

BOOST_AUTO_TEST_SUITE_END()
