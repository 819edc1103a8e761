// Versioned schema migrations of the SQLite store.
//
// Source of truth: engine/store/sqlite/migrations/NNNN_name.sql, embedded at build time
// (CMake generates the table behind embedded_migrations()). Version N is the file
// numbered N; versions run 1..newest without gaps. The applied version lives in the
// table schema_version (one row).
#pragma once

#include <vector>

#include "store/sqlite/connection.h"

namespace explainer::store::sqlite {

struct Migration {
  int version;
  const char* name;  // file name, e.g. "0001_initial.sql"
  const char* sql;
};

// The migrations built into this binary, ordered by version.
const std::vector<Migration>& embedded_migrations();

// Version recorded in the database; 0 when it has no schema_version table.
int schema_version(Connection& connection);

// Brings the database to the newest version of `migrations`, each step in its own
// transaction (BEGIN IMMEDIATE, so a concurrent opener waits). An empty database is
// initialised. Throws StoreError, with a message meant for an operator, when the
// database is newer than the code, older and `allow_upgrade` is false, or holds tables
// but no schema_version (not an Explainer store). Returns the resulting version.
int migrate(Connection& connection, const std::vector<Migration>& migrations, bool allow_upgrade);

}  // namespace explainer::store::sqlite
