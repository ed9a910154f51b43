// Issue 34: a fitted classifier saved as a sealed file (core/sealed_file.hpp) comes back with the
// provenance it was written with, bit for bit the same model; a flipped byte anywhere, a truncated
// file or a file of another kind is an io_error naming the file.
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <iterator>

#include "cantus/classify/logistic_regression.hpp"
#include "cantus/classify/random_forest.hpp"
#include "cantus/core/sealed_file.hpp"
#include "cantus_test.hpp"
#include "synthetic.hpp"

using namespace cantus;
using namespace cantus::classify;

namespace {
std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
void put_bytes(const std::filesystem::path& p, const std::string& b) { std::ofstream(p, std::ios::binary) << b; }
}  // namespace

BOOST_AUTO_TEST_SUITE(sealed_file_suite)

BOOST_AUTO_TEST_CASE(a_classifier_round_trips_with_its_provenance_and_damage_is_refused) {
  const auto dir = testing::scratch_dir("sealed_classifier");
  const auto d = testing::make_blobs(120, 5, 3, 4.0, 1);
  random_forest rf({.n_estimators = 8, .random_state = 3});
  rf.fit(d.X, d.y);
  logistic_regression lr;
  lr.fit(d.X, d.y);
  // to_bytes is what save writes.
  rf.save(dir / "plain.cls");
  BOOST_TEST((rf.to_bytes() == file_bytes(dir / "plain.cls")));

  const auto file = dir / "rf.cls";
  write_sealed_file(file, {"random_forest", "run_key A\nembeddings 0123 120x5 mean\n", rf.to_bytes()});
  const auto back = read_sealed_file(file);
  BOOST_TEST(back.kind == "random_forest");
  BOOST_TEST(back.provenance == "run_key A\nembeddings 0123 120x5 mean\n");
  const auto rf2 = random_forest::from_bytes(back.payload, file.string());
  BOOST_TEST((rf2.predict_proba(d.X) - rf.predict_proba(d.X)).cwiseAbs().maxCoeff() == 0.0);
  write_sealed_file(dir / "lr.cls", {"logistic_regression", "p", lr.to_bytes()});
  const auto lr2 = logistic_regression::from_bytes(read_sealed_file(dir / "lr.cls").payload, "lr.cls");
  BOOST_TEST((lr2.predict_proba(d.X) - lr.predict_proba(d.X)).cwiseAbs().maxCoeff() == 0.0);

  // Every single flipped byte is refused, naming the file (the model's own format alone would take
  // a flipped bit in a threshold or a probability as data).
  const auto intact = file_bytes(file);
  for (std::size_t i = 0; i < intact.size(); i += 7) {
    auto b = intact;
    b[i] ^= 0x10;
    put_bytes(dir / "flipped.cls", b);
    try {
      read_sealed_file(dir / "flipped.cls");
      BOOST_FAIL("byte " << i << " flipped was accepted");
    } catch (const io_error& e) {
      BOOST_TEST(std::string(e.what()).find("flipped.cls") != std::string::npos, e.what());
    }
  }
  put_bytes(dir / "short.cls", intact.substr(0, intact.size() - 3));
  BOOST_CHECK_EXCEPTION(read_sealed_file(dir / "short.cls"), io_error, [](const io_error& e) { return testing::message_has(e, "short.cls"); });
  // A classifier saved without a seal (the format before) is not a sealed file.
  BOOST_CHECK_EXCEPTION(read_sealed_file(dir / "plain.cls"), io_error,
                        [](const io_error& e) { return testing::message_has(e, "not a sealed cantus file"); });
  // A damaged payload inside a valid seal is still the model format's error, naming the name given.
  BOOST_CHECK_THROW(random_forest::from_bytes(back.payload.substr(0, 40), "x.cls"), io_error);
}

BOOST_AUTO_TEST_SUITE_END()
