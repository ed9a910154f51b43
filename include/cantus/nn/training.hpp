#pragma once
// cantus::nn training parts: recurrent layers with explicit state (GRU, LSTM), losses, optimizers,
// learning-rate schedules, gradient clipping and checkpoints.
#include "cantus/nn/rnn/gru.hpp"
#include "cantus/nn/rnn/lstm.hpp"
#include "cantus/nn/checkpoint.hpp"
#include "cantus/nn/loss/capacity.hpp"
#include "cantus/nn/loss/cross_entropy.hpp"
#include "cantus/nn/loss/kl.hpp"
#include "cantus/nn/loss/mse.hpp"
#include "cantus/nn/loss/mu_law.hpp"
#include "cantus/nn/optim/adam.hpp"
#include "cantus/nn/optim/clip.hpp"
#include "cantus/nn/optim/schedule.hpp"
#include "cantus/nn/optim/sgd.hpp"
