// Threads for the free cores (core/thread_share.hpp).
#include <boost/test/unit_test.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "cantus/core/thread_share.hpp"

using namespace cantus;

BOOST_AUTO_TEST_SUITE(thread_share)

BOOST_AUTO_TEST_CASE(a_busy_process_takes_a_core_from_the_count) {
  free_core_meter meter;
  const int allowed = free_core_meter::allowed();
  BOOST_TEST(allowed >= 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const int idle = meter.sample();
  BOOST_TEST(idle >= 1);
  BOOST_TEST(idle <= allowed);
  if (allowed < 2) {
    BOOST_TEST_MESSAGE("one core: nothing to take away");
    return;
  }
  const pid_t pid = ::fork();
  BOOST_REQUIRE(pid >= 0);
  if (pid == 0) {
    volatile unsigned long x = 0;
    for (;;) x = x + 1;
  }
  meter.sample();  // from here on
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  const int busy = meter.sample();
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  BOOST_TEST(busy <= allowed - 1, "free cores with a busy process beside: " << busy << " of " << allowed);
}

BOOST_AUTO_TEST_CASE(the_governor_restores_the_count_and_can_be_turned_off) {
  omp_set_num_threads(3);
  {
    thread_governor g(3, std::chrono::milliseconds(0));
    g.poll();
    BOOST_TEST(g.threads() >= 1);
    BOOST_TEST(g.threads() <= 3);
    BOOST_TEST(omp_get_max_threads() == g.threads());
  }
  BOOST_TEST(omp_get_max_threads() == 3);  // what was asked for, after the governor
  ::setenv("CANTUS_ADAPTIVE_THREADS", "0", 1);
  {
    thread_governor g(3, std::chrono::milliseconds(0));
    BOOST_TEST(!g.enabled());
    BOOST_TEST(!g.poll());
    BOOST_TEST(omp_get_max_threads() == 3);
  }
  ::unsetenv("CANTUS_ADAPTIVE_THREADS");
  BOOST_TEST(!thread_governor(1).enabled());  // one thread: nothing to adapt
}

BOOST_AUTO_TEST_SUITE_END()
