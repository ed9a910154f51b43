# Issue 22's kill test (kill_test.cpp): extract_features and table1 are killed with SIGKILL at random
# moments, resumed each time, and must end with the files of an uninterrupted run. Label `kill`; 30 to
# 60 s on 2 cores kept busy by other work, with the default 10 kills per program (50: about 90 s).
# A longer run with more kills:
#   CANTUS_KILL_TEST_KILLS=100 ctest -L kill --timeout 0
# and CANTUS_KILL_TEST_SEED=S replays the delays of a run that printed seed S.
if(CANTUS_BUILD_TESTS AND TARGET extract_features AND TARGET table1)
  add_executable(kill_test ${CMAKE_CURRENT_LIST_DIR}/kill_test.cpp)
  target_link_libraries(kill_test PRIVATE cantus::cantus cantus::audio cantus_example_cli)
  # A test driver, not a program for users: it stays out of build/examples.
  set_target_properties(kill_test PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  # The programs it kills are built with it.
  add_dependencies(kill_test extract_features table1)
  add_test(NAME paper_kill
           COMMAND kill_test --extract-features $<TARGET_FILE:extract_features> --table1 $<TARGET_FILE:table1>
                   --work ${CMAKE_CURRENT_BINARY_DIR}/kill-test)
  set_tests_properties(paper_kill PROPERTIES LABELS "kill;paper" TIMEOUT 900)
endif()
