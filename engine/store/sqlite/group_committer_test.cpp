#include "store/sqlite/group_committer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "store/test_dir.h"

namespace explainer::store::sqlite {
namespace {

class GroupCommitterTest : public ::testing::Test {
 protected:
  GroupCommitterTest() {
    connection_ = Connection::open(dir_.file("jobs.db"), true, 1000);
    connection_->exec("PRAGMA journal_mode=WAL");
    connection_->exec("CREATE TABLE items (name TEXT NOT NULL UNIQUE)");
    committer_ = std::make_unique<GroupCommitter>(*connection_, mutex_, notifier_);
  }
  ~GroupCommitterTest() override { committer_.reset(); }

  static GroupCommitter::Job insert(const std::string& name) {
    return [name](WriteBatch& batch) {
      StatementScope statement(batch.connection().cached("INSERT INTO items (name) VALUES (?1)"));
      statement->bind(1, name).run();
      batch.notify_after_commit("dest-" + name);
    };
  }
  int count_items() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::stoi(connection_->query_text("SELECT COUNT(*) FROM items").value());
  }

  testing::TempDir dir_;
  std::unique_ptr<Connection> connection_;
  std::mutex mutex_;
  WorkNotifier notifier_;
  std::unique_ptr<GroupCommitter> committer_;
};

TEST_F(GroupCommitterTest, JobsQueuedDuringACommitShareTheNextOne) {
  // A first job holds the writer until 16 more jobs are queued behind it.
  std::mutex gate_mutex;
  std::condition_variable gate_cv;
  bool open = false;
  std::atomic<bool> entered{false};
  std::thread first([&] {
    auto result = committer_->execute([&](WriteBatch& batch) {
      entered = true;
      std::unique_lock<std::mutex> lock(gate_mutex);
      gate_cv.wait(lock, [&] { return open; });
      insert("first")(batch);
    });
    EXPECT_TRUE(result.ok) << result.error;
  });
  while (!entered) std::this_thread::yield();  // the writer runs the first job
  const auto commits_before = committer_->commits();
  EXPECT_EQ(commits_before, 0u);

  constexpr int kJobs = 16;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kJobs; ++i) {
    threads.emplace_back([&, i] {
      if (committer_->execute(insert("job" + std::to_string(i))).ok) ok++;
    });
  }
  while (committer_->queued() != kJobs) std::this_thread::yield();
  {
    std::lock_guard<std::mutex> lock(gate_mutex);
    open = true;
  }
  gate_cv.notify_all();
  first.join();
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), kJobs);
  EXPECT_EQ(committer_->commits(), 2u);  // the first job's commit, then all 16 together
  EXPECT_EQ(count_items(), kJobs + 1);
}

TEST_F(GroupCommitterTest, AFailingJobIsRolledBackAloneAndNotSignalled) {
  ASSERT_TRUE(committer_->execute(insert("taken")).ok);
  std::atomic<int> signals_for_taken{0};
  std::atomic<int> signals_for_fresh{0};
  Subscription a = notifier_.subscribe("dest-taken", [&] { signals_for_taken++; });
  Subscription b = notifier_.subscribe("dest-fresh", [&] { signals_for_fresh++; });
  // Both jobs run concurrently and may share a batch; the duplicate fails alone.
  WriteResult duplicate;
  WriteResult fresh;
  std::thread t1([&] { duplicate = committer_->execute(insert("taken")); });
  std::thread t2([&] { fresh = committer_->execute(insert("fresh")); });
  t1.join();
  t2.join();
  EXPECT_FALSE(duplicate.ok);
  EXPECT_NE(duplicate.error.find("constraint"), std::string::npos) << duplicate.error;
  EXPECT_TRUE(fresh.ok) << fresh.error;
  EXPECT_EQ(count_items(), 2);
  EXPECT_EQ(signals_for_taken.load(), 0);
  EXPECT_EQ(signals_for_fresh.load(), 1);
}

TEST_F(GroupCommitterTest, OnlyBatchesWithASyncedJobAreFsynced) {
  ASSERT_TRUE(committer_->execute(insert("relaxed"), Durability::kRelaxed).ok);
  EXPECT_EQ(committer_->commits(), 1u);
  EXPECT_EQ(committer_->synced_commits(), 0u);
  ASSERT_TRUE(committer_->execute(insert("synced"), Durability::kSynced).ok);
  EXPECT_EQ(committer_->commits(), 2u);
  EXPECT_EQ(committer_->synced_commits(), 1u);
  EXPECT_EQ(count_items(), 2);  // relaxed commits are visible at once
}

TEST_F(GroupCommitterTest, ExceptionTextReachesTheCaller) {
  auto result = committer_->execute([](WriteBatch& batch) {
    insert("partial")(batch);
    throw std::runtime_error("validation failed");
  });
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error, "validation failed");
  EXPECT_EQ(count_items(), 0);
}

TEST_F(GroupCommitterTest, QueuedJobsAreCommittedBeforeDestruction) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      if (committer_->execute(insert("j" + std::to_string(i))).ok) ok++;
    });
  }
  for (auto& thread : threads) thread.join();
  committer_.reset();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(count_items(), 8);
}

}  // namespace
}  // namespace explainer::store::sqlite
