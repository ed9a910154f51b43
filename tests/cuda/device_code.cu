// test_cuda's device code as one nvcc unit. Each of these files parses the CUDA backend (the last two
// every layer and model for cuda too), and nvcc's fixed cost per unit is large; the layer-contract
// checks' own unit was nearly all parse. Included here, that is paid once.
#include "device_ops.cu"
#include "layer_concepts.cu"
#include "parity.cu"
