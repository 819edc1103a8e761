#include "store/postgres/pg_migrations.h"

#include <libpq-fe.h>

#include <memory>
#include <optional>

#include "store/message_store.h"
#include "store/postgres/pg_session.h"

namespace explainer::store::postgres {

namespace {

// One libpq connection, closed on destruction.
class RawConnection {
 public:
  explicit RawConnection(const std::string& connection_string)
      : connection_(PQconnectdb(connection_string.c_str()), &PQfinish) {
    if (!connection_ || PQstatus(connection_.get()) != CONNECTION_OK) {
      throw StoreError("cannot connect to PostgreSQL: " + error_text());
    }
    // Keep NOTICEs ("schema already exists, skipping") off stderr.
    PQsetNoticeProcessor(
        connection_.get(), [](void*, const char*) {}, nullptr);
  }

  // Runs `sql`; returns the first column of the first row, if any.
  std::optional<std::string> query(const std::string& sql) {
    std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(connection_.get(), sql.c_str()),
                                                         &PQclear);
    const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::string message = result ? PQresultErrorField(result.get(), PG_DIAG_MESSAGE_PRIMARY)
                                         ? PQresultErrorField(result.get(), PG_DIAG_MESSAGE_PRIMARY)
                                         : ""
                                   : "";
      if (message.empty()) message = error_text();
      const char* state = result ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
      throw StoreError("PostgreSQL: " + message +
                       (state ? std::string(" (SQLSTATE ") + state + ")" : std::string()));
    }
    if (status == PGRES_TUPLES_OK && PQntuples(result.get()) > 0 && PQnfields(result.get()) > 0 &&
        !PQgetisnull(result.get(), 0, 0)) {
      return std::string(PQgetvalue(result.get(), 0, 0));
    }
    return std::nullopt;
  }
  void exec(const std::string& sql) { query(sql); }

  std::string quote_literal(const std::string& text) {
    std::unique_ptr<char, decltype(&PQfreemem)> quoted(
        PQescapeLiteral(connection_.get(), text.data(), text.size()), &PQfreemem);
    if (!quoted) throw StoreError("cannot quote a PostgreSQL literal: " + error_text());
    return quoted.get();
  }
  std::string quote_identifier(const std::string& text) {
    std::unique_ptr<char, decltype(&PQfreemem)> quoted(
        PQescapeIdentifier(connection_.get(), text.data(), text.size()), &PQfreemem);
    if (!quoted) throw StoreError("cannot quote a PostgreSQL identifier: " + error_text());
    return quoted.get();
  }

 private:
  std::string error_text() {
    std::string text = connection_ ? PQerrorMessage(connection_.get()) : "out of memory";
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
  }
  std::unique_ptr<PGconn, decltype(&PQfinish)> connection_;
};

void check_sequence(const std::vector<Migration>& migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      throw StoreError(std::string("store migrations are not numbered 1..N without gaps at ") +
                       migrations[i].name);
    }
  }
}

// The schema the store lives in: `schema`, or the first of the server's search_path.
std::string resolve_schema(RawConnection& db, const std::string& schema) {
  if (!schema.empty()) return schema;
  auto current = db.query("SELECT current_schema()");
  if (!current) throw StoreError("PostgreSQL search_path names no existing schema");
  return *current;
}

bool has_table(RawConnection& db, const std::string& schema_literal, const std::string& table) {
  return db
      .query("SELECT 1 FROM information_schema.tables WHERE table_schema = " + schema_literal +
             " AND table_name = " + db.quote_literal(table))
      .has_value();
}

bool has_any_table(RawConnection& db, const std::string& schema_literal) {
  return db
      .query("SELECT 1 FROM information_schema.tables WHERE table_schema = " + schema_literal +
             " LIMIT 1")
      .has_value();
}

int read_version(RawConnection& db, const std::string& schema_literal) {
  if (!has_table(db, schema_literal, "schema_version")) return 0;
  auto text = db.query("SELECT version FROM schema_version");
  return text ? std::stoi(*text) : 0;
}

}  // namespace

int schema_version(const std::string& connection_string, const std::string& schema) {
  RawConnection db(with_search_path(connection_string, schema));
  const std::string name = resolve_schema(db, schema);
  return read_version(db, db.quote_literal(name));
}

void execute_script(const std::string& connection_string, const std::string& sql) {
  RawConnection db(connection_string);
  db.exec(sql);
}

int migrate(const std::string& connection_string, const std::string& schema,
            const std::vector<Migration>& migrations, bool allow_upgrade) {
  check_sequence(migrations);
  const int target = migrations.empty() ? 0 : migrations.back().version;
  RawConnection db(with_search_path(connection_string, schema));
  const std::string name = resolve_schema(db, schema);
  const std::string name_literal = db.quote_literal(name);
  // Serialises concurrent openers of the same schema (advisory locks are per database).
  const std::string lock = "SELECT pg_advisory_xact_lock(hashtext(" +
                           db.quote_literal("explainer.migrate." + name) + "))";
  for (;;) {
    db.exec("BEGIN");
    try {
      db.exec(lock);
      // Only when missing: CREATE SCHEMA needs the CREATE privilege even with IF NOT EXISTS.
      if (!db.query("SELECT 1 FROM pg_namespace WHERE nspname = " + name_literal)) {
        db.exec("CREATE SCHEMA " + db.quote_identifier(name));
      }
      int current = 0;
      if (has_table(db, name_literal, "schema_version")) {
        current = read_version(db, name_literal);
      } else if (has_any_table(db, name_literal)) {
        throw StoreError("PostgreSQL schema '" + name +
                         "' holds tables but no schema_version: not an Explainer store");
      } else {
        db.exec("CREATE TABLE schema_version (version INTEGER NOT NULL)");
        db.exec("INSERT INTO schema_version (version) VALUES (0)");
        allow_upgrade = true;  // a new schema is initialised without asking
      }
      if (current > target) {
        throw StoreError("the store's schema version " + std::to_string(current) +
                         " is newer than this program supports (" + std::to_string(target) +
                         "): use a newer Explainer");
      }
      if (current == target) {
        db.exec("COMMIT");
        return current;
      }
      if (!allow_upgrade) {
        throw StoreError("the store's schema version " + std::to_string(current) +
                         " is older than this program's (" + std::to_string(target) +
                         "): back it up, then start with the upgrade option (--upgrade)");
      }
      const Migration& next = migrations[static_cast<std::size_t>(current)];
      try {
        db.exec(next.sql);
      } catch (const StoreError& e) {
        throw StoreError(std::string("migration ") + next.name + " failed: " + e.what());
      }
      db.exec("UPDATE schema_version SET version = " + std::to_string(next.version));
      db.exec("COMMIT");
    } catch (...) {
      try {
        db.exec("ROLLBACK");
      } catch (...) {
      }
      throw;
    }
  }
}

}  // namespace explainer::store::postgres
