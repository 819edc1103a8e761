// Thin RAII layer over the sqlite3 C API, private to the SQLite backend.
//
// Thread safety: a Connection (and its cached Statements) is used by one thread at a
// time; the owner serialises access. Errors throw SqliteError (a StoreError) carrying the
// SQLite extended result code; messages hold SQL and SQLite's text, never bound values.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/message_store.h"

namespace explainer::store::sqlite {

class SqliteError : public StoreError {
 public:
  SqliteError(int code, const std::string& what) : StoreError(what), code_(code) {}
  int code() const { return code_; }  // extended result code, e.g. SQLITE_FULL

 private:
  int code_;
};

// A prepared statement. Owned by the Connection that cached it; reset() after use
// (Connection::query does it for you through StatementScope).
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);  // as TEXT
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);
  // Steps once: true if a row is available, false when done. Throws on error.
  bool step();
  // Steps to completion (for statements that return no rows).
  void run();
  void reset();

  std::int64_t column_int64(int index) const { return sqlite3_column_int64(stmt_, index); }
  bool column_is_null(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }
  std::string column_text(int index) const;
  std::string column_blob(int index) const;

 private:
  void check_bind(int rc);
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// Resets a cached statement when leaving scope, so it holds no read snapshot or lock.
class StatementScope {
 public:
  explicit StatementScope(Statement& statement) : statement_(statement) {}
  ~StatementScope() { statement_.reset(); }
  Statement* operator->() { return &statement_; }
  Statement& operator*() { return statement_; }

 private:
  Statement& statement_;
};

class Connection {
 public:
  // Opens (creating if allowed) the database at `path` (":memory:" for a private
  // in-memory database) and sets busy_timeout and foreign_keys=ON.
  static std::unique_ptr<Connection> open(const std::string& path, bool create,
                                          int busy_timeout_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without results. Throws SqliteError.
  void exec(const std::string& sql);
  // First column of the first row as text, if any (for PRAGMA queries).
  std::optional<std::string> query_text(const std::string& sql);
  // A statement prepared once per connection and reused; wrap it in StatementScope.
  Statement& cached(const std::string& sql);
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }
  sqlite3* handle() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

// Human-readable reason for a failed accept(): names disk full, busy, I/O error.
std::string describe_failure(const SqliteError& error);

}  // namespace explainer::store::sqlite
