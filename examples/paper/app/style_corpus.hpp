#pragma once
// The embedded default corpus: genre-labelled clips rendered from the style library of Debian's mma
// (Musical MIDI Accompaniment) through fluidsynth with General MIDI soundfonts, written in FMA's layout
// (fma_metadata/tracks.csv + genres.csv, audio under fma_small/NNN/NNNNNN.flac) so the FMA loader
// reads it like the real dataset.
//
// Per clip it draws, from a counter-based stream keyed by (seed, clip id): a pattern (an mma groove)
// of the genre, a tempo in the genre's usual range, a key (transposition), a chord progression typical
// of the genre, a soundfont, and mma's own random seed (mma humanises timing and velocity randomly
// unless seeded with RndSeed). Splits are by pattern family (an mma style file): test clips come from
// families never used in training, so a classifier must learn the genre, not the loop.
//
// Every factor of a clip is recorded in tracks.csv (group "style"): pattern family, groove, tempo and
// its band, key, soundfont, peak loudness and lead instrument. With factors = genre (the default) the
// tempo follows the genre's usual range, the peak is -1 dBFS and there is no lead voice. With
// factors = independent, tempo band, key, loudness, lead instrument and soundfont are dealt to each
// genre's clips in equal shares, shuffled per genre and factor, so no factor says anything about the
// genre or about another factor (the corpus for measuring disentanglement, examples/paper/table3).
// Part of cantus::paper (docs/paper.md): needs mma and fluidsynth at run time.
#include <sndfile.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cantus/core/atomic_file.hpp"
#include "cantus/core/directories.hpp"
#include "cantus/base/error.hpp"
#include "cantus/core/progress.hpp"
#include "cantus/core/random.hpp"
#include "cantus/data/corpus.hpp"
#include "cantus/data/csv.hpp"
#include "cantus/data/fma.hpp"
#include "cantus/core/directory_lock.hpp"
#include "app/subprocess.hpp"

namespace paper {
using namespace cantus;  // the application is written in the library's terms
}  // namespace paper

