#pragma once
// cantus' datasets: FMA metadata and audio, folder-per-genre corpora, the generated style corpus, and
// the cached feature store that models read from. Needs the audio component (cantus::audio).
#include "cantus/data/checksum.hpp"
#include "cantus/data/corpus.hpp"
#include "cantus/data/corpus_check.hpp"
#include "cantus/data/csv.hpp"
#include "cantus/data/directory_lock.hpp"
#include "cantus/data/feature_store.hpp"
#include "cantus/data/fma.hpp"
#include "cantus/data/folders.hpp"
#include "cantus/data/mapped_file.hpp"
#include "cantus/data/stratified_split.hpp"
#include "cantus/data/style_corpus.hpp"
#include "cantus/data/subprocess.hpp"
