// Conformance tests for any MessageStore backend (test-only header).
//
// A backend's test file includes this header once and instantiates the suite with
// factories that each return a fresh, empty store:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, MessageStoreConformance,
//       ::testing::Values(StoreFactory{"memory", [] { return make_memory_store(); }}),
//       [](const auto& info) { return info.param.name; });
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/message_store.h"

namespace explainer::store::testing {

struct StoreFactory {
  std::string name;  // test-name suffix: letters, digits, underscores
  std::function<std::unique_ptr<MessageStore>()> make;
};

inline std::int64_t wall_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline InboundMessage inbound(const std::string& control_id, std::int64_t received_at_ms = 0,
                              const std::string& dedupe_key = {}) {
  InboundMessage message;
  message.source = "mllp:test";
  message.format = "hl7v2";
  message.control_id = control_id;
  message.dedupe_key = dedupe_key.empty() ? "APP|FAC|" + control_id : dedupe_key;
  message.received_at_ms = received_at_ms ? received_at_ms : wall_now_ms();
  message.payload = "MSH|^~\\&|APP|FAC|||||ORU^R01|" + control_id + "|P|2.5\r";
  return message;
}

inline MessageId accepted_id(const AcceptResult& result) {
  if (const auto* accepted = std::get_if<Accepted>(&result)) return accepted->message_id;
  if (const auto* failed = std::get_if<Failed>(&result)) {
    ADD_FAILURE() << "accept failed: " << failed->reason;
  } else {
    ADD_FAILURE() << "accept returned Duplicate";
  }
  return 0;
}

inline void PrintTo(const StoreFactory& factory, std::ostream* out) {
  *out << factory.name;
}

class MessageStoreConformance : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override { store_ = GetParam().make(); }
  void TearDown() override { store_.reset(); }

  MessageId accept_to(const std::string& control_id, const std::vector<std::string>& destinations,
                      std::int64_t received_at_ms = 0) {
    std::vector<OutboxEntry> outbox;
    for (const auto& destination : destinations) {
      outbox.push_back({destination, destination + ":" + control_id});
    }
    return accepted_id(store_->accept(inbound(control_id, received_at_ms), outbox));
  }
  OutboxItem head(const std::string& destination) {
    auto next = store_->next_pending(destination, far_future_);
    EXPECT_TRUE(next.item.has_value()) << "nothing pending for " << destination;
    return next.item.value_or(OutboxItem{});
  }
  const std::int64_t far_future_ = wall_now_ms() + 365LL * 24 * 3600 * 1000;
  std::unique_ptr<MessageStore> store_;
};

TEST_P(MessageStoreConformance, AcceptEnqueuesOneRowPerDestinationWithItsOwnPayload) {
  const MessageId id = accept_to("c1", {"portal", "ehr"});
  ASSERT_NE(id, 0);
  const OutboxItem portal = head("portal");
  const OutboxItem ehr = head("ehr");
  EXPECT_EQ(portal.message_id, id);
  EXPECT_EQ(ehr.message_id, id);
  EXPECT_EQ(portal.payload, "portal:c1");
  EXPECT_EQ(ehr.payload, "ehr:c1");
  EXPECT_EQ(portal.control_id, "c1");
  EXPECT_EQ(portal.attempts, 0);
  EXPECT_LT(portal.id, ehr.id);  // entries keep their order
  EXPECT_FALSE(store_->next_pending("other", far_future_).item);
  EXPECT_EQ(store_->counters().accepted, 1u);
}

TEST_P(MessageStoreConformance, PayloadBytesComeBackExactly) {
  std::string bytes("MSH|\r\0\x01\xff\xfe end\n", 15);
  auto message = inbound("bin");
  message.payload = bytes;
  ASSERT_NE(accepted_id(store_->accept(message, {{"a", bytes}, {"b", ""}})), 0);
  EXPECT_EQ(head("a").payload, bytes);
  EXPECT_EQ(head("b").payload, "");
}

TEST_P(MessageStoreConformance, DuplicateDedupeKeyIsAcknowledgedButNotEnqueuedAgain) {
  const MessageId id = accept_to("c1", {"portal"});
  ASSERT_TRUE(store_->mark_delivered(head("portal").id));
  const AcceptResult again = store_->accept(inbound("c1"), {{"portal", "again"}});
  ASSERT_TRUE(std::holds_alternative<Duplicate>(again));
  EXPECT_EQ(std::get<Duplicate>(again).existing_message_id, id);
  EXPECT_TRUE(is_stored(again));
  EXPECT_FALSE(store_->next_pending("portal", far_future_).item);
  EXPECT_EQ(store_->counters().duplicates, 1u);
}

