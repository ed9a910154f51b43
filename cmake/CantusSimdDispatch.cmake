# Run-time SIMD dispatch. The per-instruction-set kernel translation units live with the headers
# (include/cantus/backend/cpu/dispatch/*.cpp) so the installed package carries them. They are compiled
# once per project into the object library `cantus_simd_dispatch`, each with its instruction set's
# -m flags, and their objects are linked into every executable that uses cantus::cantus. This file is
# installed and used by cantusConfig.cmake too, so an installed cantus behaves like the build tree.
include_guard(GLOBAL)

set(CANTUS_SIMD_AVX2_FLAGS -mavx2 -mfma -mf16c)
set(CANTUS_SIMD_AVX512_FLAGS -mavx2 -mfma -mf16c -mavx512f -mavx512bw -mavx512dq -mavx512cd -mavx512vl)

# cantus_add_simd_dispatch(<interface target> <include dir> [BUILD_INTERFACE])
function(cantus_add_simd_dispatch target include_dir)
  if(NOT CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64" OR NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    message(STATUS "cantus: SIMD run-time dispatch off (needs GCC on x86-64); baseline kernels only")
    return()
  endif()
  set(dir ${include_dir}/cantus/backend/cpu/dispatch)
  if(NOT TARGET cantus_simd_dispatch)
    add_library(cantus_simd_dispatch OBJECT ${dir}/simd_baseline.cpp ${dir}/simd_avx2.cpp ${dir}/simd_avx512.cpp)
    set_source_files_properties(${dir}/simd_avx2.cpp PROPERTIES COMPILE_OPTIONS "${CANTUS_SIMD_AVX2_FLAGS}")
    set_source_files_properties(${dir}/simd_avx512.cpp PROPERTIES COMPILE_OPTIONS "${CANTUS_SIMD_AVX512_FLAGS}")
    target_include_directories(cantus_simd_dispatch PRIVATE ${include_dir})
    target_link_libraries(cantus_simd_dispatch PRIVATE Eigen3::Eigen xsimd OpenMP::OpenMP_CXX)
    target_compile_features(cantus_simd_dispatch PRIVATE cxx_std_20)
    set_target_properties(cantus_simd_dispatch PROPERTIES POSITION_INDEPENDENT_CODE ON)
  endif()
  if("BUILD_INTERFACE" IN_LIST ARGN)
    set_property(TARGET ${target} APPEND PROPERTY INTERFACE_SOURCES
                 "$<BUILD_INTERFACE:$<TARGET_OBJECTS:cantus_simd_dispatch>>")
    set_property(TARGET ${target} APPEND PROPERTY INTERFACE_COMPILE_DEFINITIONS
                 "$<BUILD_INTERFACE:CANTUS_SIMD_DISPATCH=1>")
  else()
    set_property(TARGET ${target} APPEND PROPERTY INTERFACE_SOURCES "$<TARGET_OBJECTS:cantus_simd_dispatch>")
    set_property(TARGET ${target} APPEND PROPERTY INTERFACE_COMPILE_DEFINITIONS CANTUS_SIMD_DISPATCH=1)
  endif()
endfunction()
