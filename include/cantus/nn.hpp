#pragma once
// Umbrella for cantus::nn (see cantus/nn/nn.hpp).
#include "cantus/nn/nn.hpp"
