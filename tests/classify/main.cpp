#define BOOST_TEST_MODULE cantus classify
#include <boost/test/unit_test.hpp>
