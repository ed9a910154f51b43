#define BOOST_TEST_MODULE cantus data
#include <boost/test/unit_test.hpp>
