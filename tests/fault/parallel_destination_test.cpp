// destination.<name>.parallelism = N through the real explainerd, on SQLite and on PostgreSQL:
// every acknowledged message is delivered exactly once (no order is promised). That several are
// in flight at once is asserted in engine/delivery/parallel_delivery_test.cpp.
#include <gtest/gtest.h>

#include <set>

#include "fault/fault_support.h"
#include "fault/pg_support.h"
#include "support/downstream_peer.h"

namespace explainer::fault {
namespace {

using test_support::DownstreamPeer;
using test_support::free_port;
using test_support::TempDir;
using test_support::wait_for_port;

void every_message_once_with_parallelism(const std::string& store_keys) {
  TempDir dir;
  DownstreamPeer portal;
  const std::uint16_t port = free_port();
  const std::string config =
      write_config(dir.str(), dir.str("data"), port, {{"portal", portal.port()}},
                   "destination.portal.parallelism = 3\n" + store_keys);
  Explainerd daemon(config);
  daemon.start();
  ASSERT_TRUE(wait_for_port(port));
  SteadyLoad load(port, 4);
  ASSERT_TRUE(load.wait_for_more_acks(200, 30s));
  const LoadResult result = load.stop();
  ASSERT_TRUE(portal.wait_for(static_cast<std::size_t>(result.acknowledged()), 30s));
  std::this_thread::sleep_for(300ms);
  const DeliveryCheck check = check_delivery(portal.received(), result);
  EXPECT_EQ(check.lost, 0) << check.first_problem;
  EXPECT_EQ(check.duplicates, 0);
  EXPECT_EQ(check.altered, 0);
  EXPECT_EQ(check.unknown, 0);
  EXPECT_LE(check.unique - result.acknowledged(), 4);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(daemon.terminate(10s), 0);
}

TEST(ParallelDestination, EveryMessageOnceOnSqlite) {
  every_message_once_with_parallelism("");
}

TEST(ParallelDestination, EveryMessageOnceOnPostgres) {
  EXPLAINER_SKIP_WITHOUT_PG();
  const PgTestSchema schema;
  every_message_once_with_parallelism(schema.store_keys());
}

}  // namespace
}  // namespace explainer::fault
