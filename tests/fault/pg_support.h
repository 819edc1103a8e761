// PostgreSQL for the fault tests: the server EXPLAINER_TEST_PG names (scripts/test.sh starts a
// throw-away one), a schema of the test's own that is dropped afterwards, and the store keys
// that point explainerd at it.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <random>
#include <string>

#include "store/postgres/pg_migrations.h"

namespace explainer::fault {

// The libpq connection string, or "" when PostgreSQL tests cannot run here.
inline std::string pg_connection() {
  const char* value = std::getenv("EXPLAINER_TEST_PG");
  return value ? value : "";
}

#define EXPLAINER_SKIP_WITHOUT_PG()                                                  \
  if (::explainer::fault::pg_connection().empty()) {                                 \
    GTEST_SKIP() << "EXPLAINER_TEST_PG is not set: this PostgreSQL test is skipped " \
                    "(scripts/test.sh starts a throw-away server and sets it)";      \
  }

// A fresh schema name for one test; the schema (if created) is dropped on destruction.
class PgTestSchema {
 public:
  PgTestSchema() {
    std::random_device random;
    name_ =
        "explainer_fault_" + std::to_string(::getpid()) + "_" + std::to_string(random() % 1000000);
  }
  ~PgTestSchema() {
    try {
      store::postgres::execute_script(pg_connection(),
                                      "DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
    } catch (...) {
      // A leftover schema in a throw-away test database is harmless.
    }
  }
  PgTestSchema(const PgTestSchema&) = delete;
  PgTestSchema& operator=(const PgTestSchema&) = delete;
  const std::string& name() const { return name_; }
  // explainerd configuration lines for store.backend = postgres on this schema.
  std::string store_keys() const {
    return "store.backend = postgres\nstore.postgres.connection = " + pg_connection() +
           "\nstore.postgres.schema = " + name_ + "\n";
  }

 private:
  std::string name_;
};

}  // namespace explainer::fault
