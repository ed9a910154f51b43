// Folder-per-genre corpora (data/folders.hpp): the input describes a tree, one relative path per
// line ("rock/a.wav", "jazz/", ".hidden/x.mp3", names with any bytes but '/' and NUL), which is made
// under a scratch root (empty files: load() lists, it does not decode) and loaded with split
// fractions taken from the first two bytes. What load() accepts must hold together: every track
// inside the root in a genre folder named by its label, ids 1..n, labels sorted and indexed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "cantus/data/folders.hpp"
#include "fuzz_support.hpp"

namespace {
namespace fs = std::filesystem;

// Makes the tree; at most 64 entries, 4 levels, 64 bytes per name. Returns false when nothing
// sensible could be made (the input is then skipped: the file system, not cantus, would refuse it).
bool make_tree(const fs::path& root, std::string_view text) {
  std::size_t entries = 0;
  while (!text.empty() && entries < 64) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    const bool is_dir = !line.empty() && line.back() == '/';
    fs::path p = root;
    int depth = 0;
    while (!line.empty() && depth < 4) {
      const auto slash = line.find('/');
      std::string name(line.substr(0, slash));
      line = slash == std::string_view::npos ? std::string_view() : line.substr(slash + 1);
      name.erase(std::remove(name.begin(), name.end(), '\0'), name.end());
      if (name.empty() || name == "." || name == ".." || name.size() > 64) continue;
      p /= name;
      ++depth;
    }
    if (depth == 0) continue;
    std::error_code ec;
    if (is_dir) {
      fs::create_directories(p, ec);
    } else {
      fs::create_directories(p.parent_path(), ec);
      if (!ec && !fs::exists(p, ec)) cantus_fuzz::write_file(p, "", 0);
    }
    ++entries;
  }
  return entries > 0;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cantus::data;
  if (size < 2) return 0;
  const auto root = cantus_fuzz::scratch_dir() / "corpus";
  fs::remove_all(root);
  fs::create_directories(root);
  folders::options o;
  o.fractions.training = data[0] / 255.0;
  o.fractions.validation = (1 - o.fractions.training) * (data[1] / 255.0);
  o.fractions.test = 1 - o.fractions.training - o.fractions.validation;
  if (!make_tree(root, std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2))) return 0;
  cantus_fuzz::accepts([&] {
    const auto c = folders::load(root, o);
    if (!std::is_sorted(c.labels.begin(), c.labels.end())) std::abort();
    for (std::size_t i = 0; i < c.tracks.size(); ++i) {
      const auto& t = c.tracks[i];
      if (t.id != static_cast<std::int64_t>(i) + 1) std::abort();
      if (t.path.parent_path().parent_path() != root) std::abort();  // ROOT/<genre>/<file>, nothing else
      if (t.label < 0 || static_cast<std::size_t>(t.label) >= c.labels.size() || c.labels[t.label] != t.label_name) std::abort();
      if (t.path.parent_path().filename() != t.label_name) std::abort();
    }
  });
  return 0;
}
