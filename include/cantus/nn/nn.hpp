#pragma once
// cantus::nn — layers, their compile-time composition and (when present) the training parts:
// recurrent layers, losses, optimizers, schedules, checkpoints.
#include "cantus/nn/init.hpp"
#include "cantus/nn/layer.hpp"
#include "cantus/nn/parameter.hpp"
#if __has_include("cantus/nn/layers/layers.hpp")
#include "cantus/nn/layers/layers.hpp"
#endif
#if __has_include("cantus/nn/sequential.hpp")
#include "cantus/nn/sequential.hpp"
#endif
#if __has_include("cantus/nn/training.hpp")
#include "cantus/nn/training.hpp"
#endif
