# Finding cantus' dependencies, shared by the build tree and the installed cantusConfig.cmake so
# both resolve them the same way. Debian 12 packages: libeigen3-dev, libxsimd-dev, libomp-dev or
# GCC's libgomp for the core; xtensor-dev (with xtl-dev) for the opt-in xtensor bridges;
# libsndfile1-dev, libsoxr-dev, libfftw3-dev for audio; libcairo2-dev for plots; the CUDA toolkit
# with cuDNN for the CUDA backend; an MPI (libopenmpi-dev) for data-parallel training.
include_guard(GLOBAL)
include(CMakeFindDependencyMacro)

macro(_cantus_find name)
  if(CMAKE_CURRENT_LIST_FILE MATCHES "cantusConfig")
    find_dependency(${name} ${ARGN})
  else()
    find_package(${name} ${ARGN} REQUIRED)
  endif()
endmacro()

macro(cantus_find_core_dependencies)
  _cantus_find(Eigen3 3.4 NO_MODULE)
  # Debian's libxsimd-dev exports a target that links `xtl` without finding it (and the package does
  # not depend on xtl-dev); xsimd's headers use xtl only under XSIMD_ENABLE_XTL_COMPLEX, which cantus
  # never sets. Use xtl where it is installed, else give that link name an empty target.
  find_package(xtl QUIET)
  _cantus_find(xsimd 8)
  if(NOT TARGET xtl)
    get_target_property(_cantus_xsimd_links xsimd INTERFACE_LINK_LIBRARIES)
    if(_cantus_xsimd_links AND "xtl" IN_LIST _cantus_xsimd_links)
      add_library(xtl INTERFACE IMPORTED)
    endif()
  endif()
  _cantus_find(OpenMP COMPONENTS CXX)
  _cantus_find(Threads)
endmacro()

# Optional components: each sets cantus_<comp>_FOUND instead of failing, so a user who only wants
# the layers needs none of their libraries.
# xtensor serves only cantus/core/xtensor_interop.hpp (component cantus::xtensor), never the core.
macro(cantus_find_xtensor_dependencies)
  set(cantus_xtensor_FOUND FALSE)
  find_package(xtl QUIET)
  find_package(xtensor 0.24 QUIET)
  if(xtensor_FOUND AND TARGET xtensor)
    set(cantus_xtensor_FOUND TRUE)
  endif()
endmacro()

macro(cantus_find_audio_dependencies)
  find_package(PkgConfig QUIET)
  set(cantus_audio_FOUND FALSE)
  if(PkgConfig_FOUND)
    pkg_check_modules(CANTUS_SNDFILE QUIET IMPORTED_TARGET GLOBAL sndfile>=1.1)
    pkg_check_modules(CANTUS_SOXR QUIET IMPORTED_TARGET GLOBAL soxr)
    pkg_check_modules(CANTUS_FFTW3F QUIET IMPORTED_TARGET GLOBAL fftw3f)
    if(CANTUS_SNDFILE_FOUND AND CANTUS_SOXR_FOUND AND CANTUS_FFTW3F_FOUND)
      set(cantus_audio_FOUND TRUE)
    endif()
  endif()
endmacro()

macro(cantus_find_viz_dependencies)
  find_package(PkgConfig QUIET)
  set(cantus_viz_FOUND FALSE)
  if(PkgConfig_FOUND)
    pkg_check_modules(CANTUS_CAIRO QUIET IMPORTED_TARGET GLOBAL cairo)
    if(CANTUS_CAIRO_FOUND)
      set(cantus_viz_FOUND TRUE)
    endif()
  endif()
endmacro()

macro(cantus_find_cuda_dependencies)
  set(cantus_cuda_FOUND FALSE)
  find_package(CUDAToolkit 12 QUIET)
  if(CUDAToolkit_FOUND)
    find_path(CANTUS_CUDNN_INCLUDE_DIR cudnn.h HINTS ${CUDAToolkit_INCLUDE_DIRS} /usr/local/include)
    find_library(CANTUS_CUDNN_LIBRARY cudnn HINTS ${CUDAToolkit_LIBRARY_DIR} /usr/local/lib)
    if(CANTUS_CUDNN_INCLUDE_DIR AND CANTUS_CUDNN_LIBRARY)
      if(NOT TARGET cantus_cudnn_imported)
        add_library(cantus_cudnn_imported UNKNOWN IMPORTED GLOBAL)
        set_target_properties(cantus_cudnn_imported PROPERTIES
          IMPORTED_LOCATION "${CANTUS_CUDNN_LIBRARY}"
          INTERFACE_INCLUDE_DIRECTORIES "${CANTUS_CUDNN_INCLUDE_DIR}")
      endif()
      set(cantus_cuda_FOUND TRUE)
      # NCCL (optional): data-parallel gradients reduced on the GPU (cantus/distributed/nccl_all_reduce.hpp).
      find_path(CANTUS_NCCL_INCLUDE_DIR nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS} /usr/local/include)
      find_library(CANTUS_NCCL_LIBRARY nccl HINTS ${CUDAToolkit_LIBRARY_DIR} /usr/local/lib)
      if(CANTUS_NCCL_INCLUDE_DIR AND CANTUS_NCCL_LIBRARY AND NOT TARGET cantus_nccl_imported)
        add_library(cantus_nccl_imported UNKNOWN IMPORTED GLOBAL)
        set_target_properties(cantus_nccl_imported PROPERTIES
          IMPORTED_LOCATION "${CANTUS_NCCL_LIBRARY}"
          INTERFACE_INCLUDE_DIRECTORIES "${CANTUS_NCCL_INCLUDE_DIR}"
          INTERFACE_COMPILE_DEFINITIONS CANTUS_WITH_NCCL=1)
      endif()
    endif()
  endif()
endmacro()

# MPI (Debian: libopenmpi-dev) for cantus::mpi. Only the C bindings are used (MPI::MPI_CXX carries
# them and the compiler wrapper's flags).
macro(cantus_find_mpi_dependencies)
  set(cantus_mpi_FOUND FALSE)
  find_package(MPI QUIET COMPONENTS CXX)
  if(MPI_CXX_FOUND)
    set(cantus_mpi_FOUND TRUE)
  endif()
endmacro()
