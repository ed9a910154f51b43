# cmake -P script: install cantus into a scratch prefix (find_package mode), then configure, build and
# run tests/consumer/project against it. Fails loudly at the first step that fails.
# BUILD_TYPE: the consumer's CMAKE_BUILD_TYPE (default Release); NONE configures it with none at all.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
if(NOT DEFINED BUILD_TYPE)
  set(BUILD_TYPE Release)
endif()
if(BUILD_TYPE STREQUAL "NONE")
  set(BUILD_TYPE "")  # an explicit empty value also overrides a CMAKE_BUILD_TYPE environment variable
endif()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                  WORKING_DIRECTORY ${WORK_DIR})
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "consumer test: command failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()

set(generator)
find_program(NINJA ninja)
if(NINJA)
  set(generator -G Ninja)
endif()

if(MODE STREQUAL "find_package")
  run(${CMAKE_COMMAND} --install ${CANTUS_BUILD_DIR} --prefix ${prefix})
  run(${CMAKE_COMMAND} -S ${CANTUS_SOURCE_DIR}/tests/consumer/project -B ${WORK_DIR}/build ${generator}
      "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}" -DCMAKE_PREFIX_PATH=${prefix} -DCONSUMER_MODE=find_package)
else()
  run(${CMAKE_COMMAND} -S ${CANTUS_SOURCE_DIR}/tests/consumer/project -B ${WORK_DIR}/build ${generator}
      "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}" -DCONSUMER_MODE=add_subdirectory -DCANTUS_SOURCE_DIR=${CANTUS_SOURCE_DIR})
endif()
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer)
