// A full disk under the store: explainerd keeps running and answers AR with ERR 207 ("not stored,
// resend") for what it cannot commit, never AA; what it refused is not delivered; when space is
// freed it acknowledges again, and everything it acknowledged is delivered.
//
// The store lives on a small tmpfs mounted for the test (needs root or CAP_SYS_ADMIN; the test is
// skipped, saying so, where mounting is not allowed). The in-process variant with a size-capped
// store is tests/integration/v2_pipeline_test.cpp (AStoreThatCannotCommitAnswersAr207...).
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "fault/fault_support.h"
#include "fault/small_filesystem.h"
#include "support/downstream_peer.h"

namespace explainer::fault {
namespace {

using test_support::DownstreamPeer;
using test_support::free_port;
using test_support::TempDir;
using test_support::wait_for_port;

constexpr std::size_t kFiller = 16 * 1024;  // report text per message: fills the WAL quickly

struct Sender {
  explicit Sender(std::uint16_t port)
      : client([&] {
          transport::MllpClientConfig c;
          c.port = port;
          return c;
        }()) {}
  // Sends message number `seq` of client 0 once; the parsed ACK (code "" if no answer).
  ParsedAck send(long seq) {
    const auto r = client.send(make_message(0, seq, kFiller), 10s);
    return r.ok() ? parse_ack(r.response) : ParsedAck{};
  }
  transport::MllpClient client;
};

TEST(DiskFullTest, AnswersAr207WhileTheStoreCannotCommitAndRecoversWhenSpaceIsFreed) {
  TempDir dir;
  SmallFilesystem disk(dir.str("data"), "8m");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (" << disk.error() << ")";

  DownstreamPeer peer;
  const std::uint16_t listen_port = free_port();
  const std::string config =
      write_config(dir.str(), dir.str("data"), listen_port, {{"portal", peer.port()}},
                   "retry.initial_ms = 50\nretry.max_ms = 500\n");
  Explainerd daemon(config);
  daemon.start();
  ASSERT_TRUE(wait_for_port(listen_port));
  Sender sender(listen_port);

  LoadResult acked;  // client 0's acknowledged messages, for check_delivery
  acked.acked.resize(1);
  std::vector<long> refused;
  long seq = 0;
  for (; seq < 20; ++seq) {
    ASSERT_EQ(sender.send(seq).code, "AA") << "before the disk is full, message " << seq;
    acked.acked[0].push_back(seq);
  }

  const std::size_t filled = disk.fill("filler");
  ASSERT_GT(filled, 0u);
  // The WAL may still have room it can reuse; keep sending until the store refuses.
  long first_refused = -1;
  for (long i = 0; i < 1000 && first_refused < 0; ++i, ++seq) {
    const ParsedAck ack = sender.send(seq);
    if (ack.code == "AA") {
      acked.acked[0].push_back(seq);
    } else {
      ASSERT_EQ(ack.code, "AR") << "message " << seq << ": no answer or an unexpected one";
      EXPECT_EQ(ack.err_code, "207");
      first_refused = seq;
      refused.push_back(seq);
    }
  }
  ASSERT_GE(first_refused, 0) << "the store never refused a message on a full disk";
  // Still full: further messages are refused too, and the daemon keeps running.
  for (int i = 0; i < 5; ++i, ++seq) {
    const ParsedAck ack = sender.send(seq);
    if (ack.code == "AA") {
      acked.acked[0].push_back(seq);
    } else {
      EXPECT_EQ(ack.code, "AR");
      EXPECT_EQ(ack.err_code, "207");
      refused.push_back(seq);
    }
  }
  EXPECT_FALSE(daemon.has_exited());

  // Space freed: acknowledged again (the first attempt may still meet the full WAL).
  std::filesystem::remove(dir.str("data") + "/filler");
  ParsedAck ack;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while ((ack = sender.send(++seq)).code != "AA" && std::chrono::steady_clock::now() < deadline) {
    refused.push_back(seq);
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(ack.code, "AA") << "still refusing after the space was freed";
  acked.acked[0].push_back(seq);
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(sender.send(++seq).code, "AA");
    acked.acked[0].push_back(seq);
  }
  std::cout << "[fault] disk full: filler_bytes=" << filled
            << " acknowledged=" << acked.acknowledged() << " refused=" << refused.size() << "\n";

  ASSERT_TRUE(wait_until_delivered(peer, acked, 30s, kFiller));
  std::this_thread::sleep_for(500ms);
  const auto received = peer.received();
  const DeliveryCheck check = check_delivery(received, acked, kFiller);
  EXPECT_EQ(check.lost, 0) << check.first_problem;
  EXPECT_EQ(check.order_violations, 0) << check.first_problem;
  EXPECT_EQ(check.altered, 0) << check.first_problem;
  // AR means "not stored": none of the refused messages may come out of the store.
  for (const auto& frame : received) {
    const long delivered_seq = parse_load_id(control_id_of(frame)).second;
    EXPECT_EQ(std::count(refused.begin(), refused.end(), delivered_seq), 0)
        << "message " << delivered_seq << " was refused with AR but delivered";
  }
  EXPECT_EQ(daemon.terminate(10s), 0);
}

}  // namespace
}  // namespace explainer::fault
