// SIGTERM during load: explainerd stops accepting, finishes the commits and ACKs in flight and
// exits 0 within the grace period; every message a sender saw acknowledged was stored and is
// delivered after the restart.
#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>
#include <gtest/gtest.h>

#include <iostream>

#include "fault/fault_support.h"
#include "support/downstream_peer.h"

namespace explainer::fault {
namespace {

using test_support::DownstreamPeer;
using test_support::free_port;
using test_support::TempDir;
using test_support::wait_for_port;

TEST(ShutdownTest, SigtermDuringLoadExitsCleanlyAndEverythingAcknowledgedIsDeliveredAfterRestart) {
  constexpr int kClients = 4;
  TempDir dir;
  const std::uint16_t listen_port = free_port();
  const std::uint16_t downstream_port = free_port();  // down during the first run: all stays queued
  const std::string config =
      write_config(dir.str(), dir.str("data"), listen_port, {{"portal", downstream_port}},
                   "retry.initial_ms = 100\nretry.max_ms = 1000\n");
  Explainerd daemon(config);
  daemon.start();
  ASSERT_TRUE(wait_for_port(listen_port));

  SteadyLoad load(listen_port, kClients);
  ASSERT_TRUE(load.wait_for_more_acks(200, 30s));
  const auto term_sent = std::chrono::steady_clock::now();
  const int exit_code = daemon.terminate(10s);
  const double stop_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - term_sent).count();
  EXPECT_EQ(exit_code, 0)
      << "explainerd did not exit cleanly within 10 s of SIGTERM (-1: still running)";

  // Stopped: no listener any more.
  Poco::Net::StreamSocket probe;
  EXPECT_THROW(
      probe.connect(Poco::Net::SocketAddress("127.0.0.1", listen_port), Poco::Timespan(0, 500'000)),
      Poco::Exception);
  const LoadResult result = load.stop();
  EXPECT_EQ(result.wrong_acks, 0);
  EXPECT_EQ(result.negative_acks, 0);
  std::cout << "[fault] shutdown: stop_s=" << stop_seconds
            << " acknowledged=" << result.acknowledged()
            << " transmissions=" << result.transmissions << "\n";

  DownstreamPeer peer(downstream_port);
  daemon.start();
  ASSERT_TRUE(wait_until_delivered(peer, result, 30s));
  std::this_thread::sleep_for(300ms);  // anything stored but not acknowledged arrives too
  const DeliveryCheck check = check_delivery(peer.received(), result);
  std::cout << "[fault] shutdown after restart: delivered=" << check.unique
            << " stored_but_unacknowledged=" << check.unique - result.acknowledged() << "\n";
  EXPECT_EQ(check.lost, 0) << check.first_problem;
  EXPECT_EQ(check.order_violations, 0) << check.first_problem;
  EXPECT_EQ(check.altered, 0) << check.first_problem;
  EXPECT_EQ(check.duplicates, 0);  // the peer was down in the first run: nothing was sent twice
  // Every message that was committed got its ACK out: the listener stops reading first and lets
  // in-flight commits answer before it closes the sockets.
  EXPECT_EQ(check.unique - result.acknowledged(), 0);
  EXPECT_EQ(daemon.terminate(10s), 0);
}

}  // namespace
}  // namespace explainer::fault