TEST_P(MessageStoreConformance, EmptyDedupeKeyIsNeverADuplicate) {
  auto first = inbound("same");
  first.dedupe_key.clear();
  ASSERT_NE(accepted_id(store_->accept(first, {{"d", "1"}})), 0);
  ASSERT_NE(accepted_id(store_->accept(first, {{"d", "2"}})), 0);
  EXPECT_EQ(store_->queue_status(wall_now_ms()).at(0).pending, 2);
}

TEST_P(MessageStoreConformance, OutboxEntryWithoutDestinationFailsAndStoresNothing) {
  const AcceptResult result = store_->accept(inbound("c1"), {{"ok", "x"}, {"", "y"}});
  EXPECT_TRUE(std::holds_alternative<Failed>(result));
  EXPECT_FALSE(is_stored(result));
  EXPECT_FALSE(store_->next_pending("ok", far_future_).item);
  // The dedupe key was not consumed.
  EXPECT_NE(accept_to("c1", {"ok"}), 0);
}

TEST_P(MessageStoreConformance, EachDestinationIsFifo) {
  accept_to("c1", {"a", "b"});
  accept_to("c2", {"a", "b"});
  accept_to("c3", {"a"});
  std::vector<std::string> order;
  for (int i = 0; i < 3; ++i) {
    const OutboxItem item = head("a");
    order.push_back(item.control_id);
    ASSERT_TRUE(store_->mark_delivered(item.id));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"c1", "c2", "c3"}));
  EXPECT_FALSE(store_->next_pending("a", far_future_).item);
  EXPECT_EQ(head("b").control_id, "c1");  // untouched by a's progress
}

