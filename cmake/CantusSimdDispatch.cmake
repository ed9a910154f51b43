# The per-instruction-set kernel translation units live with the headers
# (include/cantus/backend/cpu/dispatch/*.cpp) so the installed package carries them too.
# In the build tree they are compiled once into an object library; installed consumers compile them
# into each executable that links cantus::cantus.
set(CANTUS_SIMD_DISPATCH_SOURCES
  simd_avx2.cpp
  simd_avx512.cpp)

function(cantus_add_simd_dispatch target)
  if(NOT CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64" OR NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    message(STATUS "cantus: SIMD run-time dispatch off (needs GCC on x86-64); baseline kernels only")
    return()
  endif()
  set(dir ${CMAKE_CURRENT_SOURCE_DIR}/include/cantus/backend/cpu/dispatch)
  list(TRANSFORM CANTUS_SIMD_DISPATCH_SOURCES PREPEND "${dir}/" OUTPUT_VARIABLE build_sources)
  list(TRANSFORM CANTUS_SIMD_DISPATCH_SOURCES PREPEND
       "${CMAKE_INSTALL_INCLUDEDIR}/cantus/backend/cpu/dispatch/" OUTPUT_VARIABLE install_sources)
  add_library(cantus_simd_dispatch OBJECT ${build_sources})
  target_link_libraries(cantus_simd_dispatch PRIVATE Eigen3::Eigen xsimd OpenMP::OpenMP_CXX)
  target_include_directories(cantus_simd_dispatch PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_compile_features(cantus_simd_dispatch PRIVATE cxx_std_20)
  set_target_properties(cantus_simd_dispatch PROPERTIES POSITION_INDEPENDENT_CODE ON)
  target_sources(${target} INTERFACE
    $<BUILD_INTERFACE:$<TARGET_OBJECTS:cantus_simd_dispatch>>)
  set_property(TARGET ${target} APPEND PROPERTY INTERFACE_SOURCES
    "$<INSTALL_INTERFACE:${install_sources}>")
  target_compile_definitions(${target} INTERFACE CANTUS_SIMD_DISPATCH=1)
endfunction()
