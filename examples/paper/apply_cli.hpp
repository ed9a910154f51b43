#pragma once
// The command line shared by `embed` and `predict`: --run DIR, inputs, and the program's own flags.
#include <omp.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

namespace paper::apply {

struct cli {
  std::string run;
  std::vector<std::string> inputs;
  std::string pooling;  // "": the card's
  int threads = 1;
};

// Parses argv; `own(flag, value)` takes the program's own flags (returns false for an unknown one).
// Exits with status 2 and the usage on any error.
inline cli parse_cli(int argc, char** argv, const char* program, const char* usage,
                     const std::function<bool(const std::string&, const std::function<std::string()>&)>& own) {
  cli c;
  auto fail = [&](const std::string& why) {
    std::fprintf(stderr, "%s: %s\n%s", program, why.c_str(), usage);
    std::exit(2);
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) fail(a + " needs a value");
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::printf("%s", usage);
      std::exit(0);
    } else if (a == "--run") c.run = value();
    else if (a == "--pooling") {
      c.pooling = value();
      if (c.pooling != "mean" && c.pooling != "mean+std") fail("--pooling must be mean or mean+std, got '" + c.pooling + "'");
    } else if (a == "--threads") {
      const std::string v = value();
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end || n < 1 || n > 1024) fail("--threads expects 1 to 1024, got '" + v + "'");
      c.threads = static_cast<int>(n);
    } else if (!a.empty() && a[0] == '-') {
      if (!own(a, value)) fail("unknown argument '" + a + "'");
    } else {
      c.inputs.push_back(a);
    }
  }
  if (c.run.empty()) fail("--run DIR is required (a run directory: OUT/runs/<model>-..., with model.json and last.ckpt)");
  if (c.inputs.empty()) fail("no audio files or folders given");
  omp_set_num_threads(c.threads);
  return c;
}

}  // namespace paper::apply
