// The distributed tests' main: MPI lives for the whole test run (mpi_environment), and two modes
// that end the job on purpose run instead of the test suite when CTest asks for them:
//   CANTUS_TEST_MODE=mismatch   rank 1 trains on other data: the trainer must stop every rank at the
//                               start, naming rank 1
//   CANTUS_TEST_MODE=kill       rank 1 kills itself during epoch 3 of a checkpointed run (the launcher
//                               must end the job naming it); CANTUS_TEST_MODE=resume then finishes the
//                               run from the last checkpoint and checks it against an uninterrupted one
#define BOOST_TEST_MODULE cantus distributed
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstdlib>
#include <memory>
#include <string>

#include "cantus/distributed/mpi.hpp"
#include "distributed_fixture.hpp"
#include "fault_modes.hpp"

namespace {
std::unique_ptr<cantus::distributed::mpi_environment> env;
}

cantus::distributed::process_group& cantus::testing::world() { return env->world(); }

int main(int argc, char* argv[]) {
  env = std::make_unique<cantus::distributed::mpi_environment>(&argc, &argv);
  int rc = 0;
  if (const char* mode = std::getenv("CANTUS_TEST_MODE"); mode && *mode) rc = cantus::testing::run_mode(mode);
  else rc = boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
  env.reset();
  return rc;
}
