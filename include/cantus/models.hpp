#pragma once
// cantus::models: the paper's five models over cantus::nn, the training harness they share (with its
// settings) and track embeddings (docs/models.md). The data sets that cut the paper's inputs from the
// feature store belong to the paper application (examples/paper/app/datasets.hpp).
#include "cantus/models/config.hpp"
#include "cantus/models/embeddings.hpp"
#include "cantus/models/naive_seq2seq.hpp"
#include "cantus/models/optimizer_adapter.hpp"
#include "cantus/models/seq2seq_mel.hpp"
#include "cantus/models/step_vae.hpp"
#include "cantus/models/supervised_cnn.hpp"
#include "cantus/models/to_backend.hpp"
#include "cantus/models/trainer.hpp"
#include "cantus/models/training_settings.hpp"
#include "cantus/models/wavenet.hpp"
