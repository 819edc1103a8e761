// Test-only: PostgreSQL stores on the server named by EXPLAINER_TEST_PG, each in a schema
// of its own (tests run in parallel processes on one database). Schemas made by a test
// process are dropped when it exits.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "store/postgres/pg_migrations.h"
#include "store/postgres/postgres_store.h"

namespace explainer::store::testing {

// The connection string, or "" when PostgreSQL tests cannot run here.
inline std::string pg_connection_string() {
  const char* value = std::getenv("EXPLAINER_TEST_PG");
  return value ? value : "";
}

// Marks the running test skipped (call from SetUp or a factory; the body is then not run).
inline void skip_without_pg() {
  GTEST_SKIP() << "EXPLAINER_TEST_PG is not set: PostgreSQL store tests skipped "
                  "(scripts/test.sh starts a throw-away server and sets it)";
}

class PgSchemas {
 public:
  static PgSchemas& instance() {
    static PgSchemas schemas;
    return schemas;
  }
  // A new schema name (not yet created), dropped at process exit.
  std::string make() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::random_device random;
    const std::string name = "explainer_test_" + std::to_string(::getpid()) + "_" +
                             std::to_string(names_.size()) + "_" +
                             std::to_string(random() % 100000);
    names_.push_back(name);
    return name;
  }
  ~PgSchemas() {
    const std::string connection = pg_connection_string();
    if (connection.empty()) return;
    for (const auto& name : names_) {
      try {
        postgres::execute_script(connection, "DROP SCHEMA IF EXISTS " + name + " CASCADE");
      } catch (...) {
        // A leftover schema in a throw-away test database is harmless.
      }
    }
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> names_;
};

inline postgres::PostgresStoreOptions pg_options(const std::string& schema) {
  postgres::PostgresStoreOptions options;
  options.connection_string = pg_connection_string();
  options.schema = schema;
  options.pool_size = 4;
  return options;
}

// A fresh store in a fresh schema; nullptr (test skipped) without a server.
inline std::unique_ptr<MessageStore> make_pg_store() {
  if (pg_connection_string().empty()) {
    skip_without_pg();
    return nullptr;
  }
  return postgres::PostgresStore::open(pg_options(PgSchemas::instance().make()));
}

}  // namespace explainer::store::testing
