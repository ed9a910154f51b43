#define BOOST_TEST_MODULE cantus models
#include <boost/test/unit_test.hpp>
