// kill -9 of explainerd under steady MLLP load, many times: everything acknowledged with AA is
// delivered to every destination, unchanged and in send order per sender; duplicates come only
// from deliveries in flight at a kill.
//
// Short by default (20 kills). Longer: EXPLAINER_FAULT_KILLS=200 [EXPLAINER_FAULT_CLIENTS=8]
// [EXPLAINER_FAULT_SEED=N]. The summary line starting "[fault] crash" is what docs/RELIABILITY.md
// quotes.
#include <gtest/gtest.h>

#include <iostream>
#include <random>

#include "fault/fault_support.h"
#include "support/downstream_peer.h"

namespace explainer::fault {
namespace {

using test_support::DownstreamPeer;
using test_support::free_port;
using test_support::TempDir;
using test_support::wait_for_port;

TEST(CrashTest, KillNineUnderLoadLosesNothingAcknowledgedAndKeepsPerSenderOrder) {
  const int kills = env_int("EXPLAINER_FAULT_KILLS", 20);
  const int clients = env_int("EXPLAINER_FAULT_CLIENTS", 4);
  const unsigned seed = static_cast<unsigned>(
      env_int("EXPLAINER_FAULT_SEED", static_cast<int>(std::random_device{}() >> 1)));
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> load_ms(100, 400);

  TempDir dir;
  DownstreamPeer portal;
  DownstreamPeer ehr;
  const std::uint16_t listen_port = free_port();
  const std::string config = write_config(dir.str(), dir.str("data"), listen_port,
                                          {{"portal", portal.port()}, {"ehr", ehr.port()}},
                                          "retry.initial_ms = 50\nretry.max_ms = 500\n");
  Explainerd daemon(config);
  daemon.start();
  ASSERT_TRUE(wait_for_port(listen_port));
  SteadyLoad load(listen_port, clients);

  const auto started = std::chrono::steady_clock::now();
  int survived = 0;
  for (int i = 0; i < kills; ++i) {
    if (!daemon.running()) {
      daemon.start();
      ASSERT_TRUE(wait_for_port(listen_port)) << "explainerd did not come back after kill " << i;
    }
    // Kill only under load: at least one message acknowledged by this incarnation first.
    ASSERT_TRUE(load.wait_for_more_acks(1, 20s)) << "no ACK after restart " << i;
    std::this_thread::sleep_for(std::chrono::milliseconds(load_ms(random)));
    ASSERT_FALSE(daemon.has_exited()) << "explainerd exited by itself before kill " << i;
    daemon.kill9();
    ++survived;
  }
  daemon.start();
  ASSERT_TRUE(wait_for_port(listen_port));
  ASSERT_TRUE(load.wait_for_more_acks(static_cast<long>(clients), 20s));
  const LoadResult result = load.stop();
  const double load_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  EXPECT_EQ(result.wrong_acks, 0);
  EXPECT_EQ(result.negative_acks, 0);
  // The backlog left by the last incarnations drains at the destinations' pace.
  const auto drain = 60s + std::chrono::milliseconds(result.acknowledged());
  EXPECT_TRUE(wait_until_delivered(portal, result, drain));
  EXPECT_TRUE(wait_until_delivered(ehr, result, drain));
  EXPECT_EQ(daemon.terminate(10s), 0);

  std::cout << "[fault] crash: kills=" << survived << " clients=" << clients << " seed=" << seed
            << " seconds=" << static_cast<int>(load_seconds)
            << " acknowledged=" << result.acknowledged()
            << " transmissions=" << result.transmissions << " unanswered=" << result.no_answer
            << "\n";
  for (auto* peer : {&portal, &ehr}) {
    const DeliveryCheck check = check_delivery(peer->received(), result);
    const std::string name = peer == &portal ? "portal" : "ehr";
    std::cout << "[fault] crash " << name << ": delivered=" << check.unique
              << " frames=" << check.frames << " lost=" << check.lost
              << " duplicates=" << check.duplicates
              << " order_violations=" << check.order_violations << " altered=" << check.altered
              << "\n";
    EXPECT_EQ(check.lost, 0) << name << " " << check.first_problem;
    EXPECT_EQ(check.order_violations, 0) << name << " " << check.first_problem;
    EXPECT_EQ(check.altered, 0) << name << " " << check.first_problem;
    EXPECT_EQ(check.unknown, 0) << name;
    // One worker per destination delivers one message at a time, and a crash can undo at most
    // that one delivery's bookkeeping: at most one re-sent message per kill.
    EXPECT_LE(check.duplicates, survived) << name;
    // Senders resend until AA (a stored repeat is answered AA as a duplicate), so a message stored
    // but never acknowledged can only be one a client had not yet resent when the load stopped.
    EXPECT_LE(check.unique - result.acknowledged(), static_cast<long>(clients)) << name;
  }
}

}  // namespace
}  // namespace explainer::fault
