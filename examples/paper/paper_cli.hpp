#pragma once
// The command line of the paper programs (table1, table2, table3, figure5, figure6, traversal): the
// flags they share, each program's own, and the checks that judge them together, all before any
// work. Exit statuses and messages follow examples/common/cli.hpp.
#include <omp.h>

#include <cstdlib>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "paper_experiment.hpp"

namespace paper {

// The flags only some programs take; a program not taking one refuses it as unknown.
struct extra_flags {
  bool paper = false;   // table1 --paper FILE
  bool cv = false;      // table1 --cv K
  bool sweep = false;   // table3 --sweep CAPACITIES:GAMMAS
  bool genres = false;  // figure6 --genres A,B
  bool split = false;   // figure5, figure6 --split test|all
};

// Parses the command line into options (exiting with 0 on --help, 2 on a usage error). `check`, when
// given, judges the parsed options further and throws cli::usage_error.
options parse(int argc, char** argv, const std::string& description, extra_flags extra = {},
           const std::function<void(const options&)>& check = {});

}  // namespace paper
