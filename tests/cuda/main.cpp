#define BOOST_TEST_MODULE cantus cuda
#include <boost/test/unit_test.hpp>
