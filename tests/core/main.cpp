#define BOOST_TEST_MODULE cantus core
#include <boost/test/unit_test.hpp>