TEST_P(MessageStoreConformance, RetryingHeadBlocksItsDestinationUntilDue) {
  accept_to("c1", {"a"});
  accept_to("c2", {"a"});
  const std::int64_t now = wall_now_ms();
  const OutboxItem first = head("a");
  ASSERT_TRUE(store_->mark_retry(first.id, now + 60'000, "connection refused"));
  const NextPending blocked = store_->next_pending("a", now);
  EXPECT_FALSE(blocked.item);
  ASSERT_TRUE(blocked.head_due_at_ms);
  EXPECT_EQ(*blocked.head_due_at_ms, now + 60'000);
  const NextPending due = store_->next_pending("a", now + 60'000);
  ASSERT_TRUE(due.item);
  EXPECT_EQ(due.item->id, first.id);
  EXPECT_EQ(due.item->attempts, 1);
  EXPECT_EQ(due.item->last_error, "connection refused");
}

TEST_P(MessageStoreConformance, DeadItemStopsBlockingAndIsListed) {
  accept_to("c1", {"a"});
  accept_to("c2", {"a"});
  const OutboxItem first = head("a");
  ASSERT_TRUE(store_->mark_dead(first.id, "AR: unknown patient"));
  EXPECT_EQ(head("a").control_id, "c2");
  const auto dead = store_->list_dead();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].id, first.id);
  EXPECT_EQ(dead[0].state, OutboxState::kDead);
  EXPECT_EQ(dead[0].last_error, "AR: unknown patient");
  EXPECT_EQ(dead[0].control_id, "c1");
  EXPECT_TRUE(store_->list_dead("other").empty());
  EXPECT_EQ(store_->list_dead("a").size(), 1u);
}

TEST_P(MessageStoreConformance, MarkOnlyChangesPendingRows) {
  accept_to("c1", {"a"});
  const OutboxItem item = head("a");
  EXPECT_TRUE(store_->mark_delivered(item.id));
  EXPECT_FALSE(store_->mark_delivered(item.id));
  EXPECT_FALSE(store_->mark_retry(item.id, 0, "late"));
  EXPECT_FALSE(store_->mark_dead(item.id, "late"));
  EXPECT_FALSE(store_->mark_delivered(item.id + 1000));
}

TEST_P(MessageStoreConformance, RetryDeadPutsTheRowBackInItsPlace) {
  accept_to("c1", {"a"});
  accept_to("c2", {"a"});
  const OutboxItem first = head("a");
  ASSERT_TRUE(store_->mark_retry(first.id, 0, "timeout"));
  ASSERT_TRUE(store_->mark_dead(first.id, "gave up"));
  EXPECT_FALSE(store_->retry_dead(head("a").id));  // c2 is pending, not dead
  ASSERT_TRUE(store_->retry_dead(first.id));
  EXPECT_FALSE(store_->retry_dead(first.id));
  const NextPending next = store_->next_pending("a", wall_now_ms() + 1000);
  ASSERT_TRUE(next.item);
  EXPECT_EQ(next.item->id, first.id);
  EXPECT_EQ(next.item->attempts, 0);
  EXPECT_TRUE(store_->list_dead().empty());
}

TEST_P(MessageStoreConformance, RetryAllDeadCanBeLimitedToADestination) {
  accept_to("c1", {"a", "b"});
  accept_to("c2", {"a", "b"});
  for (const char* destination : {"a", "b"}) {
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(store_->mark_dead(head(destination).id, "no"));
  }
  EXPECT_EQ(store_->list_dead().size(), 4u);
  EXPECT_EQ(store_->retry_all_dead("a"), 2);
  EXPECT_EQ(store_->list_dead().size(), 2u);
  EXPECT_EQ(head("a").control_id, "c1");
  EXPECT_EQ(store_->retry_all_dead(), 2);
  EXPECT_TRUE(store_->list_dead().empty());
  EXPECT_EQ(store_->retry_all_dead(), 0);
}

TEST_P(MessageStoreConformance, PurgeDeletesOnlyDeadRows) {
  accept_to("c1", {"a"});
  accept_to("c2", {"a"});
  const OutboxItem first = head("a");
  EXPECT_FALSE(store_->purge(first.id));  // pending
  ASSERT_TRUE(store_->mark_dead(first.id, "AR"));
  EXPECT_TRUE(store_->purge(first.id));
  EXPECT_FALSE(store_->purge(first.id));
  EXPECT_TRUE(store_->list_dead().empty());
  EXPECT_FALSE(store_->retry_dead(first.id));
  EXPECT_EQ(head("a").control_id, "c2");
}

TEST_P(MessageStoreConformance, QueueStatusReportsDepthAgeDeadAndLastError) {
  accept_to("c1", {"a", "b"});
  accept_to("c2", {"a"});
  accept_to("c3", {"a"});
  const OutboxItem first = head("a");
  ASSERT_TRUE(store_->mark_dead(first.id, "HTTP 400"));
  ASSERT_TRUE(store_->mark_retry(head("a").id, 0, "HTTP 503"));
  ASSERT_TRUE(store_->mark_delivered(head("b").id));
  const auto statuses = store_->queue_status(wall_now_ms() + 5000);
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_EQ(statuses[0].destination, "a");
  EXPECT_EQ(statuses[0].pending, 2);
  EXPECT_EQ(statuses[0].dead, 1);
  EXPECT_GE(statuses[0].oldest_pending_age_ms, 5000);
  EXPECT_EQ(statuses[0].last_error, "HTTP 503");
  EXPECT_EQ(statuses[1].destination, "b");
  EXPECT_EQ(statuses[1].pending, 0);
  EXPECT_EQ(statuses[1].oldest_pending_age_ms, 0);
  EXPECT_EQ(statuses[1].dead, 0);
  EXPECT_EQ(statuses[1].last_error, "");
}

TEST_P(MessageStoreConformance, RetentionDeletesOnlyOldFullyDeliveredMessages) {
  const std::int64_t old_time = wall_now_ms() - 10 * 24 * 3600 * 1000LL;
  const std::int64_t cutoff = wall_now_ms() - 24 * 3600 * 1000LL;
  accept_to("old-delivered", {"a"}, old_time);
  ASSERT_TRUE(store_->mark_delivered(head("a").id));
  accept_to("old-dead", {"b"}, old_time);
  const OutboxItem dead = head("b");
  ASSERT_TRUE(store_->mark_dead(dead.id, "AR"));
  accept_to("old-pending", {"c"}, old_time);
  accept_to("new-delivered", {"a"});
  ASSERT_TRUE(store_->mark_delivered(head("a").id));

  EXPECT_EQ(store_->purge_delivered_older_than(cutoff), 1);
  EXPECT_EQ(store_->purge_delivered_older_than(cutoff), 0);
  EXPECT_EQ(head("c").control_id, "old-pending");
  EXPECT_EQ(store_->list_dead().size(), 1u);
  // The purged message's dedupe key is forgotten, the kept ones are not.
  EXPECT_TRUE(std::holds_alternative<Accepted>(store_->accept(inbound("old-delivered"), {})));
  EXPECT_TRUE(std::holds_alternative<Duplicate>(store_->accept(inbound("new-delivered"), {})));
  // Once its dead row is purged, the other old message goes too.
  ASSERT_TRUE(store_->purge(dead.id));
  EXPECT_EQ(store_->purge_delivered_older_than(cutoff), 1);
  EXPECT_TRUE(std::holds_alternative<Accepted>(store_->accept(inbound("old-dead"), {})));
}

TEST_P(MessageStoreConformance, PayloadPurgeKeepsDedupeKeysAndSparesUndeliveredMessages) {
  const std::int64_t old_time = wall_now_ms() - 10 * 24 * 3600 * 1000LL;
  const std::int64_t cutoff = wall_now_ms() - 24 * 3600 * 1000LL;
  accept_to("old-delivered", {"a", "b"}, old_time);
  ASSERT_TRUE(store_->mark_delivered(head("a").id));
  ASSERT_TRUE(store_->mark_delivered(head("b").id));
  accept_to("old-dead", {"c"}, old_time);
  ASSERT_TRUE(store_->mark_dead(head("c").id, "AR"));
  accept_to("old-pending", {"d"}, old_time);
  accept_to("new-delivered", {"a"});
  ASSERT_TRUE(store_->mark_delivered(head("a").id));

  EXPECT_EQ(store_->purge_payloads_older_than(cutoff), 1);
  EXPECT_EQ(store_->purge_payloads_older_than(cutoff), 0) << "already emptied";
  // The pending message keeps its payload; the dead one stays retryable with its payload.
  EXPECT_EQ(head("d").payload, "d:old-pending");
  const auto dead = store_->list_dead();
  ASSERT_EQ(dead.size(), 1u);
  ASSERT_TRUE(store_->retry_dead(dead.front().id));
  EXPECT_EQ(head("c").payload, "c:old-dead");
  // The emptied message is still known: a retransmission is a duplicate, not delivered again.
  EXPECT_TRUE(
      std::holds_alternative<Duplicate>(store_->accept(inbound("old-delivered"), {{"a", "x"}})));
  EXPECT_FALSE(store_->next_pending("a", far_future_).item);
  // Deleting the row later forgets the key.
  EXPECT_EQ(store_->purge_delivered_older_than(cutoff), 1);
  EXPECT_TRUE(std::holds_alternative<Accepted>(store_->accept(inbound("old-delivered"), {})));
}

TEST_P(MessageStoreConformance, SubscribersHearAboutNewWorkForTheirDestinationOnly) {
  std::atomic<int> a_calls{0};
  std::atomic<int> b_calls{0};
  Subscription a = store_->subscribe("a", [&] { a_calls++; });
  Subscription b = store_->subscribe("b", [&] { b_calls++; });
  accept_to("c1", {"a"});
  EXPECT_EQ(a_calls.load(), 1);  // signalled before accept() returned
  EXPECT_EQ(b_calls.load(), 0);
  ASSERT_TRUE(store_->mark_dead(head("a").id, "AR"));
  ASSERT_EQ(store_->retry_all_dead(), 1);
  EXPECT_EQ(a_calls.load(), 2);
  a.reset();
  accept_to("c2", {"a", "b"});
  EXPECT_EQ(a_calls.load(), 2);
  EXPECT_EQ(b_calls.load(), 1);
}

TEST_P(MessageStoreConformance, ConcurrentAcceptsAreAllStoredAndGroupedIntoCommits) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 20;
  const std::uint64_t commits_before = store_->counters().commits;
  std::atomic<int> stored{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const auto control_id = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (std::holds_alternative<Accepted>(
                store_->accept(inbound(control_id), {{"d", control_id}}))) {
          stored++;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(stored.load(), kThreads * kPerThread);
  EXPECT_EQ(store_->queue_status(wall_now_ms()).at(0).pending, kThreads * kPerThread);
  EXPECT_LE(store_->counters().commits - commits_before,
            static_cast<std::uint64_t>(kThreads * kPerThread));
  // Per thread, submission order is FIFO order.
  std::vector<int> next_expected(kThreads, 0);
  for (int n = 0; n < kThreads * kPerThread; ++n) {
    const OutboxItem item = head("d");
    const auto dash = item.payload.find('-');
    const int t = std::stoi(item.payload.substr(1, dash - 1));
    const int i = std::stoi(item.payload.substr(dash + 1));
    EXPECT_EQ(i, next_expected[t]++);
    ASSERT_TRUE(store_->mark_delivered(item.id));
  }
}

TEST_P(MessageStoreConformance, ConcurrentRepeatsOfOneMessageStoreItOnce) {
  constexpr int kThreads = 16;
  std::vector<AcceptResult> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      results[t] = store_->accept(inbound("same"), {{"d", "payload"}});
    });
  }
  for (auto& thread : threads) thread.join();
  int accepted = 0;
  std::set<MessageId> ids;
  for (const auto& result : results) {
    if (const auto* a = std::get_if<Accepted>(&result)) {
      accepted++;
      ids.insert(a->message_id);
    } else if (const auto* d = std::get_if<Duplicate>(&result)) {
      ids.insert(d->existing_message_id);
    } else {
      ADD_FAILURE() << std::get<Failed>(result).reason;
    }
  }
  EXPECT_EQ(accepted, 1);
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(store_->queue_status(wall_now_ms()).at(0).pending, 1);
}

