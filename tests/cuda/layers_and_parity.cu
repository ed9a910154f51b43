// One nvcc unit for the layer-contract checks and the parity runs: each parses the whole library for
// cuda (every layer and model), and that parse was most of the checks' own unit; here it is paid once.
#include "layer_concepts.cu"
#include "parity.cu"
