# cantus::audio — decoding (libsndfile, which reads MP3 through mpg123), resampling (libsoxr) and the
# FFT (FFTW, single precision) behind the log-mel front end; with them the cached feature store of any
# corpus (cantus/data/feature_store.hpp, sharded_store.hpp), whose builds run on threads.
cantus_find_audio_dependencies()
if(cantus_audio_FOUND)
  add_library(cantus_audio INTERFACE)
  add_library(cantus::audio ALIAS cantus_audio)
  set_target_properties(cantus_audio PROPERTIES EXPORT_NAME audio)
  target_link_libraries(cantus_audio INTERFACE cantus
    PkgConfig::CANTUS_SNDFILE PkgConfig::CANTUS_SOXR PkgConfig::CANTUS_FFTW3F Threads::Threads)
  message(STATUS "cantus: audio component ON (libsndfile, libsoxr, FFTW)")
else()
  message(STATUS "cantus: audio component OFF (need libsndfile1-dev, libsoxr-dev, libfftw3-dev)")
endif()