// ---- Held explanations. ----

inline HeldEntry held_entry(const std::string& finding, std::vector<std::string> destinations,
                            const std::string& accession = "ACC-1") {
  HeldEntry entry;
  entry.destinations = std::move(destinations);
  entry.report_index = 1;
  entry.report_id = "";
  entry.accession = accession;
  entry.finding_id = finding;
  entry.content_id = finding + "-content";
  entry.content_version = "1.2";
  entry.language = "es";
  return entry;
}

TEST_P(MessageStoreConformance, HeldExplanationsAreStoredWithTheirMessage) {
  const auto result = store_->accept_with_held(
      inbound("h1"), {{"portal", "enriched"}},
      {held_entry("spine.metastasis", {"portal", "archive"}, std::string("A\xe9\0Z", 4))});
  const MessageId id = accepted_id(result);
  ASSERT_NE(id, 0);
  EXPECT_EQ(head("portal").payload, "enriched");
  EXPECT_EQ(store_->held_count(), 1);
  const auto held = store_->list_held();
  ASSERT_EQ(held.size(), 1u);
  const HeldItem& item = held.front();
  EXPECT_EQ(item.message_id, id);
  EXPECT_EQ(item.state, HeldState::kHeld);
  EXPECT_EQ(item.entry.destinations, (std::vector<std::string>{"portal", "archive"}));
  EXPECT_EQ(item.entry.report_index, 1);
  EXPECT_EQ(item.entry.accession, std::string("A\xe9\0Z", 4));
  EXPECT_EQ(item.entry.finding_id, "spine.metastasis");
  EXPECT_EQ(item.entry.content_id, "spine.metastasis-content");
  EXPECT_EQ(item.entry.content_version, "1.2");
  EXPECT_EQ(item.entry.language, "es");
  EXPECT_EQ(item.control_id, "h1");
  EXPECT_EQ(item.format, "hl7v2");
  EXPECT_GT(item.created_at_ms, 0);
  EXPECT_EQ(item.decided_at_ms, 0);
  ASSERT_TRUE(store_->find_held(item.id).has_value());
  EXPECT_EQ(store_->find_held(item.id)->entry.finding_id, "spine.metastasis");
  EXPECT_FALSE(store_->find_held(item.id + 1000).has_value());
  EXPECT_EQ(store_->message_payload(id).value_or(""), inbound("h1").payload);
  EXPECT_FALSE(store_->message_payload(id + 1000).has_value());
}

