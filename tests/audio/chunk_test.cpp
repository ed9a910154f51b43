#include "cantus/audio.hpp"
#include "cantus_test.hpp"
