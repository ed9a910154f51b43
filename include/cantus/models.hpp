#pragma once
// cantus::models: the paper's five models over cantus::nn, the training harness they share and track
// embeddings (docs/models.md). The data sets that cut their inputs from the feature store belong to
// the paper component (cantus/paper/datasets.hpp, target cantus::paper).
#include "cantus/models/config.hpp"
#include "cantus/models/embeddings.hpp"
#include "cantus/models/naive_seq2seq.hpp"
#include "cantus/models/optimizer_adapter.hpp"
#include "cantus/models/seq2seq_mel.hpp"
#include "cantus/models/step_vae.hpp"
#include "cantus/models/supervised_cnn.hpp"
#include "cantus/models/to_backend.hpp"
#include "cantus/models/trainer.hpp"
#include "cantus/models/wavenet.hpp"
