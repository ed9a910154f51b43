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
  # This tree's tests and examples: what include/cantus/audio/compiled.cpp holds compiled once, and
  # declarations in every file (CANTUS_AUDIO_COMPILED); build interface only, so an installed cantus
  # and a project adding this one as a subdirectory stay header-only.
  if(CANTUS_IS_TOP_LEVEL AND (CANTUS_BUILD_TESTS OR CANTUS_BUILD_EXAMPLES))
    add_library(cantus_audio_objects OBJECT ${PROJECT_SOURCE_DIR}/include/cantus/audio/compiled.cpp)
    # cantus' usage requirements without its own build-tree objects (the SIMD dispatch units)
    target_include_directories(cantus_audio_objects PRIVATE ${PROJECT_SOURCE_DIR}/include)
    target_link_libraries(cantus_audio_objects PRIVATE Eigen3::Eigen xsimd OpenMP::OpenMP_CXX PkgConfig::CANTUS_FFTW3F)
    target_compile_definitions(cantus_audio_objects PRIVATE $<TARGET_PROPERTY:cantus,INTERFACE_COMPILE_DEFINITIONS>)
    target_compile_features(cantus_audio_objects PRIVATE cxx_std_20)
    target_compile_definitions(cantus_audio INTERFACE $<BUILD_INTERFACE:CANTUS_AUDIO_COMPILED=1>)
    target_sources(cantus_audio INTERFACE $<BUILD_INTERFACE:$<TARGET_OBJECTS:cantus_audio_objects>>)
  endif()
  message(STATUS "cantus: audio component ON (libsndfile, libsoxr, FFTW)")
else()
  message(STATUS "cantus: audio component OFF (need libsndfile1-dev, libsoxr-dev, libfftw3-dev)")
endif()
