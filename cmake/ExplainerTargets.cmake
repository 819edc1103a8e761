# Helpers that give every target the same warnings, standard and sanitizer flags.

set(EXPLAINER_WARNINGS -Wall -Wextra -Wpedantic -Wno-unused-parameter)
if(EXPLAINER_WERROR)
  list(APPEND EXPLAINER_WARNINGS -Werror)
endif()

function(explainer_apply_common target)
  target_compile_options(${target} PRIVATE ${EXPLAINER_WARNINGS})
  target_compile_features(${target} PUBLIC cxx_std_20)
  if(EXPLAINER_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  endif()
endfunction()

# explainer_library(NAME SOURCES ... DEPS ...): one static library per engine/ folder,
# named explainer_<NAME>, aliased Explainer::<NAME>. Include paths are rooted at engine/,
# so code includes "hl7v2/message.h".
function(explainer_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(explainer_${name} STATIC ${ARG_SOURCES})
  add_library(Explainer::${name} ALIAS explainer_${name})
  target_include_directories(explainer_${name} PUBLIC ${PROJECT_SOURCE_DIR}/engine)
  target_link_libraries(explainer_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  explainer_apply_common(explainer_${name})
endfunction()

# explainer_test(NAME SOURCES ... DEPS ...): a GoogleTest binary registered with CTest,
# one CTest entry per test case. Tests run with the source tree as working directory's
# anchor: EXPLAINER_SOURCE_DIR names the repository root, EXPLAINER_SHARED_DIR ../shared.
function(explainer_test name)
  if(NOT EXPLAINER_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main Threads::Threads)
  target_compile_definitions(${name} PRIVATE
    EXPLAINER_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    EXPLAINER_BINARY_DIR="${PROJECT_BINARY_DIR}")
  explainer_apply_common(${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}"
    DISCOVERY_TIMEOUT 60)
endfunction()
