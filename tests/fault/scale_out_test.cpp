// Two explainerd instances on one PostgreSQL database (one schema) under steady MLLP load sent
// to both; the instance holding the destination's lease is killed with kill -9 mid-run, the
// other takes the destination over when the lease expires, then the killed one is restarted.
// Everything acknowledged with AA is delivered, unchanged; per-sender order holds at the
// destination (one FIFO per destination across instances); duplicates only from deliveries in
// flight at a kill (counted, at most one per kill per destination).
//
// Needs EXPLAINER_TEST_PG (scripts/test.sh starts a throw-away server); skipped otherwise.
// Longer: EXPLAINER_FAULT_SCALEOUT_KILLS=10 EXPLAINER_FAULT_CLIENTS=4. The summary lines
// starting "[fault] scale-out" are what docs/RELIABILITY.md quotes.
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <random>

#include "fault/fault_support.h"
#include "fault/pg_support.h"
#include "store/postgres/pg_session.h"
#include "support/downstream_peer.h"

namespace explainer::fault {
namespace {

using namespace Poco::Data::Keywords;
using test_support::DownstreamPeer;
using test_support::free_port;
using test_support::TempDir;
using test_support::wait_for_port;

constexpr int kLeaseSeconds = 4;  // > connect (1 s) + ACK (2 s) timeouts below

// An instance's configuration: its own listener and log, the shared schema, short timeouts so a
// short lease is valid, two MLLP destinations delivering the bytes received.
std::string write_instance_config(const std::string& dir, const std::string& instance,
                                  std::uint16_t listen_port, const std::string& schema,
                                  const std::vector<Destination>& destinations) {
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/explainerd.properties";
  std::ofstream out(path);
  out << "log.level = "
      << (std::getenv("EXPLAINER_FAULT_LOG_LEVEL") ? std::getenv("EXPLAINER_FAULT_LOG_LEVEL")
                                                   : "warning")
      << "\n"
      << "log.file = " << dir << "/explainerd.log\n"
      << "paths.data = " << dir << "/data\n"
      << "paths.mappings = " << EXPLAINER_SOURCE_DIR << "/mappings\n"
      << "paths.content = " << EXPLAINER_SOURCE_DIR << "/content\n"
      << "store.backend = postgres\n"
      << "store.postgres.connection = " << pg_connection() << "\n"
      << "store.postgres.schema = " << schema << "\n"
      << "store.postgres.instance_id = " << instance << "\n"
      << "store.postgres.lease_seconds = " << kLeaseSeconds << "\n"
      << "retry.initial_ms = 50\nretry.max_ms = 500\n"
      << "listeners = ris\n"
      << "listener.ris.port = " << listen_port << "\n"
      << "listener.ris.max_connections = 32\n";
  std::string names;
  for (const auto& d : destinations) names += (names.empty() ? "" : ",") + d.name;
  out << "destinations = " << names << "\n";
  for (const auto& d : destinations) {
    const std::string p = "destination." + d.name + ".";
    out << p << "type = mllp\n"
        << p << "host = 127.0.0.1\n"
        << p << "port = " << d.port << "\n"
        << p << "connect_timeout_s = 1\n"
        << p << "ack_timeout_s = 2\n"
        << p << "enrich = false\n";
  }
  return path;
}

// The instance id ("a" or "b") holding `destination`'s lease right now, or "".
std::string lease_holder(const std::string& schema, const std::string& destination) {
  auto session = store::postgres::open_session(pg_connection());
  std::vector<std::string> owners;
  std::string name = destination;
  *session << "SELECT COALESCE(owner, '') FROM " + schema +
                  ".destination_leases WHERE destination = $1",
      use(name), into(owners), now;
  if (owners.empty() || owners.front().empty()) return {};
  return owners.front().substr(0, owners.front().find('#'));
}

// One LoadResult from the loads of both instances (their client numbers do not overlap).
LoadResult merge(const LoadResult& a, const LoadResult& b) {
  LoadResult all = a;
  all.acked.resize(std::max(a.acked.size(), b.acked.size()));
  for (std::size_t c = 0; c < b.acked.size(); ++c) {
    all.acked[c].insert(all.acked[c].end(), b.acked[c].begin(), b.acked[c].end());
  }
  all.transmissions += b.transmissions;
  all.no_answer += b.no_answer;
  all.negative_acks += b.negative_acks;
  all.wrong_acks += b.wrong_acks;
  return all;
}

TEST(ScaleOutTest, TwoInstancesOnOnePostgresShareTheQueueAndSurviveKillNine) {
  EXPLAINER_SKIP_WITHOUT_PG();
  const int kills = env_int("EXPLAINER_FAULT_SCALEOUT_KILLS", 1);
  const int clients = env_int("EXPLAINER_FAULT_CLIENTS", 3);
  const PgTestSchema test_schema;
  const std::string& schema = test_schema.name();

  TempDir dir;
  DownstreamPeer portal;
  DownstreamPeer ehr;
  const std::vector<Destination> destinations{{"portal", portal.port()}, {"ehr", ehr.port()}};
  const std::uint16_t port_a = free_port();
  const std::uint16_t port_b = free_port();
  Explainerd a(write_instance_config(dir.str("a"), "a", port_a, schema, destinations));
  Explainerd b(write_instance_config(dir.str("b"), "b", port_b, schema, destinations));
  a.start();  // creates the schema; b then finds it current
  ASSERT_TRUE(wait_for_port(port_a));
  b.start();
  ASSERT_TRUE(wait_for_port(port_b));

  const auto started = std::chrono::steady_clock::now();
  SteadyLoad load_a(port_a, clients, 0, 0);
  SteadyLoad load_b(port_b, clients, 0, clients);
  int killed_holders = 0;
  for (int i = 0; i < kills; ++i) {
    ASSERT_TRUE(load_a.wait_for_more_acks(20, 20s)) << "no ACKs from a before kill " << i;
    ASSERT_TRUE(load_b.wait_for_more_acks(20, 20s)) << "no ACKs from b before kill " << i;
    // Kill the instance delivering to portal at this moment, if one holds its lease.
    std::string holder;
    for (int tries = 0; tries < 200 && holder.empty(); ++tries) {
      holder = lease_holder(schema, "portal");
      if (holder.empty()) std::this_thread::sleep_for(5ms);
    }
    Explainerd& victim = holder == "b" ? b : a;
    const std::uint16_t victim_port = holder == "b" ? port_b : port_a;
    SteadyLoad& survivor_load = holder == "b" ? load_a : load_b;
    if (!holder.empty()) ++killed_holders;
    ASSERT_FALSE(victim.has_exited()) << "explainerd exited by itself before kill " << i;
    victim.kill9();
    // The survivor keeps acknowledging meanwhile, and takes the destinations over once the
    // dead instance's leases expire.
    ASSERT_TRUE(survivor_load.wait_for_more_acks(20, 20s)) << "survivor stalled after kill " << i;
    std::this_thread::sleep_for(std::chrono::seconds(kLeaseSeconds));
    victim.start();
    ASSERT_TRUE(wait_for_port(victim_port)) << "explainerd did not come back after kill " << i;
  }
  ASSERT_TRUE(load_a.wait_for_more_acks(clients, 20s));
  ASSERT_TRUE(load_b.wait_for_more_acks(clients, 20s));
  const LoadResult result = merge(load_a.stop(), load_b.stop());
  const double load_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  EXPECT_EQ(result.wrong_acks, 0);
  EXPECT_EQ(result.negative_acks, 0);
  // Each kill stalls the killed holder's destinations for up to a lease, so a backlog builds up
  // under repeated kills; it drains at the pace of one FIFO delivery at a time (about 100 msg/s
  // on the busy 2-core test machine).
  const auto drain = 60s + std::chrono::milliseconds(10 * result.acknowledged());
  EXPECT_TRUE(wait_until_delivered(portal, result, drain));
  EXPECT_TRUE(wait_until_delivered(ehr, result, drain));
  EXPECT_EQ(a.terminate(10s), 0);
  EXPECT_EQ(b.terminate(10s), 0);

  std::cout << "[fault] scale-out: instances=2 kills=" << kills << " (lease holders "
            << killed_holders << ") clients=" << 2 * clients
            << " seconds=" << static_cast<int>(load_seconds)
            << " acknowledged=" << result.acknowledged()
            << " transmissions=" << result.transmissions << " unanswered=" << result.no_answer
            << "\n";
  for (auto* peer : {&portal, &ehr}) {
    const DeliveryCheck check = check_delivery(peer->received(), result);
    const std::string name = peer == &portal ? "portal" : "ehr";
    std::cout << "[fault] scale-out " << name << ": delivered=" << check.unique
              << " frames=" << check.frames << " lost=" << check.lost
              << " duplicates=" << check.duplicates
              << " order_violations=" << check.order_violations << " altered=" << check.altered
              << "\n";
    EXPECT_EQ(check.lost, 0) << name << " " << check.first_problem;
    EXPECT_EQ(check.order_violations, 0) << name << " " << check.first_problem;
    EXPECT_EQ(check.altered, 0) << name << " " << check.first_problem;
    EXPECT_EQ(check.unknown, 0) << name;
    // One message of a destination is in flight at a time across both instances (the lease),
    // so a kill can cause at most one re-sent message per destination.
    EXPECT_LE(check.duplicates, kills) << name;
    EXPECT_LE(check.unique - result.acknowledged(), static_cast<long>(2 * clients)) << name;
  }
}

}  // namespace
}  // namespace explainer::fault
