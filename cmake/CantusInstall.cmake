include(CMakePackageConfigHelpers)

set(CANTUS_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_DATADIR}/cmake/cantus)
set(_cantus_targets cantus)
foreach(comp xtensor audio viz cuda mpi)
  if(TARGET cantus_${comp})
    list(APPEND _cantus_targets cantus_${comp})
  endif()
endforeach()

install(TARGETS ${_cantus_targets} EXPORT cantusTargets)
install(DIRECTORY include/cantus DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT cantusTargets NAMESPACE cantus:: DESTINATION ${CANTUS_CMAKE_INSTALL_DIR})

configure_package_config_file(cmake/cantusConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/cantusConfig.cmake
  INSTALL_DESTINATION ${CANTUS_CMAKE_INSTALL_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/cantusConfigVersion.cmake
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES
  ${CMAKE_CURRENT_BINARY_DIR}/cantusConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/cantusConfigVersion.cmake
  cmake/CantusDependencies.cmake
  cmake/CantusSimdDispatch.cmake
  DESTINATION ${CANTUS_CMAKE_INSTALL_DIR})
