#include "store/sqlite/connection.h"

namespace explainer::store::sqlite {

namespace {

[[noreturn]] void fail(sqlite3* db, int rc, const std::string& context) {
  const char* message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw SqliteError(rc, context + ": " + (message ? message : sqlite3_errstr(rc)));
}

}  // namespace

Statement& Statement::bind(int index, std::int64_t value) {
  check_bind(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  check_bind(
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  // A zero-length blob must still be a blob, not NULL: bind an empty non-null pointer.
  static const char kEmpty = 0;
  const void* data = bytes.empty() ? static_cast<const void*>(&kEmpty) : bytes.data();
  check_bind(sqlite3_bind_blob64(stmt_, index, data, bytes.size(), SQLITE_TRANSIENT));
  return *this;
}

Statement& Statement::bind_null(int index) {
  check_bind(sqlite3_bind_null(stmt_, index));
  return *this;
}

void Statement::check_bind(int rc) {
  if (rc != SQLITE_OK) fail(db_, rc, std::string("bind in ") + sqlite3_sql(stmt_));
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const std::string sql = sqlite3_sql(stmt_);
  sqlite3_reset(stmt_);
  fail(db_, rc, sql);
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::column_text(int index) const {
  const auto* text = sqlite3_column_text(stmt_, index);
  if (!text) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index)));
}

std::string Statement::column_blob(int index) const {
  const void* data = sqlite3_column_blob(stmt_, index);
  if (!data) return {};
  return std::string(static_cast<const char*>(data),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index)));
}

std::unique_ptr<Connection> Connection::open(const std::string& path, bool create,
                                             int busy_timeout_ms) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX;
  if (create) flags |= SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    throw SqliteError(rc, "cannot open SQLite database '" + path + "': " + message);
  }
  sqlite3_extended_result_codes(db, 1);
  std::unique_ptr<Connection> connection(new Connection(db));
  sqlite3_busy_timeout(db, busy_timeout_ms);
  connection->exec("PRAGMA foreign_keys=ON");
  return connection;
}

Connection::~Connection() {
  cache_.clear();  // finalize statements before closing
  sqlite3_close_v2(db_);
}

void Connection::exec(const std::string& sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    throw SqliteError(rc, message + " (in: " + sql.substr(0, 80) + ")");
  }
}

std::optional<std::string> Connection::query_text(const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr);
  if (rc != SQLITE_OK) fail(db_, rc, sql);
  Statement statement(db_, raw);
  if (!statement.step()) return std::nullopt;
  return statement.column_text(0);
}

Statement& Connection::cached(const std::string& sql) {
  auto found = cache_.find(sql);
  if (found != cache_.end()) return *found->second;
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  if (rc != SQLITE_OK) fail(db_, rc, "prepare " + sql);
  auto& slot = cache_[sql];
  slot = std::make_unique<Statement>(db_, raw);
  return *slot;
}

std::string describe_failure(const SqliteError& error) {
  switch (error.code() & 0xff) {
    case SQLITE_FULL:
      return "store full (disk or database size limit): " + std::string(error.what());
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "store busy (locked by another writer): " + std::string(error.what());
    case SQLITE_IOERR:
      return "store I/O error: " + std::string(error.what());
    case SQLITE_READONLY:
      return "store is read-only: " + std::string(error.what());
    case SQLITE_CONSTRAINT:
      return "constraint violated: " + std::string(error.what());
    default:
      return "store error: " + std::string(error.what());
  }
}

}  // namespace explainer::store::sqlite
