#pragma once
// cantus::paper: the paper application's pieces over the library (docs/paper.md): the cached feature
// store and its directory lock, the mma + fluidsynth style corpus and the subprocesses it runs, the
// five models' data sets cut from the store, and the registry the paper programs find the models in.
// Needs the audio component; component cantus::paper.
#include "cantus/paper/datasets.hpp"
#include "cantus/paper/directory_lock.hpp"
#include "cantus/paper/feature_store.hpp"
#include "cantus/paper/registry.hpp"
#include "cantus/paper/training_plan.hpp"
#include "cantus/paper/style_corpus.hpp"
#include "cantus/paper/subprocess.hpp"
