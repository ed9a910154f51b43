# cantus::paper — the paper application's pieces, kept out of the library headers: the cached feature
# store and its directory lock, the style corpus rendered by mma + fluidsynth (run as subprocesses,
# needed at run time only) and the five models' data sets cut from the store (docs/paper.md).
# Needs the audio component and nothing else.
cantus_find_paper_dependencies()
if(cantus_paper_FOUND AND TARGET cantus_audio)
  add_library(cantus_paper INTERFACE)
  add_library(cantus::paper ALIAS cantus_paper)
  set_target_properties(cantus_paper PROPERTIES EXPORT_NAME paper)
  target_link_libraries(cantus_paper INTERFACE cantus_audio Threads::Threads)
  message(STATUS "cantus: paper component ON (feature store, style corpus, paper data sets)")
else()
  message(STATUS "cantus: paper component OFF (needs the audio component)")
endif()
