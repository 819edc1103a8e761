// Versioned schema migrations of the PostgreSQL store.
//
// Source of truth: engine/store/postgres/migrations/NNNN_name.sql, embedded at build time
// (CMake generates the table behind embedded_migrations()). Version N is the file
// numbered N; versions run 1..newest without gaps. The applied version lives in the
// table schema_version (one row) of the store's schema.
//
// Migrations run over libpq directly (PQexec), not Poco: a migration file holds several
// statements, and Poco prepares every statement, which PostgreSQL allows for one only.
#pragma once

#include <string>
#include <vector>

namespace explainer::store::postgres {

struct Migration {
  int version;
  const char* name;  // file name, e.g. "0001_initial.sql"
  const char* sql;
};

// The migrations built into this binary, ordered by version.
const std::vector<Migration>& embedded_migrations();

// Connects with `connection_string` and brings `schema` (created if missing; empty: the
// first schema of the server's search_path, normally "public") to the newest version of
// `migrations`, each step in its own transaction. Several instances starting at once
// serialise on an advisory lock; the loser sees the winner's result. An empty schema is
// initialised. Throws StoreError, with a message meant for an operator, when the schema
// is newer than the code, older and `allow_upgrade` is false, or holds tables but no
// schema_version (not an Explainer store). Returns the resulting version.
int migrate(const std::string& connection_string, const std::string& schema,
            const std::vector<Migration>& migrations, bool allow_upgrade);

// Version recorded in `schema` (0 when it has no schema_version table).
int schema_version(const std::string& connection_string, const std::string& schema);

// Executes `sql` (may hold several statements) on a fresh connection. For tests and tools.
void execute_script(const std::string& connection_string, const std::string& sql);

}  // namespace explainer::store::postgres
