# cantus::mpi — data-parallel training and sharded feature extraction over MPI
# (cantus/distributed/mpi.hpp; Debian: libopenmpi-dev, openmpi-bin). CANTUS_MPI=AUTO enables it when
# an MPI is found; ON makes its absence an error; OFF leaves it out (programs then run as one process).
set(CANTUS_MPI_ENABLED OFF)
if(NOT CANTUS_MPI STREQUAL "OFF")
  cantus_find_mpi_dependencies()
  if(cantus_mpi_FOUND)
    set(CANTUS_MPI_ENABLED ON)
  elseif(CANTUS_MPI STREQUAL "ON")
    message(FATAL_ERROR "CANTUS_MPI=ON but no MPI was found; install libopenmpi-dev and openmpi-bin "
                        "(or another MPI), or configure with -DCANTUS_MPI=OFF")
  endif()
endif()

if(CANTUS_MPI_ENABLED)
  add_library(cantus_mpi INTERFACE)
  add_library(cantus::mpi ALIAS cantus_mpi)
  set_target_properties(cantus_mpi PROPERTIES EXPORT_NAME mpi)
  target_compile_definitions(cantus_mpi INTERFACE CANTUS_WITH_MPI=1)
  target_link_libraries(cantus_mpi INTERFACE cantus MPI::MPI_CXX)
  message(STATUS "cantus: MPI component ON (MPI ${MPI_CXX_VERSION}, ${MPIEXEC_EXECUTABLE})")
else()
  message(STATUS "cantus: MPI component OFF")
endif()
