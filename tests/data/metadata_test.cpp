// CSV parsing, FMA metadata (a fixture with the real 52-column header, and ../shared/data/fma-gtzan),
// folder-per-genre corpora and the stratified split.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "cantus/data/csv.hpp"
#include "cantus/data/fma.hpp"
#include "cantus/data/folders.hpp"
#include "cantus/data/stratified_split.hpp"
#include "cantus_test.hpp"
#include "data_test_support.hpp"

using namespace cantus;
using namespace cantus::data;
namespace fs = std::filesystem;

namespace {

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

// FMA's real tracks.csv columns (fma_metadata, 2017): album 13, artist 17, set 2, track 20.
const std::vector<std::pair<std::string, std::vector<std::string>>> fma_columns = {
    {"album",
     {"comments", "date_created", "date_released", "engineer", "favorites", "id", "information", "listens", "producer", "tags",
      "title", "tracks", "type"}},
    {"artist",
     {"active_year_begin", "active_year_end", "associated_labels", "bio", "comments", "date_created", "favorites", "id", "latitude",
      "location", "longitude", "members", "name", "related_projects", "tags", "website", "wikipedia_page"}},
    {"set", {"split", "subset"}},
    {"track",
     {"bit_rate", "comments", "composer", "date_created", "date_recorded", "duration", "favorites", "genre_top", "genres", "genres_all",
      "information", "interest", "language_code", "license", "listens", "lyricist", "number", "publisher", "tags", "title"}},
};

struct fixture_row {
  std::int64_t id;
  std::string split, subset, genre_top, title, bio;
  std::string duration = "245";
};

// Writes ROOT/fma_metadata/{tracks,genres}.csv exactly as pandas writes FMA's: every field quoted
// only when needed, three header lines.
void write_fma_fixture(const fs::path& root, const std::vector<fixture_row>& rows) {
  csv::record groups{""}, fields{""};
  for (const auto& [g, fs_] : fma_columns)
    for (const auto& f : fs_) {
      groups.push_back(g);
      fields.push_back(f);
    }
  BOOST_REQUIRE_EQUAL(groups.size(), 53u);  // track_id + 52 columns
  auto col = [&](const std::string& g, const std::string& f) {
    for (std::size_t i = 1; i < groups.size(); ++i)
      if (groups[i] == g && fields[i] == f) return i;
    throw std::logic_error("no column");
  };
  std::string text = csv::format_record(groups) + csv::format_record(fields);
  csv::record third(groups.size());
  third[0] = "track_id";
  text += csv::format_record(third);
  for (const auto& r : rows) {
    csv::record rec(groups.size());
    rec[0] = std::to_string(r.id);
    rec[col("album", "title")] = "Album, \"with\" quotes";
    rec[col("artist", "bio")] = r.bio;
    rec[col("artist", "name")] = "Artist " + std::to_string(r.id);
    rec[col("set", "split")] = r.split;
    rec[col("set", "subset")] = r.subset;
    rec[col("track", "duration")] = r.duration;
    rec[col("track", "genre_top")] = r.genre_top;
    rec[col("track", "genres")] = "[21, 811]";
    rec[col("track", "title")] = r.title;
    rec[col("track", "tags")] = "[]";
    text += csv::format_record(rec);
  }
  testing::write_bytes(root / "fma_metadata" / "tracks.csv", text);
  testing::write_bytes(root / "fma_metadata" / "genres.csv",
                       "genre_id,#tracks,parent,title,top_level\n12,32923,0,Rock,12\n15,34413,0,Electronic,15\n21,8389,0,Hip-Hop,21\n"
                       "811,1000,21,\"Rap, West Coast\",21\n");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(csv_suite)

BOOST_AUTO_TEST_CASE(rfc4180_quotes_commas_newlines_and_crlf) {
  const auto t = csv::parse("a,b,c\r\n\"x, y\",\"he said \"\"hi\"\"\",\"line1\nline2\"\r\n,,\n\"\"\n", "t.csv");
  BOOST_REQUIRE_EQUAL(t.records.size(), 4u);
  BOOST_TEST(t.records[0] == (csv::record{"a", "b", "c"}), boost::test_tools::per_element());
  BOOST_TEST(t.records[1] == (csv::record{"x, y", "he said \"hi\"", "line1\nline2"}), boost::test_tools::per_element());
  BOOST_TEST(t.records[2] == (csv::record{"", "", ""}), boost::test_tools::per_element());
  BOOST_TEST(t.records[3] == (csv::record{""}), boost::test_tools::per_element());
  BOOST_TEST(t.lines[2] == 4u);  // the embedded newline counts: record 3 starts on line 4
  // Last record without a trailing newline, and a byte order mark.
  const auto u = csv::parse("\xEF\xBB\xBFk,v\n1,\"2\"");
  BOOST_REQUIRE_EQUAL(u.records.size(), 2u);
  BOOST_TEST(u.records[0][0] == "k");
  BOOST_TEST(u.records[1][1] == "2");
}

BOOST_AUTO_TEST_CASE(format_round_trips_through_parse) {
  const csv::record r{"plain", "comma, inside", "quote \" inside", "new\nline", "", "cr\r\nlf"};
  const auto t = csv::parse(csv::format_record(r) + csv::format_record(r));
  BOOST_REQUIRE_EQUAL(t.records.size(), 2u);
  BOOST_TEST(t.records[1] == r, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(malformed_csv_names_file_and_line) {
  auto m = error_of([] { csv::parse("a,b\n\"open,c\n", "bad.csv"); });
  BOOST_TEST(m.find("bad.csv:2") != std::string::npos, m);
  BOOST_TEST(m.find("never closed") != std::string::npos, m);
  m = error_of([] { csv::parse("a,b\nx,\"q\"z\n", "bad2.csv"); });
  BOOST_TEST(m.find("bad2.csv:2") != std::string::npos, m);
  m = error_of([] { csv::parse("a,b\nx,y\"z\n", "bad3.csv"); });
  BOOST_TEST(m.find("bad3.csv:2") != std::string::npos, m);
  m = error_of([] { csv::read_file("/nonexistent/tracks.csv"); });
  BOOST_TEST(m.find("/nonexistent/tracks.csv") != std::string::npos, m);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fma_suite)

BOOST_AUTO_TEST_CASE(real_52_column_header_subsets_splits_and_paths) {
  const auto root = testing::scratch_dir("fma_fixture");
  const std::vector<fixture_row> rows = {
      {2, "training", "small", "Hip-Hop", "Food", "A \"bio\", with\nnewlines,\r\nand commas"},
      {5, "training", "small", "Hip-Hop", "This World, \"Live\"\nTake 2", ""},
      {10, "test", "small", "Rock", "Freeway", ""},
      {140, "validation", "medium", "Electronic", "Queen Of The Wires", ""},
      {141, "training", "large", "Rock", "Ohio", ""},
      {148, "training", "medium", "", "Untitled (no genre_top)", ""},
      {98565, "training", "small", "Rock", "one of FMA's short clips", "", "4"},
      {123456, "test", "medium", "Electronic", "No audio file", ""},
  };
  write_fma_fixture(root, rows);
  for (std::int64_t id : {2, 5, 10, 140, 141, 148, 98565}) testing::write_bytes(fma::audio_stem(root / "fma_large", id).string() + ".mp3", "x");
  // generated corpora use other extensions: the resolver finds them
  fs::remove(fma::audio_stem(root / "fma_large", 10).string() + ".mp3");
  testing::write_bytes(fma::audio_stem(root / "fma_large", 10).string() + ".flac", "x");

  const auto table = fma::tracks_table::read(root / "fma_metadata" / "tracks.csv");
  BOOST_TEST(table.columns() == 53u);
  BOOST_TEST(table.rows() == rows.size());
  BOOST_TEST(*table.find("set", "subset") == 32u);  // track_id, album 13, artist 17, set/split, then set/subset
  BOOST_TEST(table.at(1, table.column("track", "title")) == "This World, \"Live\"\nTake 2");
  BOOST_TEST(table.at(0, table.column("artist", "bio")) == "A \"bio\", with\nnewlines,\r\nand commas");
  BOOST_TEST(!table.find("track", "nonexistent"));

  fma::options small;  // audio found under fma_large: a larger subset's folder holds the small one
  auto c = fma::load(root, small);
  BOOST_TEST(c.size() == 4u);  // 2, 5, 10, 98565
  BOOST_TEST(c.labels == (std::vector<std::string>{"Hip-Hop", "Rock"}), boost::test_tools::per_element());
  BOOST_REQUIRE(c.find(10));
  BOOST_TEST(c.find(10)->path == root / "fma_large" / "000" / "000010.flac");
  BOOST_TEST(c.find(2)->path == root / "fma_large" / "000" / "000002.mp3");
  BOOST_TEST(c.find(98565)->path == root / "fma_large" / "098" / "098565.mp3");
  BOOST_TEST((c.find(10)->split == split::test));
  BOOST_TEST(c.find(10)->label_name == "Rock");
  BOOST_TEST(c.find(10)->label == 1);
  BOOST_TEST(c.find(2)->min_seconds == 10.0);      // FMA clips are 30 s: shorter than 10 s is broken
  BOOST_TEST(c.find(98565)->min_seconds == 2.0);   // but never more than half the declared duration

  fma::options medium;
  medium.subset = "medium";  // small + medium
  auto m = fma::load(root, medium);
  std::set<std::int64_t> ids;
  for (const auto& t : m.tracks) ids.insert(t.id);
  BOOST_TEST((ids == std::set<std::int64_t>{2, 5, 10, 140, 98565}));
  BOOST_TEST(m.labels.size() == 3u);
  // The unlabelled medium track and the medium track without audio are problems naming their ids.
  std::set<std::int64_t> problem_ids;
  for (const auto& p : m.problems) problem_ids.insert(p.track_id);
  BOOST_TEST(problem_ids.count(148));
  BOOST_TEST(problem_ids.count(123456));
  for (const auto& p : m.problems)
    if (p.track_id == 123456) BOOST_TEST(p.what.find("missing") != std::string::npos, p.what);

  fma::options large;
  large.subset = "large";
  BOOST_TEST(fma::load(root, large).size() == 6u);
  large.subset = "huge";
  auto e = error_of([&] { fma::load(root, large); });
  BOOST_TEST(e.find("huge") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(bad_metadata_is_reported_with_file_and_line) {
  const auto root = testing::scratch_dir("fma_bad");
  testing::write_bytes(root / "fma_metadata" / "tracks.csv", "track_id,title\n1,x\n");
  auto e = error_of([&] { fma::load(root); });
  BOOST_TEST(e.find("tracks.csv") != std::string::npos, e);
  BOOST_TEST(e.find("three header lines") != std::string::npos, e);
  testing::write_bytes(root / "fma_metadata" / "tracks.csv", ",set,set,track\n,split,subset,title\ntrack_id,,,\n1,training,small,x\n");
  e = error_of([&] { fma::load(root); });
  BOOST_TEST(e.find("track/genre_top") != std::string::npos, e);
  testing::write_bytes(root / "fma_metadata" / "tracks.csv",
                       ",set,set,track\n,split,subset,genre_top\ntrack_id,,,\n1,training,small,Rock\n2,training,small\n");
  e = error_of([&] { fma::load(root); });
  BOOST_TEST(e.find("tracks.csv:5") != std::string::npos, e);
  testing::write_bytes(root / "fma_metadata" / "tracks.csv", ",set,set,track\n,split,subset,genre_top\ntrack_id,,,\nabc,training,small,Rock\n");
  e = error_of([&] { fma::load(root); });
  BOOST_TEST(e.find("'abc'") != std::string::npos, e);
  e = error_of([&] { fma::load(root / "nowhere"); });
  BOOST_TEST(e.find("fma_metadata") != std::string::npos, e);
}

// Issue 22, item 4: one clip must not be listed twice (it could land in training and test).
BOOST_AUTO_TEST_CASE(repeated_padded_and_overflowing_track_ids_are_refused) {
  const auto root = testing::scratch_dir("fma_ids");
  const std::string head = ",set,set,track\n,split,subset,genre_top\ntrack_id,,,\n";
  testing::write_bytes(root / "fma_metadata" / "tracks.csv", head + "2,training,small,Rock\n3,test,small,Pop\n2,test,small,Rock\n");
  auto e = error_of([&] { fma::load(root); });
  BOOST_TEST(e.find("tracks.csv:6") != std::string::npos, e);
  BOOST_TEST(e.find("line 4") != std::string::npos, e);
  testing::write_bytes(root / "fma_metadata" / "tracks.csv", head + "2,training,small,Rock\n000002,test,small,Rock\n");
  e = error_of([&] { fma::load(root); });
  BOOST_TEST(e.find("'000002'") != std::string::npos, e);
  BOOST_TEST(e.find("line 4 ('2')") != std::string::npos, e);
  // A repeat outside the requested subset still means the file cannot be trusted.
  testing::write_bytes(root / "fma_metadata" / "tracks.csv", head + "7,training,small,Rock\n7,training,large,Rock\n");
  e = error_of([&] { fma::load(root); });
  BOOST_TEST(e.find("repeats track 7") != std::string::npos, e);
  testing::write_bytes(root / "fma_metadata" / "tracks.csv", head + "99999999999999999999,training,small,Rock\n");
  e = error_of([&] { fma::load(root); });
  BOOST_TEST(e.find("out of range") != std::string::npos, e);
  BOOST_TEST(e.find("tracks.csv:4") != std::string::npos, e);
  testing::write_bytes(root / "fma_metadata" / "tracks.csv", head + "9223372036854775807,training,small,Rock\n");
  BOOST_CHECK_NO_THROW(fma::load(root));
}

BOOST_AUTO_TEST_CASE(shared_fma_gtzan_metadata) {
  CANTUS_REQUIRE_SHARED_DATA();
  const auto root = testing::shared_data() / "fma-gtzan";
  auto c = fma::load(root);
  BOOST_TEST(c.size() == 70u);
  BOOST_TEST(c.problems.empty());
  BOOST_TEST(c.labels.size() == 10u);
  BOOST_TEST(c.count(split::training) == 50u);
  BOOST_TEST(c.count(split::validation) == 10u);
  BOOST_TEST(c.count(split::test) == 10u);
  for (std::size_t l = 0; l < c.labels.size(); ++l) {
    BOOST_TEST(c.count(split::training, static_cast<int>(l)) == 5u);
    BOOST_TEST(c.count(split::test, static_cast<int>(l)) == 1u);
  }
  BOOST_TEST(c.label_index("Hip-Hop") >= 0);
  BOOST_TEST(c.find(1000)->path == root / "fma_small" / "001" / "001000.mp3");
  const auto table = fma::tracks_table::read(root / "fma_metadata" / "tracks.csv");
  BOOST_TEST(table.at(0, table.column("track", "title")) == "Blues, take 00000\n(GTZAN \"blues.00000.wav\")");
  const auto genres = fma::read_genres(root / "fma_metadata" / "genres.csv");
  BOOST_TEST(genres.size() == 10u);
  BOOST_TEST(genres[4].title == "Hip-Hop");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(folders_suite)

BOOST_AUTO_TEST_CASE(stratified_split_is_deterministic_stratified_and_keeps_groups) {
  std::vector<track> tracks;
  // 3 labels x 20 clips x 4 chunks: the chunks of a clip share a group.
  for (int l = 0; l < 3; ++l)
    for (int clip = 0; clip < 20; ++clip)
      for (int k = 0; k < 4; ++k) {
        track t;
        t.id = l * 1000 + clip * 10 + k;
        t.label = l;
        t.group = l * 100 + clip;
        tracks.push_back(t);
      }
  auto a = tracks, b = tracks, shuffled = tracks, other = tracks;
  stratified_split(a, {0.7, 0.15, 0.15}, 42);
  stratified_split(b, {0.7, 0.15, 0.15}, 42);
  random_engine(1).shuffle(shuffled.begin(), shuffled.end());
  stratified_split(shuffled, {0.7, 0.15, 0.15}, 42);
  stratified_split(other, {0.7, 0.15, 0.15}, 43);
  std::map<std::int64_t, split> by_id;
  std::size_t differ = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    BOOST_TEST((a[i].split == b[i].split));
    by_id[a[i].id] = a[i].split;
    differ += a[i].split != other[i].split;
  }
  for (const auto& t : shuffled) BOOST_TEST((by_id.at(t.id) == t.split));  // independent of input order
  BOOST_TEST(differ > 0u);                                                 // the seed matters
  std::map<std::int64_t, std::set<int>> group_splits;
  std::map<std::pair<int, int>, int> per_label_split;
  for (const auto& t : a) {
    group_splits[t.group].insert(static_cast<int>(t.split));
    ++per_label_split[{t.label, static_cast<int>(t.split)}];
  }
  for (const auto& [g, s] : group_splits) BOOST_TEST(s.size() == 1u);  // every chunk of a clip in one split
  for (int l = 0; l < 3; ++l) {  // 20 clips: 3 test, 3 validation, 14 training, times 4 chunks
    BOOST_TEST((per_label_split[{l, 2}] == 12));
    BOOST_TEST((per_label_split[{l, 1}] == 12));
    BOOST_TEST((per_label_split[{l, 0}] == 56));
  }
  auto e = error_of([&] { stratified_split(a, {0.5, 0.2, 0.2}, 1); });
  BOOST_TEST(e.find("sum to 1") != std::string::npos, e);
  a[1].label = 2;  // a group with two labels
  e = error_of([&] { stratified_split(a, {0.8, 0.1, 0.1}, 1); });
  BOOST_TEST(e.find("mixes labels") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(folder_corpus_layout_and_problems) {
  const auto root = testing::scratch_dir("folders");
  for (const char* g : {"rock", "jazz"})
    for (int i = 0; i < 5; ++i) testing::write_bytes(root / g / (std::string(g) + "." + std::to_string(i) + ".wav"), "x");
  testing::write_bytes(root / "jazz" / "notes.txt", "not audio");
  testing::write_bytes(root / "jazz" / "extra.FLAC", "x");
  fs::create_directories(root / "empty_genre");
  testing::write_bytes(root / "stray.mp3", "x");
  auto c = folders::load(root);
  BOOST_TEST(c.size() == 11u);
  BOOST_TEST(c.labels == (std::vector<std::string>{"jazz", "rock"}), boost::test_tools::per_element());
  BOOST_TEST(c.tracks.front().path.filename() == "extra.FLAC");  // ids in (genre, file name) order
  BOOST_TEST(c.tracks.front().id == 1);
  BOOST_TEST(c.problems.size() == 2u);  // the empty genre folder and the stray file
  auto again = folders::load(root);
  for (std::size_t i = 0; i < c.size(); ++i) BOOST_TEST((c.tracks[i].split == again.tracks[i].split));
  BOOST_TEST(c.count(split::test, 0) == 1u);
  BOOST_TEST(c.count(split::training, 0) == 4u);
  auto e = error_of([&] { folders::load(root / "missing"); });
  BOOST_TEST(e.find("missing") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(shared_gtzan_mini_folders) {
  CANTUS_REQUIRE_SHARED_DATA();
  auto c = folders::load(testing::shared_data() / "gtzan-mini");
  BOOST_TEST(c.size() == 70u);
  BOOST_TEST(c.labels.size() == 10u);
  BOOST_TEST(c.labels[0] == "blues");
  for (std::size_t l = 0; l < 10; ++l) {  // 7 clips per genre, 80/10/10: 5 / 1 / 1
    BOOST_TEST(c.count(split::training, static_cast<int>(l)) == 5u);
    BOOST_TEST(c.count(split::validation, static_cast<int>(l)) == 1u);
    BOOST_TEST(c.count(split::test, static_cast<int>(l)) == 1u);
  }
  BOOST_TEST(c.problems.empty());
}

BOOST_AUTO_TEST_SUITE_END()
