#pragma once
// The architectures of the paper's five models: sizes only. Defaults are the anchor shapes of the
// PyTorch reference the benchmark runs beside cantus (docs/models.md, docs/performance.md); every field
// can be changed. How a model trains (batch size, learning rate, ...) is not its configuration's:
// models::training_settings holds it.
#include <cstdint>
#include <string>
#include <vector>

#include "cantus/base/config.hpp"
#include "cantus/base/error.hpp"

namespace cantus::models {

// (1) GRU sequence-to-sequence autoencoder over raw-audio chunks; z = the encoder's final hidden state.
struct naive_seq2seq_config {
  index_t chunk_samples = 2048;  // T: raw samples per chunk
  index_t hidden = 32;           // GRU hidden size = latent size (the paper tries 8, 16, 32)
  // What models::seq2seq_autoencoder reads: one raw sample per step, batches [batch, chunk_samples].
  static constexpr const char* name = "naive_seq2seq";
  static constexpr const char* input_name = "input chunks";
  static constexpr std::uint64_t seed_tag = 0x4E53;
  static constexpr std::size_t batch_rank = 2;
  index_t steps() const { return chunk_samples; }
  index_t features() const { return 1; }
  void validate() const {
    if (chunk_samples < 2 || hidden < 1)
      throw_value_error("naive_seq2seq_config: chunk_samples must be >= 2 and hidden >= 1 (got ", chunk_samples, ", ", hidden, ")");
  }
};

// (2) Step-based beta-VAE: one log-mel frame is one sample.
struct step_vae_config {
  index_t n_mels = 128;                              // bins per frame; must be divisible by 2^len(channels)
  std::vector<index_t> channels = {32, 64, 128};     // Conv1d encoder widths (the decoder mirrors them)
  index_t kernel_size = 4, stride = 2, padding = 1;  // every conv: halves the length
  index_t latent = 100;                              // z
  float gamma = 100.0f;                              // weight of |KL - C| (Burgess et al. 2018)
  float capacity_max = 5.0f;                         // C reached at the end of annealing (nats)
  std::int64_t capacity_anneal_steps = 10000;        // C grows linearly 0 -> capacity_max over these steps
  void validate() const {
    index_t len = n_mels;
    for (std::size_t i = 0; i < channels.size(); ++i) {
      if (len % 2) throw_value_error("step_vae_config: n_mels = ", n_mels, " must be divisible by 2^", channels.size());
      len /= 2;
    }
    if (channels.empty() || latent < 1 || kernel_size != 4 || stride != 2 || padding != 1)
      throw_value_error("step_vae_config: needs >= 1 channel stage, latent >= 1 and the halving conv (k4 s2 p1)");
  }
  index_t encoded_length() const { return n_mels >> channels.size(); }
  index_t encoded_channels() const { return channels.back(); }
  // What models::beta_vae reads besides the sizes.
  static constexpr const char* name = "step_vae";
  static constexpr std::uint64_t seed_tag = 0x5645;
};

// (3) LSTM sequence-to-sequence autoencoder over log-mel chunks.
struct seq2seq_mel_config {
  index_t n_mels = 128;
  index_t frames = 128;   // T: frames per chunk
  index_t hidden = 512;   // LSTM hidden = latent size
  // What models::seq2seq_autoencoder reads: time-major chunks [batch, frames, n_mels].
  static constexpr const char* name = "seq2seq_mel";
  static constexpr const char* input_name = "input chunks [batch, frames, n_mels]";
  static constexpr std::uint64_t seed_tag = 0x534D;
  static constexpr std::size_t batch_rank = 3;
  index_t steps() const { return frames; }
  index_t features() const { return n_mels; }
  void validate() const {
    if (n_mels < 1 || frames < 2 || hidden < 1)
      throw_value_error("seq2seq_mel_config: n_mels, hidden must be >= 1 and frames >= 2");
  }
};

// (4) WaveNet with local conditioning on the log-mel.
struct wavenet_config {
  index_t classes = 256;        // mu-law levels
  index_t residual = 64;        // residual channels
  index_t skip = 128;           // skip channels
  index_t stacks = 2;           // dilation stacks
  index_t layers_per_stack = 10;  // dilations 1, 2, ..., 2^(layers_per_stack-1)
  index_t n_mels = 128;
  index_t hop_length = 512;     // = upsample_stride^upsample_layers
  index_t upsample_layers = 3, upsample_kernel = 16, upsample_stride = 8, upsample_padding = 4;
  index_t chunk_samples = 8192;  // samples per training chunk (predicting chunk_samples next samples)
  void validate() const {
    index_t up = 1;
    for (index_t i = 0; i < upsample_layers; ++i) up *= upsample_stride;
    if (up != hop_length)
      throw_value_error("wavenet_config: upsample_stride^upsample_layers = ", up, " must equal hop_length = ", hop_length);
    if (upsample_kernel != 2 * upsample_stride || upsample_padding * 2 != upsample_kernel - upsample_stride)
      throw_value_error("wavenet_config: the upsampling transposed convolutions must multiply the length exactly "
                        "(kernel = 2*stride, padding = stride/2); got kernel ", upsample_kernel, ", stride ",
                        upsample_stride, ", padding ", upsample_padding);
    if (chunk_samples % hop_length)
      throw_value_error("wavenet_config: chunk_samples = ", chunk_samples, " must be a multiple of hop_length = ", hop_length);
    if (classes < 2 || residual < 1 || skip < 1 || stacks < 1 || layers_per_stack < 1)
      throw_value_error("wavenet_config: sizes must be positive");
  }
  index_t layers() const { return stacks * layers_per_stack; }
  // What models::wavenet_stack reads besides the sizes.
  static constexpr const char* name = "wavenet";
  static constexpr std::uint64_t seed_tag = 0x574E;
  index_t dilation(index_t layer) const { return index_t(1) << (layer % layers_per_stack); }
  index_t receptive_field() const {
    index_t r = 1;
    for (index_t l = 0; l < layers(); ++l) r += dilation(l);
    return r;
  }
};

// (5) The paper's supervised baseline: a CNN on log-mel chunks -> genre logits.
struct supervised_cnn_config {
  index_t n_mels = 128;
  index_t frames = 128;
  std::vector<index_t> channels = {32, 64, 128, 128};  // 4 x [Conv2d 3x3 + BatchNorm + ReLU + MaxPool 2]
  index_t genres = 8;
  // What models::classifier reads besides the sizes.
  static constexpr const char* name = "supervised_cnn";
  static constexpr std::uint64_t seed_tag = 0x434E;
  void validate() const {
    index_t h = n_mels, w = frames;
    for (std::size_t i = 0; i < channels.size(); ++i) h /= 2, w /= 2;
    if (channels.empty() || h < 1 || w < 1 || genres < 2)
      throw_value_error("supervised_cnn_config: ", channels.size(), " pooling stages need n_mels and frames >= 2^",
                        channels.size(), " (got ", n_mels, " x ", frames, ") and genres >= 2 (got ", genres, ")");
  }
};

}  // namespace cantus::models
