#pragma once
// cantus' datasets: FMA metadata and audio, folder-per-genre corpora, stratified splits and corpus
// checks. Needs the audio component (cantus::audio). The cached feature store and the generated style
// corpus are the paper application's (cantus/paper.hpp, component cantus::paper).
#include "cantus/data/checksum.hpp"
#include "cantus/data/corpus.hpp"
#include "cantus/data/corpus_check.hpp"
#include "cantus/data/csv.hpp"
#include "cantus/data/fma.hpp"
#include "cantus/data/folders.hpp"
#include "cantus/data/mapped_file.hpp"
#include "cantus/data/stratified_split.hpp"
