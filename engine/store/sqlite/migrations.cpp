#include "store/sqlite/migrations.h"

#include <string>

namespace explainer::store::sqlite {

namespace {

bool has_table(Connection& connection, const std::string& name) {
  Statement& statement =
      connection.cached("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
  StatementScope scope(statement);
  scope->bind(1, name);
  return scope->step();
}

bool has_any_table(Connection& connection) {
  return connection.query_text("SELECT name FROM sqlite_master WHERE type = 'table' LIMIT 1")
      .has_value();
}

int newest(const std::vector<Migration>& migrations) {
  return migrations.empty() ? 0 : migrations.back().version;
}

void check_sequence(const std::vector<Migration>& migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      throw StoreError(std::string("store migrations are not numbered 1..N without gaps at ") +
                       migrations[i].name);
    }
  }
}

}  // namespace

int schema_version(Connection& connection) {
  if (!has_table(connection, "schema_version")) return 0;
  auto text = connection.query_text("SELECT version FROM schema_version");
  return text ? std::stoi(*text) : 0;
}

int migrate(Connection& connection, const std::vector<Migration>& migrations, bool allow_upgrade) {
  check_sequence(migrations);
  const int target = newest(migrations);
  for (;;) {
    connection.exec("BEGIN IMMEDIATE");
    try {
      int current = 0;
      if (has_table(connection, "schema_version")) {
        current = schema_version(connection);
      } else if (has_any_table(connection)) {
        throw StoreError("the database holds tables but no schema_version: not an Explainer store");
      } else {
        connection.exec("CREATE TABLE schema_version (version INTEGER NOT NULL)");
        connection.exec("INSERT INTO schema_version (version) VALUES (0)");
        allow_upgrade = true;  // a new database is initialised without asking
      }
      if (current > target) {
        throw StoreError("the store's schema version " + std::to_string(current) +
                         " is newer than this program supports (" + std::to_string(target) +
                         "): use a newer Explainer");
      }
      if (current == target) {
        connection.exec("COMMIT");
        return current;
      }
      if (!allow_upgrade) {
        throw StoreError("the store's schema version " + std::to_string(current) +
                         " is older than this program's (" + std::to_string(target) +
                         "): back it up, then open it with the upgrade option (--upgrade)");
      }
      const Migration& next = migrations[static_cast<std::size_t>(current)];
      try {
        connection.exec(next.sql);
      } catch (const StoreError& e) {
        throw StoreError(std::string("migration ") + next.name + " failed: " + e.what());
      }
      connection.exec("UPDATE schema_version SET version = " + std::to_string(next.version));
      connection.exec("COMMIT");
    } catch (...) {
      try {
        connection.exec("ROLLBACK");
      } catch (...) {
      }
      throw;
    }
  }
}

}  // namespace explainer::store::sqlite