TEST_P(MessageStoreConformance, DuplicateOrInvalidAcceptRecordsNoHeldExplanation) {
  ASSERT_NE(accepted_id(store_->accept_with_held(inbound("h2"), {}, {held_entry("f", {"a"})})), 0);
  EXPECT_TRUE(std::holds_alternative<Duplicate>(
      store_->accept_with_held(inbound("h2"), {}, {held_entry("f", {"a"})})));
  EXPECT_TRUE(std::holds_alternative<Failed>(
      store_->accept_with_held(inbound("h3"), {{"a", "x"}}, {held_entry("f", {})})));
  EXPECT_EQ(store_->held_count(), 1);
  EXPECT_FALSE(store_->next_pending("a", far_future_).item);  // h3 stored nothing
}

TEST_P(MessageStoreConformance, ReleaseEnqueuesFollowUpsOnceAndRecordsWho) {
  const MessageId id = accepted_id(store_->accept_with_held(inbound("h4"), {{"portal", "report"}},
                                                            {held_entry("f", {"portal"})}));
  ASSERT_TRUE(store_->mark_delivered(head("portal").id));
  const HeldId held = store_->list_held().at(0).id;
  std::atomic<int> signals{0};
  auto subscription = store_->subscribe("portal", [&] { signals.fetch_add(1); });

  EXPECT_EQ(store_->release_held(held, "dr.who", {{"portal", "MDM follow-up"}}),
            HeldDecision::kDone);
  EXPECT_GE(signals.load(), 1);
  const OutboxItem follow_up = head("portal");
  EXPECT_EQ(follow_up.payload, "MDM follow-up");
  EXPECT_EQ(follow_up.message_id, id);
  EXPECT_EQ(store_->held_count(), 0);
  EXPECT_TRUE(store_->list_held().empty());
  const auto all = store_->list_held(true);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].state, HeldState::kReleased);
  EXPECT_EQ(all[0].decided_by, "dr.who");
  EXPECT_GT(all[0].decided_at_ms, 0);

  // Twice: refused, nothing more enqueued.
  EXPECT_EQ(store_->release_held(held, "dr.who", {{"portal", "again"}}),
            HeldDecision::kAlreadyDecided);
  EXPECT_EQ(store_->discard_held(held, "x", "late"), HeldDecision::kAlreadyDecided);
  ASSERT_TRUE(store_->mark_delivered(follow_up.id));
  EXPECT_FALSE(store_->next_pending("portal", far_future_).item);
  EXPECT_EQ(store_->release_held(held + 1000, "x", {}), HeldDecision::kNotFound);
}

