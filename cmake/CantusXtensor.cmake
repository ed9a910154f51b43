# cantus::xtensor — the zero-copy bridges between cantus tensors and xtensor
# (cantus/core/xtensor_interop.hpp). Opt-in: the core and its umbrella header need no xtensor.
cantus_find_xtensor_dependencies()
if(cantus_xtensor_FOUND)
  add_library(cantus_xtensor INTERFACE)
  add_library(cantus::xtensor ALIAS cantus_xtensor)
  set_target_properties(cantus_xtensor PROPERTIES EXPORT_NAME xtensor)
  target_link_libraries(cantus_xtensor INTERFACE cantus xtensor)
  message(STATUS "cantus: xtensor component ON (xtensor ${xtensor_VERSION})")
else()
  message(STATUS "cantus: xtensor component OFF (need xtensor-dev)")
endif()
