#pragma once
// functors.hpp lives in cantus/base/ since the backends, which core's tensors sit on, need it too. This
// path stays for code written against cantus 0.1.
#include "cantus/base/functors.hpp"
