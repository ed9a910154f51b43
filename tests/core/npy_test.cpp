#include <boost/test/unit_test.hpp>
#include <fstream>

#include "cantus/cantus.hpp"
#include "cantus_test.hpp"

using namespace cantus;
namespace fs = std::filesystem;

namespace {
void expect_io_error(const fs::path& p, const std::string& fragment) {
  try {
    npy::read(p);
    BOOST_FAIL("expected io_error for " << p);
  } catch (const io_error& e) {
    const std::string m = e.what();
    BOOST_TEST_CONTEXT(m) {
      BOOST_TEST(m.find(p.string()) != std::string::npos);
      BOOST_TEST(m.find(fragment) != std::string::npos);
    }
  }
}
void write_raw(const fs::path& p, const std::string& header, std::size_t data_bytes) {
  std::ofstream o(p, std::ios::binary);
  std::string h = header;
  while ((10 + h.size() + 1) % 64) h += ' ';
  h += '\n';
  o.write("\x93NUMPY\x01\x00", 8);
  const unsigned char len[2] = {static_cast<unsigned char>(h.size() & 0xff), static_cast<unsigned char>(h.size() >> 8)};
  o.write(reinterpret_cast<const char*>(len), 2);
  o << h;
  o << std::string(data_bytes, '\0');
}
}  // namespace

BOOST_AUTO_TEST_SUITE(npy_suite)

BOOST_AUTO_TEST_CASE(round_trip_every_dtype) {
  auto dir = testing::scratch_dir("npy_round_trip");
  tensor<float, 2> f({3, 4});
  for (int i = 0; i < 12; ++i) f.data()[i] = i * 0.5f - 1.f;
  npy::write(dir / "f.npy", f);
  auto g = npy::load<float, 2>(dir / "f.npy");
  BOOST_TEST(g.shape() == f.shape());
  BOOST_TEST(g.to_vector() == f.to_vector(), boost::test_tools::per_element());

  std::vector<double> d = {1e300, -2.5, 0.0};
  npy::write(dir / "d.npy", d);
  BOOST_TEST(npy::read(dir / "d.npy").values<double>() == d, boost::test_tools::per_element());
  std::vector<std::int32_t> i32 = {-1, 7, 1 << 30};
  npy::write(dir / "i.npy", i32);
  auto i32r = npy::read(dir / "i.npy");
  BOOST_TEST((i32r.type == npy::dtype::int32));
  BOOST_TEST(i32r.values<std::int64_t>() == (std::vector<std::int64_t>{-1, 7, 1 << 30}), boost::test_tools::per_element());
  std::vector<std::int64_t> i64 = {1ll << 40, -3};
  npy::write(dir / "l.npy", i64);
  BOOST_TEST(npy::read(dir / "l.npy").values<std::int64_t>() == i64, boost::test_tools::per_element());
  // scalar-shaped and empty arrays
  npy::write(dir / "e.npy", std::vector<float>{});
  BOOST_TEST(npy::read(dir / "e.npy").size() == 0);
  // strided views are written densely
  auto cols = f.view().slice(1, 1, 3);
  npy::write<float, 2>(dir / "s.npy", cols);
  BOOST_TEST(npy::read(dir / "s.npy").values<float>() == (std::vector<float>{-0.5f, 0.f, 1.5f, 2.f, 3.5f, 4.f}),
             boost::test_tools::per_element());
  // nothing temporary left behind
  for (auto& e : fs::directory_iterator(dir)) BOOST_TEST(e.path().string().find(".tmp") == std::string::npos);
  // the header is 64-byte aligned as NumPy writes it
  BOOST_TEST((fs::file_size(dir / "f.npy") - 48u) % 64u == 0u);
}

BOOST_AUTO_TEST_CASE(bad_files_are_clear_errors) {
  auto dir = testing::scratch_dir("npy_bad");
  expect_io_error(dir / "missing.npy", "no such file");
  { std::ofstream(dir / "text.npy") << "hello world, not numpy"; }
  expect_io_error(dir / "text.npy", "not a .npy file");
  write_raw(dir / "half.npy", "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", 4);
  expect_io_error(dir / "half.npy", "unsupported dtype '<f2'");
  write_raw(dir / "fortran.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16);
  expect_io_error(dir / "fortran.npy", "Fortran");
  write_raw(dir / "short.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (10, 10), }", 12);
  expect_io_error(dir / "short.npy", "truncated data");
  // Issue 22, item 6: the header is checked against the file before anything is allocated, and a
  // malformed shape is the library's error naming the file, never bad_alloc or length_error.
  write_raw(dir / "huge.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (16384, 16384), }", 64);
  expect_io_error(dir / "huge.npy", "truncated data");
  write_raw(dir / "overflow.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16), }", 0);
  expect_io_error(dir / "overflow.npy", "out of range");
  write_raw(dir / "long.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 0);
  expect_io_error(dir / "long.npy", "extent out of range");
  write_raw(dir / "bytes.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (1152921504606846976,), }", 0);
  expect_io_error(dir / "bytes.npy", "more than 2^63");
  {  // a header length of 2^24 in a 12-byte file: refused before 16 MB are allocated (tests/fuzz)
    std::ofstream f(dir / "long_header.npy", std::ios::binary);
    f.write("\x93NUMPY\x02\x00\x00\x00\x00\x01", 12);
  }
  expect_io_error(dir / "long_header.npy", "length field says 16777216 bytes, the file holds 0");
  write_raw(dir / "scalar.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': 12, }", 48);
  expect_io_error(dir / "scalar.npy", "expected a tuple");
  write_raw(dir / "negative.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3), }", 24);
  expect_io_error(dir / "negative.npy", "negative extent");
  write_raw(dir / "nocomma.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2 3), }", 24);
  expect_io_error(dir / "nocomma.npy", "separated by commas");
  write_raw(dir / "letters.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", 24);
  expect_io_error(dir / "letters.npy", "expected a number");
  write_raw(dir / "empty_shape.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 4);
  BOOST_TEST(npy::read(dir / "empty_shape.npy").shape.empty());
  write_raw(dir / "zero.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 7), }", 0);
  BOOST_TEST(npy::read(dir / "zero.npy").size() == 0);
  write_raw(dir / "floats.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8);
  BOOST_CHECK_THROW(npy::read(dir / "floats.npy").values<std::int64_t>(), io_error);
  try {
    npy::load<float, 3>(dir / "floats.npy");
    BOOST_FAIL("expected rank error");
  } catch (const io_error& e) {
    BOOST_TEST(std::string(e.what()).find("3-dimensional") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(reads_numpy_written_golden_files) {
  CANTUS_REQUIRE_SHARED_DATA();
  auto a = npy::read(testing::shared_data() / "golden" / "blues.00000.logmel.npy");
  BOOST_TEST((a.type == npy::dtype::float32));
  BOOST_TEST(a.shape.size() == 2u);
  BOOST_TEST(a.shape[0] == 128);
  BOOST_TEST(a.shape[1] > 1000);
  auto v = a.values<float>();
  BOOST_TEST(*std::max_element(v.begin(), v.end()) <= 80.f);
}

BOOST_AUTO_TEST_SUITE_END()
