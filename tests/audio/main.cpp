#define BOOST_TEST_MODULE cantus audio
#include <boost/test/unit_test.hpp>
