// Plumbing shared by the PostgreSQL store's parts: the Poco connector, a bounded session
// pool, transactions, and error text that is safe to log.
//
// Thread safety: SessionPool and BrokenSessions are safe from any thread; a Session and a
// Transaction belong to one thread at a time.
#pragma once

#include <Poco/Data/Session.h>
#include <Poco/Exception.h>

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace explainer::store::postgres {

// Registers Poco's "postgresql" connector (once per process; idempotent).
void register_connector();

// Text for StoreError/Failed and logs: the primary message and SQLSTATE of a PostgreSQL
// error, without DETAIL (which may quote row values, i.e. patient data) and without SQL.
std::string describe(const Poco::Exception& error);
// The SQLSTATE in a Poco PostgreSQL exception's text, or "" when it has none.
std::string sql_state(const Poco::Exception& error);

// `connection_string` with `options=-csearch_path=<schema>` appended when `schema` is not
// empty. Poco splits connection strings at spaces, so values must not be quoted.
std::string with_search_path(const std::string& connection_string, const std::string& schema);

// Sessions whose connection broke. Poco 1.11 never frees the libpq connection of a session
// that is no longer connected (SessionHandle::disconnect skips PQfinish then), so such a
// session is kept here until PQreset re-establishes it, and only then destroyed (which
// closes it properly). No new connection is opened while the server stays unreachable.
// Thread safety: all members from any thread.
class BrokenSessions {
 public:
  void add(std::unique_ptr<Poco::Data::Session> session);
  // Tries to re-establish and then close every held session; keeps those that fail.
  void sweep();
  ~BrokenSessions();  // sweeps once; what still fails is leaked (Poco), not crashed on

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<Poco::Data::Session>> sessions_;  // guarded by mutex_
};

// A new session on `connection_string`. Throws Poco::Exception when it cannot connect.
// Connects once with plain libpq first (closed again), so a failed attempt leaks nothing.
std::unique_ptr<Poco::Data::Session> open_session(const std::string& connection_string);

// Up to `size` sessions, opened on demand and kept open; acquire() blocks while all are
// lent out. (Poco::Data::SessionPool throws when exhausted and leaks broken sessions.)
class SessionPool {
 public:
  SessionPool(std::string connection_string, std::size_t size);
  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;

  // A session lent out until destruction; the pool must outlive it. A session found
  // broken or inside a transaction it cannot roll back is not reused.
  class Lease {
   public:
    Lease(SessionPool& pool, std::unique_ptr<Poco::Data::Session> session);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Poco::Data::Session& operator*() { return *session_; }
    Poco::Data::Session* operator->() { return session_.get(); }

   private:
    SessionPool& pool_;
    std::unique_ptr<Poco::Data::Session> session_;
  };

  // Blocks until a session is free. Throws Poco::Exception if none can be opened.
  Lease acquire();

 private:
  void give_back(std::unique_ptr<Poco::Data::Session> session);

  const std::string connection_string_;
  const std::size_t size_;
  BrokenSessions broken_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::size_t in_use_ = 0;                                  // guarded by mutex_
  std::vector<std::unique_ptr<Poco::Data::Session>> idle_;  // guarded by mutex_
};

// Durability of one transaction's commit.
enum class Commit {
  kSynced,   // returns after the WAL is flushed (the server's synchronous_commit)
  kRelaxed,  // synchronous_commit=off: visible at once, durable within the server's
             // wal_writer_delay; a server crash may undo it (delivery bookkeeping only)
};

// BEGIN on construction, ROLLBACK on destruction unless commit() was called.
class Transaction {
 public:
  Transaction(Poco::Data::Session& session, Commit mode);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Poco::Data::Session& session_;
  bool open_ = true;
};

}  // namespace explainer::store::postgres