namespace paper::style {

// One mma style file ("library/file", as mma's Use takes it) and the grooves of it we use. Grooves of
// one family share their basic pattern, so a family is the unit a split keeps together.
struct pattern_family {
  std::string_view use;
  std::vector<std::string_view> grooves;
};

struct genre_style {
  std::string_view name;  // FMA-style top-level genre title
  int tempo_min, tempo_max;
  std::vector<pattern_family> families;
  std::vector<std::vector<std::string_view>> progressions;  // one chord per bar, in C
};

// Melodic families only (bass, chords, arpeggios besides drums); mma's zoom library is drums only.
// Ordered so that --genres N takes the N most distinct genres first.
inline const std::vector<genre_style>& genres() {
  static const std::vector<genre_style> table = {
      {"Rock", 100, 150,
       {{"stdlib/50srock", {"50sRock"}}, {"stdlib/60srock", {"60sRock"}}, {"stdlib/basicrock", {"BasicRock"}},
        {"stdlib/softrock", {"SoftRock"}}, {"stdlib/folkrock", {"FolkRock"}}, {"pflib/rock1", {"rock1A", "rock1B"}},
        {"casio/rock1", {"Rock1"}}, {"casio/rock2", {"Rock2"}}, {"casio/shufflerock", {"ShuffleRock"}},
        {"kara/K50s_rock", {"50s_RockA"}}},
       {{"C", "G", "Am", "F"}, {"C", "F", "G", "F"}, {"Am", "F", "C", "G"}, {"C", "Bb", "F", "C"}, {"C", "C", "F", "G"}}},
      {"Jazz", 100, 190,
       {{"stdlib/bebop", {"Bebop"}}, {"stdlib/jazzcombo", {"JazzCombo"}}, {"stdlib/jazzguitar", {"JazzGuitar"}},
        {"stdlib/modernjazz", {"ModernJazz"}}, {"stdlib/mellowjazz", {"MellowJazz"}}, {"stdlib/nitejazz", {"NiteJazz"}},
        {"stdlib/swing", {"Swing"}}, {"stdlib/easyswing", {"EasySwing"}}, {"yamaha/jazzswing", {"JazzSwingMainA"}},
        {"yamaha/jazztrio", {"JazzTrioMainA"}}},
       {{"Dm7", "G7", "Cmaj7", "Cmaj7"}, {"Cmaj7", "A7", "Dm7", "G7"}, {"Em7", "A7", "Dm7", "G7"},
        {"Fmaj7", "Bb7", "Em7", "A7"}, {"Cmaj7", "C7", "Fmaj7", "Fm6"}}},
      {"Blues", 70, 130,
       {{"stdlib/blues", {"Blues"}}, {"stdlib/slowblues", {"SlowBlues"}}, {"stdlib/fastblues", {"FastBlues"}},
        {"stdlib/countryblues", {"CountryBlues"}}, {"stdlib/shuffleboggie", {"ShuffleBoggie"}},
        {"stdlib/boggiewoggie", {"BoggieWoggie"}}, {"stdlib/blues128", {"Blues128"}}, {"casio/shuffleboogie", {"ShuffleBoogie"}}},
       {{"C7", "C7", "C7", "C7", "F7", "F7", "C7", "C7", "G7", "F7", "C7", "G7"},
        {"C7", "F7", "C7", "C7", "F7", "F7", "C7", "C7", "G7", "F7", "C7", "G7"},
        {"Cm7", "Cm7", "Cm7", "Cm7", "Fm7", "Fm7", "Cm7", "Cm7", "Ab7", "G7", "Cm7", "G7"}}},
      {"Hip-Hop", 80, 100,
       {{"casio/hip-hop", {"Hip-Hop"}}, {"alexis/hiphop", {"HipHop", "HipHopPlus1"}}, {"casio/triphop", {"TripHop"}},
        {"casio/funk1", {"Funk1"}}, {"casio/funk2", {"Funk2"}}, {"casio/mellowrb", {"MellowRB"}}, {"casio/modernrb", {"ModernR&B"}},
        {"stdlib/bvfunk", {"BVFunk"}}, {"kara/Kfunk1", {"Kfunk1A"}}},
       {{"Cm7", "Cm7", "Fm7", "Fm7"}, {"Am7", "Dm7", "Am7", "Em7"}, {"Cm", "Ab", "Bb", "Cm"}, {"Dm7", "Dm7", "Gm7", "A7"}}},
      {"Electronic", 120, 140,
       {{"casio/techno", {"Techno"}}, {"casio/house", {"House"}}, {"casio/trance1", {"Trance1"}}, {"casio/trance2", {"Trance2"}},
        {"casio/rave", {"Rave"}}, {"stdlib/trance", {"Trance", "Trance2"}}, {"alexis/teamtechno", {"TeamTechno"}}},
       {{"Am", "F", "C", "G"}, {"Cm", "Ab", "Eb", "Bb"}, {"Am", "Am", "F", "G"}, {"Dm", "Bb", "F", "C"}}},
      {"Country", 90, 150,
       {{"stdlib/countryswing", {"CountrySwing"}}, {"stdlib/slowcountry", {"SlowCountry"}}, {"stdlib/bluegrass", {"BlueGrass"}},
        {"stdlib/westernswing", {"WesternSwing"}}, {"stdlib/hillcountry", {"HillCountry"}}, {"yamaha/western", {"WesternMainA"}},
        {"yamaha/jazzcountry", {"JazzCountryMainA"}}},
       {{"C", "C", "F", "C", "C", "C", "G", "C"}, {"C", "F", "G", "C"}, {"C", "C7", "F", "F", "G", "G", "C", "C"}}},
      {"Latin", 90, 140,
       {{"stdlib/bossanova", {"BossaNova"}}, {"stdlib/samba", {"Samba"}}, {"stdlib/salsa", {"Salsa"}}, {"stdlib/mambo", {"Mambo"}},
        {"stdlib/rhumba", {"Rhumba"}}, {"stdlib/chacha", {"ChaCha"}}, {"stdlib/merengue", {"Merengue"}},
        {"stdlib/beguine", {"Beguine"}}, {"yamaha/salsa1", {"Salsa1MainA"}}, {"casio/latinfusion", {"LatinFusion"}}},
       {{"Am", "Dm", "E7", "Am"}, {"Cmaj7", "Dm7", "Em7", "Dm7"}, {"Dm7", "G7", "Cmaj7", "A7"}, {"Am", "G", "F", "E7"}}},
      {"Pop", 95, 125,
       {{"casio/pop", {"Pop"}}, {"casio/60spop", {"60sPop"}}, {"casio/80spop", {"80sPop"}}, {"casio/8beatpop1", {"8BeatPop1"}},
        {"casio/8beatpop2", {"8BeatPop2"}}, {"casio/8beatpop3", {"8BeatPop3"}}, {"casio/electricpop", {"ElectricPop"}},
        {"casio/soulpop", {"SoulPop"}}, {"casio/worldpop", {"WorldPop"}}, {"stdlib/8beat", {"8Beat"}}},
       {{"C", "G", "Am", "F"}, {"Am", "F", "C", "G"}, {"C", "Am", "F", "G"}, {"F", "G", "Em", "Am"}}},
      {"Metal", 110, 180,
       {{"pflib/metal1", {"metal1A", "metal1B"}}, {"pflib/metal2", {"metal2A", "metal2B"}}, {"casio/heavymetal", {"HeavyMetal"}}},
       {{"Em", "C", "D", "Em"}, {"Em", "Em", "G", "F#"}, {"Am", "F", "G", "Am"}, {"Dm", "Bb", "C", "Dm"}}},
      {"Disco", 110, 128,
       {{"stdlib/boneym", {"BoneyM", "BoneyMPlus"}}, {"casio/discosoul", {"DiscoSoul"}}, {"casio/dance1", {"Dance1"}},
        {"casio/dance2", {"Dance2"}}, {"casio/dancepop1", {"DancePop1"}}, {"casio/dancepop2", {"DancePop2"}},
        {"casio/8beatdance", {"8BeatDance"}}, {"casio/60ssoul", {"60sSoul"}}},
       {{"Am7", "Dm7", "Am7", "Dm7"}, {"Fmaj7", "Em7", "Dm7", "Cmaj7"}, {"Cm7", "F7", "Cm7", "F7"}, {"Gm7", "C7", "Fmaj7", "Fmaj7"}}},
  };
  return table;
}

enum class factor_mode { genre, independent };

// The independent mode's levels. Tempo bands split 70-190 bpm (every genre's range lies inside).
inline constexpr int tempo_low = 70, tempo_band_width = 24, tempo_bands = 5;
inline constexpr std::array<double, 4> loudness_levels_db = {0, -6, -12, -18};  // below the -1 dBFS peak
inline const std::vector<std::string_view>& lead_instruments() {  // mma's names of General MIDI voices
  static const std::vector<std::string_view> v = {"Flute", "Trumpet", "AltoSax", "Violin", "Vibraphone", "Clarinet"};
  return v;
}
inline int tempo_band(int bpm) { return std::clamp((bpm - tempo_low) / tempo_band_width, 0, tempo_bands - 1); }

struct options {
  int genres = 8;
  int clips_per_genre = 40;  // 224 / 48 / 48 clips: at 12 (16 test clips) one clip was 6 % of accuracy
  double seconds = 10;
  std::uint64_t seed = 2019;
  int threads = 0;  // 0: every core (each clip is one mma + one fluidsynth process)
  double sample_rate = 22050;
  std::vector<std::filesystem::path> soundfonts;  // empty: the Debian General MIDI soundfonts found
  bool verbose = true;                            // progress bar and summary on stderr
  factor_mode factors = factor_mode::genre;
};

// What one clip is made of; everything is decided before any rendering, so the corpus does not
// depend on the thread count or on which clip finishes first.
struct clip_plan {
  std::int64_t id = 0;
  int genre = 0;
  int clip = 0;
  int family = 0;
  std::string use, groove;
  int tempo = 120;
  int transpose = 0;  // semitones from C
  double loudness_db = 0;  // peak level relative to -1 dBFS (loudness_levels_db; 0 in the genre mode)
  int lead = -1;           // lead_instruments() index, or -1: no lead voice
  int progression = 0;
  std::filesystem::path soundfont;
  std::uint32_t mma_seed = 0;
  data::split split = data::split::training;
  int bars = 0;
};

inline const char* key_name(int transpose) {
  static const char* names[] = {"C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"};
  return names[((transpose % 12) + 12) % 12];
}

// The General MIDI soundfonts Debian installs (fluid-soundfont-gm, timgm6mb-soundfont).
inline std::vector<std::filesystem::path> default_soundfonts() {
  std::vector<std::filesystem::path> found;
  for (const char* p : {"/usr/share/sounds/sf2/FluidR3_GM.sf2", "/usr/share/sounds/sf2/TimGM6mb.sf2"})
    if (std::filesystem::is_regular_file(p)) found.emplace_back(p);
  return found;
}

// Throws naming the Debian package to install when mma, fluidsynth or a soundfont is missing.
inline void check_tools(const options& opt) {
  if (find_program("mma").empty())
    throw io_error("style corpus: 'mma' not found on PATH (install the Debian package: apt-get install mma)");
  if (find_program("fluidsynth").empty())
    throw io_error("style corpus: 'fluidsynth' not found on PATH (install the Debian package: apt-get install fluidsynth)");
  if (opt.soundfonts.empty() && default_soundfonts().empty())
    throw io_error("style corpus: no General MIDI soundfont in /usr/share/sounds/sf2 (install the Debian packages "
                   "fluid-soundfont-gm and/or timgm6mb-soundfont, or pass --soundfont FILE)");
  for (const auto& sf : opt.soundfonts)
    if (!std::filesystem::is_regular_file(sf)) throw io_error(cantus::detail::concat(sf.string(), ": soundfont not found"));
}

inline bool tools_available() {
  return !find_program("mma").empty() && !find_program("fluidsynth").empty() && !default_soundfonts().empty();
}

// Deals n items to (training, validation, test) counts: test and validation get their share rounded,
// at least one test item whenever n >= 2, and training keeps at least one.
inline std::array<int, 3> deal(int n, double f_val, double f_test, bool allow_validation) {
  int n_test = n >= 2 ? std::max(1, static_cast<int>(std::lround(f_test * n))) : 0;
  int n_val = allow_validation && n >= 3 ? std::max(n >= 4 ? 1 : 0, static_cast<int>(std::lround(f_val * n))) : 0;
  while (n_test + n_val > n - 1 && n_val > 0) --n_val;
  while (n_test + n_val > n - 1 && n_test > 0) --n_test;
  return {n - n_test - n_val, n_val, n_test};
}

inline std::vector<clip_plan> plan(const options& opt) {
  const auto& table = genres();
  if (opt.genres < 2 || opt.genres > static_cast<int>(table.size()))
    throw value_error(cantus::detail::concat("style corpus: --genres ", opt.genres, " (expected 2 to ", table.size(), ")"));
  if (opt.clips_per_genre < 1 || opt.clips_per_genre > 9999)
    throw value_error(cantus::detail::concat("style corpus: --clips-per-genre ", opt.clips_per_genre, " (expected 1 to 9999)"));
  if (!(opt.seconds >= 1 && opt.seconds <= 600))
    throw value_error(cantus::detail::concat("style corpus: --seconds ", opt.seconds, " (expected 1 to 600)"));
  const auto soundfonts = opt.soundfonts.empty() ? default_soundfonts() : opt.soundfonts;
  if (soundfonts.empty())
    throw io_error("style corpus: no General MIDI soundfont in /usr/share/sounds/sf2 (install the Debian packages "
                   "fluid-soundfont-gm and/or timgm6mb-soundfont, or pass --soundfont FILE)");
  const bool independent = opt.factors == factor_mode::independent;
  std::vector<clip_plan> clips;
  for (int g = 0; g < opt.genres; ++g) {
    const auto& style = table[g];
    // Independent mode: each factor's values in equal shares over the genre's clips, shuffled by a
    // stream of their own (genre, factor), so the factors are independent of genre and of each other.
    auto dealt = [&](int factor, std::size_t values) {
      std::vector<std::size_t> v(static_cast<std::size_t>(opt.clips_per_genre));
      for (std::size_t c = 0; c < v.size(); ++c) v[c] = c % values;
      random_engine(opt.seed, 2000 + 100 * static_cast<std::uint64_t>(factor) + static_cast<std::uint64_t>(g)).shuffle(v.begin(), v.end());
      return v;
    };
    std::vector<std::size_t> band_of, key_of, loud_of, lead_of, font_of;
    if (independent) {
      band_of = dealt(0, tempo_bands), key_of = dealt(1, 12), loud_of = dealt(2, loudness_levels_db.size());
      lead_of = dealt(3, lead_instruments().size()), font_of = dealt(4, soundfonts.size());
    }
    // Families shuffled per genre and seed, then dealt to splits: test families are never trained on.
    const int n_fam = static_cast<int>(style.families.size());
    std::vector<int> fam(n_fam);
    for (int i = 0; i < n_fam; ++i) fam[i] = i;
    random_engine(opt.seed, 1000 + g).shuffle(fam.begin(), fam.end());
    const auto fam_count = deal(n_fam, 0.15, 0.2, n_fam >= 4);
    std::vector<int> pool[3];
    for (int i = 0; i < n_fam; ++i) pool[i < fam_count[0] ? 0 : i < fam_count[0] + fam_count[1] ? 1 : 2].push_back(fam[i]);
    if (pool[1].empty()) pool[1] = pool[0];  // too few families: validation reuses training patterns
    const auto clip_count = deal(opt.clips_per_genre, 0.15, 0.15, true);
    int in_split[3] = {0, 0, 0};
    for (int c = 0; c < opt.clips_per_genre; ++c) {
      const int s = c < clip_count[0] ? 0 : c < clip_count[0] + clip_count[1] ? 1 : 2;
      random_stream r(opt.seed, static_cast<std::uint64_t>(g) << 32 | static_cast<std::uint64_t>(c));
      clip_plan p;
      p.genre = g;
      p.clip = c;
      p.id = static_cast<std::int64_t>(g + 1) * 10000 + c;
      p.split = static_cast<data::split>(s);
      p.family = pool[s][static_cast<std::size_t>(in_split[s]++) % pool[s].size()];
      const auto& family = style.families[p.family];
      p.use = family.use;
      p.groove = family.grooves[r.below(0, family.grooves.size())];
      p.tempo = style.tempo_min + static_cast<int>(r.below(1, style.tempo_max - style.tempo_min + 1));
      p.transpose = static_cast<int>(r.below(2, 12)) - 5;  // -5..+6 semitones: any key, small shifts
      p.progression = static_cast<int>(r.below(3, style.progressions.size()));
      p.soundfont = soundfonts[r.below(4, soundfonts.size())];
      p.mma_seed = static_cast<std::uint32_t>(r.below(5, 1u << 30));
      if (independent) {
        const auto cc = static_cast<std::size_t>(c);
        p.tempo = tempo_low + static_cast<int>(band_of[cc]) * tempo_band_width + static_cast<int>(r.below(6, tempo_band_width));
        p.transpose = static_cast<int>(key_of[cc]) - 5;
        p.loudness_db = loudness_levels_db[loud_of[cc]];
        p.lead = static_cast<int>(lead_of[cc]);
        p.soundfont = soundfonts[font_of[cc]];
      }
      // Enough bars for a lead-in and the clip even in 3/4 (one bar = 3 beats at least).
      const double bar_seconds = 3 * 60.0 / p.tempo;
      p.bars = static_cast<int>(std::ceil((opt.seconds + 2.0) / bar_seconds)) + 1;
      clips.push_back(std::move(p));
    }
  }
  return clips;
}

inline std::string mma_script(const clip_plan& p) {
  const auto& style = genres()[p.genre];
  const auto& prog = style.progressions[p.progression];
  std::ostringstream s;
  s << "// cantus style corpus: " << style.name << " clip " << p.clip << " (generated, do not edit)\n"
    << "Use " << p.use << "\n"
    << "Groove " << p.groove << "\n"
    << "Tempo " << p.tempo << "\n"
    << "Transpose " << p.transpose << "\n"
    << "RndSeed " << p.mma_seed << "\n";
  if (p.lead >= 0) {  // a lead voice arpeggiating the chords in eighths, over the groove's own tracks
    const auto voice = lead_instruments()[static_cast<std::size_t>(p.lead)];
    s << "Arpeggio-Lead Voice " << voice << "\n"
      << "Arpeggio-Lead Sequence {1 8 90; 1.5 8 75; 2 8 90; 2.5 8 75; 3 8 90; 3.5 8 75; 4 8 90; 4.5 8 75}\n"
      << "Arpeggio-Lead Octave 6\n"
      << "Arpeggio-Lead Volume f\n";
  }
  for (int b = 0; b < p.bars; ++b) s << (b + 1) << " " << prog[static_cast<std::size_t>(b) % prog.size()] << "\n";
  return s.str();
}

inline std::string clip_title(const clip_plan& p) {
  const auto& style = genres()[p.genre];
  auto t = cantus::detail::concat(style.name, " clip ", p.clip, ": groove \"", p.groove, "\" (", p.use, "), ", p.tempo, " bpm, key of ",
                                  key_name(p.transpose), ", ", p.soundfont.filename().string());
  if (p.lead >= 0) t += cantus::detail::concat(", lead ", lead_instruments()[static_cast<std::size_t>(p.lead)], ", ", p.loudness_db, " dB");
  return t;
}

namespace internal {
struct sf_closer {
  void operator()(SNDFILE* f) const noexcept { sf_close(f); }
};

// Reads fluidsynth's stereo WAV, mixes to mono, cuts `seconds` after a `lead` and returns it.
inline std::vector<float> read_window(const std::filesystem::path& wav, double lead, double seconds) {
  SF_INFO info{};
  std::unique_ptr<SNDFILE, sf_closer> f(sf_open(wav.c_str(), SFM_READ, &info));
  if (!f) throw io_error(cantus::detail::concat(wav.string(), ": fluidsynth output unreadable: ", sf_strerror(nullptr)));
  std::vector<float> inter(static_cast<std::size_t>(info.frames) * info.channels);
  const sf_count_t got = sf_readf_float(f.get(), inter.data(), info.frames);
  const auto begin = static_cast<sf_count_t>(std::lround(lead * info.samplerate));
  const auto want = static_cast<sf_count_t>(std::lround(seconds * info.samplerate));
  if (got < begin + want)
    throw io_error(cantus::detail::concat(wav.string(), ": rendered ", static_cast<double>(got) / info.samplerate, " s, need ",
                                          lead + seconds, " s"));
  std::vector<float> mono(static_cast<std::size_t>(want));
  for (sf_count_t i = 0; i < want; ++i) {
    float s = 0;
    for (int c = 0; c < info.channels; ++c) s += inter[static_cast<std::size_t>((begin + i) * info.channels + c)];
    mono[static_cast<std::size_t>(i)] = s / static_cast<float>(info.channels);
  }
  return mono;
}

// FLAC, 16-bit, mono: about a quarter of the WAV's size. Written beside the target, then renamed.
inline void write_flac(const std::filesystem::path& path, const std::vector<float>& samples, int sample_rate) {
  make_directories(path.parent_path());
  const auto tmp = path.string() + ".part";
  SF_INFO info{};
  info.samplerate = sample_rate;
  info.channels = 1;
  info.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
  {
    std::unique_ptr<SNDFILE, sf_closer> f(sf_open(tmp.c_str(), SFM_WRITE, &info));
    if (!f) throw io_error(cantus::detail::concat(tmp, ": cannot write FLAC: ", sf_strerror(nullptr)));
    if (sf_writef_float(f.get(), samples.data(), static_cast<sf_count_t>(samples.size())) != static_cast<sf_count_t>(samples.size()))
      throw io_error(cantus::detail::concat(tmp, ": FLAC write failed: ", sf_strerror(f.get())));
  }
  publish_file(tmp, path);
}
}  // namespace internal

// Renders one clip into `audio` (FLAC). `work` is a scratch folder of its own.
inline void render_clip(const clip_plan& p, const options& opt, const std::filesystem::path& work, const std::filesystem::path& audio) {
  namespace fs = std::filesystem;
  make_directories(work);
  const auto mma_file = work / "clip.mma", mid = work / "clip.mid", wav = work / "clip.wav", log = work / "log.txt";
  fs::remove(log);
  {
    std::ofstream o(mma_file);
    o << mma_script(p);
    if (!o) throw io_error(cantus::detail::concat(mma_file.string(), ": cannot write"));
  }
  auto fail = [&](const std::string& tool, int rc) {
    throw io_error(cantus::detail::concat("style corpus: ", tool, " failed (exit ", rc, ") for clip ", p.id, " (", clip_title(p),
                                          "), script ", mma_file.string(), ":\n", read_tail(log)));
  };
  int rc = run_program({"mma", "-xNOCREDIT", "-w", mma_file.string(), "-f", mid.string()}, log);
  if (rc != 0 || !fs::exists(mid)) fail("mma", rc);
  rc = run_program({"fluidsynth", "-ni", "-q", "-F", wav.string(), "-r", std::to_string(static_cast<int>(opt.sample_rate)),
                    "-o", "synth.cpu-cores=1", p.soundfont.string(), mid.string()},
                   log);
  if (rc != 0 || !fs::exists(wav)) fail("fluidsynth", rc);
  auto mono = internal::read_window(wav, 0.5, opt.seconds);
  double energy = 0, peak = 0;
  for (float v : mono) {
    energy += double(v) * v;
    peak = std::max(peak, double(std::abs(v)));
  }
  if (std::sqrt(energy / static_cast<double>(mono.size())) < 1e-4)
    throw io_error(cantus::detail::concat("style corpus: clip ", p.id, " (", clip_title(p), ") rendered silence"));
  // Peak-normalise to -1 dBFS (then lower by the clip's loudness level): loudness then says nothing
  // about which soundfont played.
  const double target = p.loudness_db == 0 ? 0.89 : 0.89 * std::pow(10.0, p.loudness_db / 20);
  const float gain = static_cast<float>(target / peak);
  for (float& v : mono) v *= gain;
  internal::write_flac(audio, mono, static_cast<int>(opt.sample_rate));
  fs::remove(wav);
}

inline std::string parameters_text(const options& opt) {
  std::ostringstream s;
  s << "cantus style corpus v1\ngenres " << opt.genres << "\nclips_per_genre " << opt.clips_per_genre << "\nseconds " << opt.seconds
    << "\nseed " << opt.seed << "\nsample_rate " << opt.sample_rate << "\nsoundfonts";
  for (const auto& sf : opt.soundfonts.empty() ? default_soundfonts() : opt.soundfonts) s << " " << sf.string();
  s << "\n";
  if (opt.factors == factor_mode::independent) s << "factors independent\n";  // absent: v1 corpora stay valid
  return s.str();
}

struct result {
  std::size_t clips = 0, rendered = 0, reused = 0;
  double seconds_of_audio = 0, wall_seconds = 0;
  int threads = 1;
  bool up_to_date = false;  // the corpus was already complete with these parameters
};

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Generates the corpus under `out` (FMA layout). An existing complete corpus with the same parameters
// is left as it is; an interrupted one with the same parameters is completed (finished clips kept).
inline result generate(const std::filesystem::path& out, const options& opt) {
  namespace fs = std::filesystem;
  const auto start = std::chrono::steady_clock::now();
  const auto clips = plan(opt);
  const std::string params = parameters_text(opt);
  const auto done_marker = out / "style_corpus.txt", work = out / ".work", meta = out / "fma_metadata";
  const directory_lock exclusive(out, "style corpus", opt.verbose);
  remove_stale_temporaries(out);  // and those of its metadata and work folders below
  remove_stale_temporaries(out / "fma_metadata");
  remove_stale_temporaries(out / ".work");
  result res;
  res.clips = clips.size();
  res.seconds_of_audio = static_cast<double>(clips.size()) * opt.seconds;
  if (fs::exists(done_marker) && read_text(done_marker) == params && fs::exists(meta / "tracks.csv")) {
    res.up_to_date = true;
    res.reused = clips.size();
    return res;
  }
  check_tools(opt);
  // A different parameter set invalidates every clip: start from an empty audio folder.
  if (!(fs::exists(work / "params.txt") && read_text(work / "params.txt") == params)) {
    fs::remove_all(out / "fma_small");
    fs::remove_all(work);
  }
  fs::remove(done_marker);
  fs::remove(meta / "tracks.csv");
  write_file_atomically(work / "params.txt", [&](std::ofstream& o) { o << params; });

  const auto audio_root = out / "fma_small";
  auto audio_file = [&](const clip_plan& p) {
    auto a = data::fma::audio_stem(audio_root, p.id);
    a += ".flac";
    return a;
  };
  std::atomic<std::size_t> next{0}, rendered{0}, reused{0};
  std::mutex mu;
  std::vector<std::string> errors;
  std::unique_ptr<progress> bar;
  if (opt.verbose) bar = std::make_unique<progress>("rendering clips", static_cast<std::int64_t>(clips.size()), "clips");
  auto worker = [&] {
    for (;;) {
      const std::size_t i = next++;
      if (i >= clips.size()) return;
      const auto& p = clips[i];
      try {
        if (fs::exists(audio_file(p))) {
          ++reused;
        } else {
          render_clip(p, opt, work / std::to_string(p.id), audio_file(p));
          fs::remove_all(work / std::to_string(p.id));
          ++rendered;
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(mu);
        errors.push_back(e.what());
      }
      if (bar) {
        std::lock_guard lock(mu);
        bar->advance();
      }
    }
  };
  const int wanted = opt.threads > 0 ? opt.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = std::max(1, std::min<int>(wanted, static_cast<int>(clips.size())));
  res.threads = threads;
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (bar) bar->finish();
  if (!errors.empty())
    throw io_error(cantus::detail::concat("style corpus: ", errors.size(), " of ", clips.size(), " clips failed; first: ", errors[0]));

  // Metadata last: its presence says every clip is there.
  const auto& table = genres();
  write_file_atomically(meta / "genres.csv", [&](std::ofstream& o) {
    o << "genre_id,#tracks,parent,title,top_level\n";
    for (int g = 0; g < opt.genres; ++g)
      o << (g + 1) << "," << opt.clips_per_genre << ",0," << data::csv::quote(table[g].name) << "," << (g + 1) << "\n";
  });
  write_file_atomically(meta / "tracks.csv", [&](std::ofstream& o) {
    o << data::csv::format_record({"", "set", "set", "track", "track", "track", "track", "track", "style", "style", "style", "style", "style",
                                   "style", "style", "style"});
    o << data::csv::format_record({"", "split", "subset", "duration", "genre_top", "genres", "title", "bit_rate", "pattern_family", "groove",
                             "tempo", "key", "soundfont", "tempo_band", "loudness_db", "lead_instrument"});
    o << data::csv::format_record({"track_id", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""});
    for (const auto& p : clips) {
      char dur[32];
      std::snprintf(dur, sizeof dur, "%g", opt.seconds);
      o << data::csv::format_record({std::to_string(p.id), std::string(split_name(p.split)), "small", dur, std::string(table[p.genre].name),
                               cantus::detail::concat("[", p.genre + 1, "]"), clip_title(p), "256000", p.use, p.groove,
                               std::to_string(p.tempo), key_name(p.transpose), p.soundfont.filename().string(),
                               std::to_string(tempo_band(p.tempo)), cantus::detail::concat(p.loudness_db),
                               p.lead >= 0 ? std::string(lead_instruments()[static_cast<std::size_t>(p.lead)]) : std::string("none")});
    }
  });
  write_file_atomically(done_marker, [&](std::ofstream& o) { o << params; });
  fs::remove_all(work);
  res.rendered = rendered;
  res.reused = reused;
  res.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return res;
}

// The factors a generated corpus recorded (tracks.csv, group "style", and the genre), as codes per
// track: for each factor its distinct values (numbers in numeric order, else text order) and, per
// track id, the index of the track's value. Throws naming the file when a factor column is missing
// (a corpus generated before the factors were recorded: generate it again).
struct factor_table {
  std::vector<std::string> names;                        // genre, tempo_band, key, loudness_db, lead_instrument, soundfont
  std::vector<std::vector<std::string>> values;          // per factor
  std::map<std::int64_t, std::vector<int>> codes;        // track id -> a code per factor
};
inline factor_table read_factors(const std::filesystem::path& root) {
  const auto path = root / "fma_metadata" / "tracks.csv";
  const auto table = data::fma::tracks_table::read(path);
  factor_table f;
  f.names = {"genre", "tempo_band", "key", "loudness_db", "lead_instrument", "soundfont"};
  std::vector<std::size_t> cols;
  for (const auto& n : f.names) {
    const auto c = n == "genre" ? table.find("track", "genre_top") : table.find("style", n);
    if (!c)
      throw io_error(cantus::detail::concat(path.string(), ": no column '", n,
                                            "' (a style corpus from before factors were recorded: generate it again)"));
    cols.push_back(*c);
  }
  f.values.resize(cols.size());
  for (std::size_t k = 0; k < cols.size(); ++k) {
    std::vector<std::string> v;
    for (std::size_t i = 0; i < table.rows(); ++i) v.emplace_back(table.at(i, cols[k]));
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    auto number = [](const std::string& t, double& out) {
      char* end = nullptr;
      out = std::strtod(t.c_str(), &end);
      return !t.empty() && end == t.c_str() + t.size();
    };
    double a = 0, b = 0;
    if (std::all_of(v.begin(), v.end(), [&](const std::string& t) { return number(t, a); }))
      std::sort(v.begin(), v.end(), [&](const std::string& x, const std::string& y) { return number(x, a), number(y, b), a < b; });
    f.values[k] = std::move(v);
  }
  for (std::size_t i = 0; i < table.rows(); ++i) {
    const std::string id(table.at(i, 0));
    std::vector<int> code(cols.size());
    for (std::size_t k = 0; k < cols.size(); ++k) {
      const auto& v = f.values[k];
      code[k] = static_cast<int>(std::find(v.begin(), v.end(), table.at(i, cols[k])) - v.begin());
    }
    f.codes[std::stoll(id)] = std::move(code);
  }
  return f;
}

}  // namespace paper::style
