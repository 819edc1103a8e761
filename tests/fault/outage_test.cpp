// Downstream outage: while the destination does not listen, explainerd keeps acknowledging and
// queueing, backs off instead of spinning, and the operator sees the queue grow; when the peer
// comes back everything is delivered once, unchanged and in order.
//
// EXPLAINER_FAULT_OUTAGE_SECONDS (default 3) sets how long the quiet part of the outage lasts.
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <iostream>

#include "fault/fault_support.h"
#include "support/downstream_peer.h"

namespace explainer::fault {
namespace {

using test_support::DownstreamPeer;
using test_support::free_port;
using test_support::run;
using test_support::TempDir;
using test_support::wait_for_port;

// `explainer queue status --json` for the destination `name`: {pending, dead}; {-1, -1} if absent.
std::pair<long, long> queue_counts(const std::string& config, const std::string& name) {
  const auto r =
      run(test_support::binary("explainer"), {"queue", "status", "--json", "--config=" + config});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return {-1, -1};
  Poco::JSON::Parser parser;
  const auto root = parser.parse(r.out).extract<Poco::JSON::Object::Ptr>();
  const auto list = root->getArray("destinations");
  for (std::size_t i = 0; list && i < list->size(); ++i) {
    const auto d = list->getObject(static_cast<unsigned>(i));
    if (d->getValue<std::string>("destination") == name) {
      return {d->getValue<long>("pending"), d->getValue<long>("dead")};
    }
  }
  return {-1, -1};
}

long count_lines_with(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  long n = 0;
  for (std::string line; std::getline(in, line);) n += line.find(needle) != std::string::npos;
  return n;
}

TEST(OutageTest, QueuesWhileDownstreamIsDownWithoutBusyLoopingThenDeliversAllInOrder) {
  const int outage_seconds = env_int("EXPLAINER_FAULT_OUTAGE_SECONDS", 3);
  TempDir dir;
  const std::uint16_t listen_port = free_port();
  const std::uint16_t downstream_port = free_port();  // nobody listens here until the peer starts
  const std::string config =
      write_config(dir.str(), dir.str("data"), listen_port, {{"portal", downstream_port}},
                   "retry.initial_ms = 100\nretry.max_ms = 1000\n", "info");
  Explainerd daemon(config);
  daemon.start();
  ASSERT_TRUE(wait_for_port(listen_port));

  SteadyLoad load(listen_port, 2);
  ASSERT_TRUE(load.wait_for_more_acks(300, 30s));
  const LoadResult result = load.stop();
  EXPECT_EQ(result.no_answer, 0);  // the outage is downstream: intake is unaffected
  EXPECT_EQ(result.negative_acks, 0);
  EXPECT_EQ(result.wrong_acks, 0);

  // Quiet part of the outage: the daemon waits for its retry timer, it does not spin.
  const long attempts_before = count_lines_with(dir.str("explainerd.log"), "delivery_retry");
  const double cpu_before = daemon.cpu_seconds();
  const auto wall_before = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(outage_seconds));
  const double cpu = daemon.cpu_seconds() - cpu_before;
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count();
  const long attempts =
      count_lines_with(dir.str("explainerd.log"), "delivery_retry") - attempts_before;
  std::cout << "[fault] outage: acknowledged=" << result.acknowledged() << " outage_s=" << wall
            << " cpu_s=" << cpu << " delivery_attempts=" << attempts << "\n";
  EXPECT_LT(cpu / wall, 0.2) << "explainerd busy while downstream is down";
  // Back-off capped at retry.max_ms (1 s, jittered): a handful of attempts, not thousands.
  EXPECT_LE(attempts, 4 * outage_seconds + 4);
  EXPECT_GE(attempts, 1) << "no delivery attempt during the outage";

  // The operator's view of the same store, from a second process.
  const auto queued = queue_counts(config, "portal");
  EXPECT_EQ(queued.first, result.acknowledged());
  EXPECT_EQ(queued.second, 0);

  DownstreamPeer peer(downstream_port);
  ASSERT_TRUE(wait_until_delivered(peer, result, 30s));
  const DeliveryCheck check = check_delivery(peer.received(), result);
  EXPECT_EQ(check.lost, 0) << check.first_problem;
  EXPECT_EQ(check.order_violations, 0) << check.first_problem;
  EXPECT_EQ(check.altered, 0) << check.first_problem;
  EXPECT_EQ(check.duplicates, 0);  // nothing reached the peer before it listened
  EXPECT_EQ(check.unique, result.acknowledged());

  // The last delivery is marked shortly after the peer answered it.
  auto drained = queue_counts(config, "portal");
  for (int i = 0; i < 50 && drained.first != 0; ++i) {
    std::this_thread::sleep_for(100ms);
    drained = queue_counts(config, "portal");
  }
  EXPECT_EQ(drained.first, 0);
  EXPECT_EQ(daemon.terminate(10s), 0);
}

}  // namespace
}  // namespace explainer::fault
