#define BOOST_TEST_MODULE cantus nn training
#include <boost/test/unit_test.hpp>
