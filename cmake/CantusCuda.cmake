# cantus::cuda — the CUDA backend: kernels in headers compiled by nvcc, cuBLAS for GEMM, cuDNN.
# CANTUS_CUDA=AUTO enables it when nvcc and cuDNN are found; ON makes their absence an error.
set(CANTUS_CUDA_ENABLED OFF)
if(NOT CANTUS_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    cantus_find_cuda_dependencies()
  endif()
  if(CMAKE_CUDA_COMPILER AND cantus_cuda_FOUND)
    set(CANTUS_CUDA_ENABLED ON)
  elseif(CANTUS_CUDA STREQUAL "ON")
    message(FATAL_ERROR "CANTUS_CUDA=ON but nvcc (${CMAKE_CUDA_COMPILER}) or cuDNN was not found; "
                        "install the CUDA toolkit and cuDNN 9, or configure with -DCANTUS_CUDA=OFF")
  endif()
endif()

if(CANTUS_CUDA_ENABLED)
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    # One architecture: Ampere machine code plus its PTX, which Hopper and every newer GPU compile once
    # at first launch (and cache). nvcc parses every .cu file once per architecture, so each one more
    # costs about a third of the CUDA files' compile time; the heavy arithmetic is cuDNN's and cuBLAS's,
    # which ship code for every GPU anyway. -DCMAKE_CUDA_ARCHITECTURES=90 (or native) for Hopper-tuned
    # kernels of our own.
    set(CMAKE_CUDA_ARCHITECTURES 80)
  endif()
  enable_language(CUDA)
  add_library(cantus_cuda INTERFACE)
  add_library(cantus::cuda ALIAS cantus_cuda)
  set_target_properties(cantus_cuda PROPERTIES EXPORT_NAME cuda)
  target_compile_definitions(cantus_cuda INTERFACE CANTUS_WITH_CUDA=1)
  # CMake 3.25 does not yet know CUDA 13's language levels, so C++20 is requested directly.
  target_compile_options(cantus_cuda INTERFACE $<$<COMPILE_LANGUAGE:CUDA>:-std=c++20>)
  target_compile_options(cantus_cuda INTERFACE $<$<COMPILE_LANGUAGE:CUDA>:--expt-relaxed-constexpr>)
  target_link_libraries(cantus_cuda INTERFACE cantus CUDA::cudart CUDA::cublas cantus_cudnn_imported)
  if(TARGET cantus_nccl_imported)  # CANTUS_WITH_NCCL comes with it
    target_link_libraries(cantus_cuda INTERFACE cantus_nccl_imported)
  endif()
  # The kernels compiled once (include/cantus/nn/cuda_compiled.cu): the build tree's users of
  # cantus::cuda see the CUDA backend's declarations (CANTUS_CUDA_COMPILED), so their programs on cuda
  # compile with the host compiler and link these objects. Build interface only: an installed cantus
  # stays header-only, its .cu files compiling the kernels they use.
  if(NOT TARGET cantus_cuda_objects)
    add_library(cantus_cuda_objects OBJECT ${PROJECT_SOURCE_DIR}/include/cantus/nn/cuda_compiled.cu)
    target_include_directories(cantus_cuda_objects PRIVATE ${PROJECT_SOURCE_DIR}/include)
    target_link_libraries(cantus_cuda_objects PRIVATE Eigen3::Eigen xsimd OpenMP::OpenMP_CXX CUDA::cudart CUDA::cublas
                                                      cantus_cudnn_imported)
    if(TARGET cantus_nccl_imported)
      target_link_libraries(cantus_cuda_objects PRIVATE cantus_nccl_imported)
    endif()
    target_compile_definitions(cantus_cuda_objects PRIVATE $<TARGET_PROPERTY:cantus,INTERFACE_COMPILE_DEFINITIONS>
                                                           CANTUS_WITH_CUDA=1)
    target_compile_options(cantus_cuda_objects PRIVATE -std=c++20 --expt-relaxed-constexpr)
    target_compile_definitions(cantus_cuda INTERFACE $<BUILD_INTERFACE:CANTUS_CUDA_COMPILED=1>)
    target_sources(cantus_cuda INTERFACE $<BUILD_INTERFACE:$<TARGET_OBJECTS:cantus_cuda_objects>>)
  endif()
  message(STATUS "cantus: CUDA component ON (${CMAKE_CUDA_COMPILER_VERSION}, cuDNN ${CANTUS_CUDNN_LIBRARY}, NCCL ${CANTUS_NCCL_LIBRARY})")
else()
  message(STATUS "cantus: CUDA component OFF")
endif()
