#pragma once
// What every reader of audio requires of a decoded file, in one place, so that load(), stream_reader
// and through them every program (the feature store, embed, predict, melspec...) accept and refuse
// the same files with the same message:
//   - a header that declares more audio than the file holds (a truncated WAV or AIFF): libsndfile
//     clamps its frame count to what is there and says so only in its log, so the file looked whole;
//     the declared length is taken from the log and judged like any partial decode;
//   - the share of the declared duration that decoded (a damaged MP3 frame makes the decoder stop
//     there without an error at open), against min_decoded_share;
//   - a minimum length where a caller needs one: at least one analysis window (n_fft samples) of real
//     audio for a feature frame; a 1-sample file made one frame of padding and was given a genre.
#include <sndfile.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

#include "cantus/audio/signal.hpp"
#include "cantus/base/error.hpp"

namespace cantus::audio {

// The share of its declared duration below which a decoded file counts as broken. A damaged MP3
// frame makes the decoder give up there and return what came before it, with no error at open: a
// clip corrupted in the middle decodes to half its length. Intact files decode to exactly what their
// header declares (every clip of the shared FMA-shaped corpus does), so 0.9 only refuses real losses
// while tolerating a header's estimate that is slightly off.
inline constexpr double default_min_decoded_share = 0.9;

// Frames asked of the decoder per read, by load() and stream_reader alike. Where a damaged MP3 frame
// falls inside a read, libsndfile (through mpg123) returns nothing for that whole read, so the size
// decides how much of a damaged file decodes: one size for every reader keeps them in agreement.
inline constexpr std::size_t decode_block_frames = std::size_t{1} << 14;

namespace detail {
template <class... Why>
[[noreturn]] void throw_load_error(const std::string& file, const Why&... why) {
  throw io_error(cantus::detail::concat("cantus::audio::load: '", file, "': ", why...));
}

// The frames the header declares (-1: not known). Where the data chunk's size exceeds the bytes the
// file holds, libsndfile logs "data : DECLARED (should be FOUND)" (WAV; "SSND" for AIFF) and reports
// only FOUND's frames: the declared frames are scaled back up from the log. A size of 0 or 2^32 - 1
// means "unknown" (a stream written before its length was known) and is not a truncation.
inline std::int64_t declared_frames(SNDFILE* file, const SF_INFO& info) {
  const bool known = info.frames > 0 && info.frames < std::numeric_limits<sf_count_t>::max() / 2;
  if (!known) return -1;
  char log[8192] = {};
  sf_command(file, SFC_GET_LOG_INFO, log, sizeof log);
  for (const char* chunk : {"\ndata : ", "\nSSND : "}) {
    const char* at = std::strstr(log, chunk);
    if (!at) continue;
    unsigned long long declared = 0, found = 0;
    if (std::sscanf(at + std::strlen(chunk), "%llu (should be %llu)", &declared, &found) == 2 && found > 0 && declared > found &&
        declared != 0xffffffffULL) {
      const long double frames = static_cast<long double>(info.frames) * declared / found;
      return frames < 0x1p62L ? static_cast<std::int64_t>(frames) : -1;  // a damaged size field: not a length
    }
  }
  return info.frames;
}

// Compares what was decoded (`decoded` frames at the file's rate) with what the header declares, and
// fills s.declared_frames, s.decoded_frames and s.decode_loss. libsndfile (through mpg123) reports a
// damaged stream only as an error state after the last read, so both signs are looked at. Throws
// io_error naming the file below `min_share`.
inline void account_for_losses(signal& s, std::int64_t decoded, std::int64_t declared, double rate, int decoder_error,
                               const char* decoder_message, double min_share) {
  s.decoded_frames = decoded;
  s.declared_frames = declared;
  std::string loss;
  if (declared > 0 && decoded < declared) {
    const double share = static_cast<double>(decoded) / static_cast<double>(declared);
    loss = cantus::detail::concat("decoded ", decoded / rate, " s of the ", declared / rate, " s its header declares (", 100.0 * share, " %)");
    if (decoder_error != SF_ERR_NO_ERROR) loss.append(cantus::detail::concat("; the decoder stopped with \"", decoder_message, "\""));
    if (share < min_share)
      throw_load_error(s.source, loss, ", less than the required ", 100.0 * min_share,
                       " % (damaged or truncated; min_decoded_share, the programs' --min-decoded-share, sets the share)");
  } else if (decoder_error != SF_ERR_NO_ERROR) {
    loss = cantus::detail::concat("the decoder stopped with \"", decoder_message, "\" after ", decoded / rate, " s");
  }
  s.decode_loss = std::move(loss);
}
}  // namespace detail

// A decoded file must hold at least `min_samples` samples at `rate` (a caller's window: n_fft samples
// for one feature frame of real audio). Throws io_error naming the file.
inline void require_length(const std::string& file, std::uint64_t samples, double rate, std::uint64_t min_samples) {
  if (samples < min_samples)
    detail::throw_load_error(file, "decoded ", samples, " samples (", static_cast<double>(samples) / rate, " s at ", rate,
                             " Hz), fewer than the ", min_samples, " samples of one analysis window (too short to analyse)");
}

}  // namespace cantus::audio
