#include "store/postgres/pg_session.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/PostgreSQL/PostgreSQLException.h>
#include <Poco/Data/PostgreSQL/SessionImpl.h>
#include <libpq-fe.h>

#include <mutex>

namespace explainer::store::postgres {

using namespace Poco::Data::Keywords;

void register_connector() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Data::PostgreSQL::Connector::registerConnector(); });
}

std::string sql_state(const Poco::Exception& error) {
  const std::string text = error.displayText();
  const std::string marker = "State: ";
  const auto at = text.find(marker);
  if (at == std::string::npos) return {};
  return text.substr(at + marker.size(), 5);
}

std::string describe(const Poco::Exception& error) {
  const std::string text = error.displayText();
  // Poco's text: "...: postgresql_stmt_execute error: ERROR:  <primary>\nDETAIL: ...
  // Severity: ERROR State: 23502 Detail: ...". Keep the primary message only.
  std::string primary;
  const auto error_at = text.find("ERROR:  ");
  if (error_at != std::string::npos) {
    primary = text.substr(error_at + 8);
  } else {
    const auto fatal_at = text.find("FATAL:  ");
    primary = fatal_at != std::string::npos ? text.substr(fatal_at + 8) : text;
  }
  primary = primary.substr(0, primary.find('\n'));
  if (primary.size() > 200) primary.resize(200);
  const std::string state = sql_state(error);
  return "PostgreSQL: " + primary + (state.empty() ? "" : " (SQLSTATE " + state + ")");
}

std::string with_search_path(const std::string& connection_string, const std::string& schema) {
  if (schema.empty()) return connection_string;
  return connection_string + " options=-csearch_path=" + schema;
}

namespace {

// PQreset on the session's own connection; true when it is connected afterwards.
bool reconnect(Poco::Data::Session& session) {
  auto* impl = dynamic_cast<Poco::Data::PostgreSQL::SessionImpl*>(session.impl());
  if (!impl) return false;
  PGconn* connection = impl->handle();
  if (!connection) return false;
  PQreset(connection);
  return PQstatus(connection) == CONNECTION_OK;
}

}  // namespace

void BrokenSessions::add(std::unique_ptr<Poco::Data::Session> session) {
  if (!session) return;
  std::lock_guard<std::mutex> lock(mutex_);
  sessions_.push_back(std::move(session));
}

void BrokenSessions::sweep() {
  std::vector<std::unique_ptr<Poco::Data::Session>> pending;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending.swap(sessions_);
  }
  for (auto& session : pending) {
    if (reconnect(*session)) {
      session.reset();  // connected again, so Poco closes and frees it
    } else {
      add(std::move(session));
    }
  }
}

BrokenSessions::~BrokenSessions() {
  try {
    sweep();
  } catch (...) {
  }
  for (auto& session : sessions_) (void)session.release();  // see class comment
}

std::unique_ptr<Poco::Data::Session> open_session(const std::string& connection_string) {
  register_connector();
  // Poco leaks the libpq connection of a failed connect (see BrokenSessions), which during
  // an outage would be one leak per attempt. Probe with plain libpq first: only a server
  // that just accepted us is handed to Poco.
  {
    std::unique_ptr<PGconn, decltype(&PQfinish)> probe(PQconnectdb(connection_string.c_str()),
                                                       &PQfinish);
    if (!probe || PQstatus(probe.get()) != CONNECTION_OK) {
      std::string reason = probe ? PQerrorMessage(probe.get()) : "out of memory";
      while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
      throw Poco::Data::PostgreSQL::ConnectionException("Connection attempt failed: " + reason);
    }
  }
  return std::make_unique<Poco::Data::Session>("postgresql", connection_string);
}

SessionPool::SessionPool(std::string connection_string, std::size_t size)
    : connection_string_(std::move(connection_string)), size_(size == 0 ? 1 : size) {}

SessionPool::Lease::Lease(SessionPool& pool, std::unique_ptr<Poco::Data::Session> session)
    : pool_(pool), session_(std::move(session)) {}

SessionPool::Lease::~Lease() {
  pool_.give_back(std::move(session_));
}

SessionPool::Lease SessionPool::acquire() {
  std::unique_ptr<Poco::Data::Session> session;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    freed_.wait(lock, [this] { return in_use_ < size_; });
    ++in_use_;
    if (!idle_.empty()) {
      session = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  try {
    if (!session) {
      broken_.sweep();
      session = open_session(connection_string_);
    }
  } catch (...) {
    give_back(nullptr);
    throw;
  }
  return Lease(*this, std::move(session));
}

void SessionPool::give_back(std::unique_ptr<Poco::Data::Session> session) {
  if (session) {
    try {
      // A session left inside a transaction (a failed one) is rolled back first.
      if (session->isConnected() && session->isTransaction()) session->rollback();
    } catch (...) {
    }
    bool healthy = false;
    try {
      healthy = session->isConnected() && !session->isTransaction();
    } catch (...) {
    }
    if (!healthy) {
      broken_.add(std::move(session));
    }
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    --in_use_;
    if (session) idle_.push_back(std::move(session));
  }
  freed_.notify_one();
}

Transaction::Transaction(Poco::Data::Session& session, Commit mode) : session_(session) {
  session_.begin();
  try {
    if (mode == Commit::kRelaxed) session_ << "SET LOCAL synchronous_commit TO OFF", now;
  } catch (...) {
    session_.rollback();
    throw;
  }
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    session_.rollback();
  } catch (...) {
    // The connection is broken; the server rolls the transaction back itself.
  }
}

void Transaction::commit() {
  open_ = false;
  session_.commit();
}

}  // namespace explainer::store::postgres
