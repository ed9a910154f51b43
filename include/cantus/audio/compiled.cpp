// The audio functions too costly to compile in every file that includes them, compiled once for a
// whole build tree (see audio/inverse.hpp): the object library cantus_audio_objects, which the build
// tree's cantus::audio carries.
#define CANTUS_AUDIO_IMPLEMENTATION
#include "cantus/audio/inverse.hpp"
