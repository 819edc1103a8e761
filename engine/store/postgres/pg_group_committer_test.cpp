#include "store/postgres/pg_group_committer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "store/postgres/pg_migrations.h"
#include "store/postgres/pg_session.h"
#include "store/postgres/pg_test_database.h"

namespace explainer::store::testing {
namespace {

using namespace Poco::Data::Keywords;
using postgres::GroupCommitter;
using postgres::WriteBatch;
using postgres::WriteResult;

class PgGroupCommitter : public ::testing::Test {
 protected:
  void SetUp() override {
    if (pg_connection_string().empty()) return skip_without_pg();
    postgres::execute_script(pg_connection_string(), "CREATE SCHEMA " + schema_ +
                                                         "; CREATE TABLE " + schema_ +
                                                         ".items (n INTEGER PRIMARY KEY)");
  }
  std::vector<int> stored() {
    auto session = postgres::open_session(connection_);
    std::vector<int> values;
    *session << "SELECT n FROM items ORDER BY n", into(values), now;
    return values;
  }
  const std::string schema_ = PgSchemas::instance().make();
  const std::string connection_ = postgres::with_search_path(pg_connection_string(), schema_);
  WorkNotifier notifier_;
};

TEST_F(PgGroupCommitter, AFailingJobIsRolledBackAloneAndOthersCommit) {
  GroupCommitter committer(connection_, 42, notifier_);
  constexpr int kThreads = 12;
  std::vector<WriteResult> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      results[t] = committer.execute([t](WriteBatch& batch) {
        int value = t;
        batch.session() << "INSERT INTO items (n) VALUES ($1)", bind(value), now;
        if (t == 5) throw StoreError("job 5 refuses");  // after its insert
        if (t == 7) {                                   // a statement error: its own key again
          batch.session() << "INSERT INTO items (n) VALUES ($1)", bind(value), now;
        }
      });
    });
  }
  for (auto& thread : threads) thread.join();
  std::vector<int> expected;
  for (int t = 0; t < kThreads; ++t) {
    if (t == 5 || t == 7) {
      EXPECT_FALSE(results[t].ok) << t;
      EXPECT_FALSE(results[t].error.empty()) << t;
    } else {
      EXPECT_TRUE(results[t].ok) << t << ": " << results[t].error;
      expected.push_back(t);
    }
  }
  EXPECT_EQ(results[5].error, "job 5 refuses");
  EXPECT_EQ(stored(), expected);
  EXPECT_GE(committer.commits(), 1u);
  EXPECT_LE(committer.commits(), static_cast<std::uint64_t>(kThreads));
  EXPECT_EQ(committer.jobs_committed(), static_cast<std::uint64_t>(kThreads - 2));
}

TEST_F(PgGroupCommitter, SubscribersAreSignalledOnlyForCommittedJobs) {
  GroupCommitter committer(connection_, 42, notifier_);
  std::atomic<int> a_calls{0};
  std::atomic<int> b_calls{0};
  Subscription a = notifier_.subscribe("a", [&] { a_calls++; });
  Subscription b = notifier_.subscribe("b", [&] { b_calls++; });
  EXPECT_TRUE(committer.execute([](WriteBatch& batch) { batch.notify_after_commit("a"); }).ok);
  EXPECT_EQ(a_calls.load(), 1);
  EXPECT_FALSE(committer
                   .execute([](WriteBatch& batch) {
                     batch.notify_after_commit("b");
                     throw StoreError("no");
                   })
                   .ok);
  EXPECT_EQ(b_calls.load(), 0);
}

TEST_F(PgGroupCommitter, AnUnreachableServerFailsJobsWithoutHanging) {
  GroupCommitter committer("host=127.0.0.1 port=1 dbname=none connect_timeout=2", 42, notifier_);
  const WriteResult result = committer.execute([](WriteBatch&) {});
  EXPECT_FALSE(result.ok);
  EXPECT_FALSE(result.error.empty());
}

}  // namespace
}  // namespace explainer::store::testing
