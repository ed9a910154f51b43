#pragma once
// cantus' audio front end: decoding and resampling (load.hpp), librosa-exact log-mel spectrograms
// (mel.hpp, filters.hpp, fft.hpp) and chunking into fixed-length windows (chunk.hpp).
// Link cantus::audio (libsndfile, libsoxr, FFTW single precision).
#include "cantus/audio/chunk.hpp"
#include "cantus/audio/fft.hpp"
#include "cantus/audio/filters.hpp"
#include "cantus/audio/load.hpp"
#include "cantus/audio/mel.hpp"
#include "cantus/audio/signal.hpp"
