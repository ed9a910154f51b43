#define BOOST_TEST_MODULE cantus nn layers
#include <boost/test/unit_test.hpp>
