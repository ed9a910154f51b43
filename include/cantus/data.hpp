#pragma once
// cantus' datasets: FMA metadata and audio, folder-per-genre corpora, stratified splits, corpus
// checks, and the cached feature store of any corpus (resumable, checksummed; built by one process or
// shared out over the ranks of a job). Needs the audio component (cantus::audio).
#include "cantus/data/checksum.hpp"
#include "cantus/data/corpus.hpp"
#include "cantus/data/corpus_check.hpp"
#include "cantus/data/csv.hpp"
#include "cantus/data/feature_store.hpp"
#include "cantus/data/fma.hpp"
#include "cantus/data/folders.hpp"
#include "cantus/data/mapped_file.hpp"
#include "cantus/data/sharded_store.hpp"
#include "cantus/data/stratified_split.hpp"
