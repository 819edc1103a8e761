# Every third-party dependency comes from a Debian package (see scripts/install-deps.sh).

find_package(Threads REQUIRED)

# Debian's Poco CMake files refer to a PostgreSQL::client target that nothing defines.
find_package(PostgreSQL REQUIRED)
if(NOT TARGET PostgreSQL::client)
  add_library(PostgreSQL::client ALIAS PostgreSQL::PostgreSQL)
endif()
find_package(Poco REQUIRED COMPONENTS Foundation Net NetSSL Crypto Util XML JSON Data DataSQLite DataPostgreSQL)

# SQLite through its C API (engine/store/sqlite): transaction, savepoint and pragma control.
find_package(SQLite3 REQUIRED)

find_package(Boost 1.74 REQUIRED COMPONENTS log log_setup)
find_package(RapidJSON REQUIRED)
if(NOT TARGET RapidJSON::RapidJSON)
  add_library(explainer_rapidjson INTERFACE)
  target_include_directories(explainer_rapidjson INTERFACE ${RAPIDJSON_INCLUDE_DIRS})
  add_library(RapidJSON::RapidJSON ALIAS explainer_rapidjson)
endif()
find_package(LibXml2 REQUIRED)
# libcmark via pkg-config: Debian's cmark CMake package insists on the cmark executable.
find_package(PkgConfig REQUIRED)
pkg_check_modules(CMARK REQUIRED IMPORTED_TARGET libcmark)
pkg_check_modules(YAMLCPP REQUIRED IMPORTED_TARGET yaml-cpp)

if(EXPLAINER_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(EXPLAINER_BUILD_BENCH)
  find_package(benchmark QUIET)
  if(NOT benchmark_FOUND)
    set(EXPLAINER_BUILD_BENCH OFF)
  endif()
endif()
