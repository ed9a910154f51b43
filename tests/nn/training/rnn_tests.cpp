// GRU and LSTM tests, one file per idea (*.ipp) compiled as one translation unit: every translation
// unit re-instantiates the CPU backend's GEMM and Boost.Test, and separate units tripled the build.
#include "gru_test.ipp"
#include "lstm_test.ipp"
#include "sequential_test.ipp"
#include "threading_test.ipp"
