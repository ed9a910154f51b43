# cmake -D PROJECT_SOURCE_DIR=... -D PAGE=... -D OUT=... -P extract_page.cmake: extract.cmake on one page,
# for the tests that check what it refuses.
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/extract.cmake)
file(MAKE_DIRECTORY ${OUT})
cantus_docs_examples(OUT_SOURCE ${OUT}/docs_examples.cpp OUT_ENTRY_DIR ${OUT} PAGES ${PAGE})