TEST_P(MessageStoreConformance, DiscardSendsNothingAndRecordsWhoAndWhy) {
  accepted_id(store_->accept_with_held(inbound("h5"), {}, {held_entry("f", {"portal"})}));
  const HeldId held = store_->list_held().at(0).id;
  EXPECT_EQ(store_->discard_held(held, "dr.no", "discussed in clinic"), HeldDecision::kDone);
  EXPECT_FALSE(store_->next_pending("portal", far_future_).item);
  EXPECT_TRUE(store_->list_held().empty());
  const auto all = store_->list_held(true);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].state, HeldState::kDiscarded);
  EXPECT_EQ(all[0].decided_by, "dr.no");
  EXPECT_EQ(all[0].reason, "discussed in clinic");
  EXPECT_EQ(store_->release_held(held, "x", {{"portal", "p"}}), HeldDecision::kAlreadyDecided);
  EXPECT_FALSE(store_->next_pending("portal", far_future_).item);
}

TEST_P(MessageStoreConformance, RetentionKeepsMessagesWithHeldExplanations) {
  const std::int64_t old_time = wall_now_ms() - 10 * 24 * 3600 * 1000LL;
  const std::int64_t cutoff = wall_now_ms() - 24 * 3600 * 1000LL;
  const MessageId id =
      accepted_id(store_->accept_with_held(inbound("h6", old_time), {}, {held_entry("f", {"a"})}));
  // A release needs the original report (PID, OBR) to build its follow-up: payloads stay too.
  EXPECT_EQ(store_->purge_payloads_older_than(cutoff), 0);
  EXPECT_EQ(store_->message_payload(id).value_or(""), inbound("h6", old_time).payload);
  EXPECT_EQ(store_->purge_delivered_older_than(cutoff), 0);
  ASSERT_EQ(store_->held_count(), 1);
  ASSERT_EQ(store_->discard_held(store_->list_held().at(0).id, "x", ""), HeldDecision::kDone);
  EXPECT_EQ(store_->purge_delivered_older_than(cutoff), 1);
  EXPECT_TRUE(store_->list_held(true).empty());  // the audit rows go with their message
}

// ---- Bounded parallelism: claim_pending(). ----

