# CANTUS_SANITIZE=address,undefined: every target of this tree (the library's compiled parts, the tests
# and the example programs the tests run) is compiled and linked with those sanitizers. Set at the top
# level before any target exists, so nothing is left uninstrumented: ASan needs the objects that
# allocate and the objects that read to agree, and a test's classifier objects are linked from
# cantus_classify_objects. An installed cantus carries none of this (the flags are not part of the
# exported interface), so a consumer of the package is never forced into a sanitizer build.
#
# Undefined behaviour stops the program (-fno-sanitize-recover): a report that scrolls past in a
# passing test would be a result nobody sees. Frame pointers keep ASan's stack traces complete
# through optimised code. The run-time settings (suppressions of third-party leaks) live beside this
# file in sanitizers/ and are exported by cmake/bootstrap.sh sanitize (docs/testing.md).
set(CANTUS_SANITIZE "" CACHE STRING
    "Sanitizers for the tests and examples, comma-separated: address, undefined, leak (empty: none)")

set(CANTUS_SANITIZE_ENABLED OFF)
if(CANTUS_SANITIZE)
  string(REPLACE "," ";" _cantus_sanitizers "${CANTUS_SANITIZE}")
  foreach(s ${_cantus_sanitizers})
    if(NOT s MATCHES "^(address|undefined|leak)$")
      message(FATAL_ERROR "CANTUS_SANITIZE: expected a comma-separated list of address, undefined and "
                          "leak, but found '${s}' in '${CANTUS_SANITIZE}'")
    endif()
  endforeach()
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "^(GNU|Clang)$")
    message(FATAL_ERROR "CANTUS_SANITIZE=${CANTUS_SANITIZE}: expected GCC or Clang, but the C++ "
                        "compiler is ${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}")
  endif()
  # nvcc cannot pass -fsanitize through to device code and the CUDA runtime does not run under ASan:
  # AUTO becomes OFF, an explicit ON is refused.
  if(CANTUS_CUDA STREQUAL "ON")
    message(FATAL_ERROR "CANTUS_SANITIZE=${CANTUS_SANITIZE}: expected CANTUS_CUDA AUTO or OFF (the CUDA "
                        "backend is not built under sanitizers), but found CANTUS_CUDA=ON")
  endif()
  set(CANTUS_CUDA OFF)
  string(REPLACE ";" "," _cantus_sanitize_list "${_cantus_sanitizers}")
  set(_cantus_sanitize_flags -fsanitize=${_cantus_sanitize_list} -fno-omit-frame-pointer)
  if("undefined" IN_LIST _cantus_sanitizers)
    list(APPEND _cantus_sanitize_flags -fno-sanitize-recover=undefined)
  endif()
  add_compile_options("$<$<COMPILE_LANGUAGE:CXX>:${_cantus_sanitize_flags}>")
  add_link_options(${_cantus_sanitize_flags})
  set(CANTUS_SANITIZE_ENABLED ON)
  message(STATUS "cantus: sanitizers ${_cantus_sanitize_list} (${CMAKE_BUILD_TYPE} build)")
endif()
