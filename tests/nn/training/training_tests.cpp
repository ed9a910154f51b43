// Loss, optimizer, checkpoint and end-to-end training tests, one file per idea (*.ipp) compiled as
// one translation unit (see rnn_tests.cpp for why).
#include "checkpoint_test.ipp"
#include "loss_test.ipp"
#include "optim_test.ipp"
#include "training_loop_test.ipp"