TEST_P(MessageStoreConformance, SlotsClaimDistinctRowsOldestFirst) {
  for (const char* c : {"p1", "p2", "p3"}) accept_to(c, {"portal"});
  const auto now = wall_now_ms() + 1000;
  std::vector<std::string> claimed;
  for (int slot = 0; slot < 3; ++slot) {
    auto next = store_->claim_pending("portal", slot, now);
    ASSERT_TRUE(next.item) << "slot " << slot;
    claimed.push_back(next.item->control_id);
    EXPECT_EQ(next.item->payload, "portal:" + next.item->control_id);
  }
  EXPECT_EQ(claimed, (std::vector<std::string>{"p1", "p2", "p3"}));
  const auto none = store_->claim_pending("portal", 3, now);
  EXPECT_FALSE(none.item) << "every pending row is claimed by another slot";
  EXPECT_FALSE(none.head_due_at_ms);
}

TEST_P(MessageStoreConformance, MarkingEndsAClaimAndASlotsNextCallEndsItsPrevious) {
  for (const char* c : {"p1", "p2", "p3"}) accept_to(c, {"portal"});
  const auto now = wall_now_ms() + 1000;
  const auto first = store_->claim_pending("portal", 0, now).item;
  ASSERT_TRUE(first);
  EXPECT_EQ(first->control_id, "p1");
  // Asking again without marking: the slot's claim ended, p1 is the oldest unclaimed row.
  const auto again = store_->claim_pending("portal", 0, now).item;
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, first->id);
  const auto second = store_->claim_pending("portal", 1, now).item;
  ASSERT_TRUE(second);
  EXPECT_EQ(second->control_id, "p2");
  EXPECT_TRUE(store_->mark_delivered(first->id));
  const auto third = store_->claim_pending("portal", 2, now).item;
  ASSERT_TRUE(third);
  EXPECT_EQ(third->control_id, "p3");
  EXPECT_TRUE(store_->mark_delivered(second->id));
  EXPECT_TRUE(store_->mark_delivered(third->id));
  EXPECT_FALSE(store_->claim_pending("portal", 0, now).item);
}

TEST_P(MessageStoreConformance, ARetryingRowDoesNotBlockOtherSlots) {
  for (const char* c : {"p1", "p2"}) accept_to(c, {"portal"});
  const auto now = wall_now_ms() + 1000;
  const auto first = store_->claim_pending("portal", 0, now).item;
  ASSERT_TRUE(first);
  ASSERT_TRUE(store_->mark_retry(first->id, now + 60'000, "peer down"));
  const auto next = store_->claim_pending("portal", 0, now).item;
  ASSERT_TRUE(next) << "the retrying p1 must not hold back p2";
  EXPECT_EQ(next->control_id, "p2");
  ASSERT_TRUE(store_->mark_delivered(next->id));
  const auto waiting = store_->claim_pending("portal", 1, now);
  EXPECT_FALSE(waiting.item);
  ASSERT_TRUE(waiting.head_due_at_ms);
  EXPECT_EQ(*waiting.head_due_at_ms, now + 60'000);
  const auto due = store_->claim_pending("portal", 1, now + 60'000).item;
  ASSERT_TRUE(due);
  EXPECT_EQ(due->control_id, "p1");
  EXPECT_EQ(due->attempts, 1);
}

TEST_P(MessageStoreConformance, QueueDepthsAgreeWithQueueStatusForPendingAndDeadRows) {
  accept_to("d1", {"portal", "archive"});
  accept_to("d2", {"portal", "archive"});
  accept_to("d3", {"portal"});
  ASSERT_TRUE(store_->mark_delivered(head("archive").id));
  ASSERT_TRUE(store_->mark_delivered(head("archive").id));  // archive: only delivered rows
  ASSERT_TRUE(store_->mark_dead(head("portal").id, "refused"));
  const std::int64_t later = wall_now_ms() + 5000;
  const auto depths = store_->queue_depths(later);
  ASSERT_EQ(depths.size(), 1u) << "destinations with only delivered rows are left out";
  EXPECT_EQ(depths[0].destination, "portal");
  EXPECT_EQ(depths[0].pending, 2);
  EXPECT_EQ(depths[0].dead, 1);
  EXPECT_GE(depths[0].oldest_pending_age_ms, 5000);
  EXPECT_TRUE(depths[0].last_error.empty());
  for (const auto& status : store_->queue_status(later)) {
    if (status.destination != "portal") continue;
    EXPECT_EQ(status.pending, depths[0].pending);
    EXPECT_EQ(status.dead, depths[0].dead);
    EXPECT_NEAR(static_cast<double>(status.oldest_pending_age_ms), static_cast<double>(depths[0].oldest_pending_age_ms),
                1000.0);
  }
}

}  // namespace explainer::store::testing
