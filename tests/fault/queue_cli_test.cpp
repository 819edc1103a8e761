// `explainer queue` against a running explainerd: recovering from a destination that refused
// messages (dead letters) without stopping the daemon.
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "fault/fault_support.h"
#include "fault/pg_support.h"
#include "support/downstream_peer.h"

namespace explainer::fault {
namespace {

using test_support::DownstreamPeer;
using test_support::free_port;
using test_support::run;
using test_support::RunResult;
using test_support::TempDir;
using test_support::wait_for_port;

RunResult queue(const std::string& config, std::vector<std::string> args) {
  args.insert(args.begin(), "queue");
  args.push_back("--config=" + config);
  return run(test_support::binary("explainer"), args);
}

Poco::JSON::Object::Ptr parse_json(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

long dead_count(const std::string& config) {
  const auto r = queue(config, {"status", "--json"});
  if (r.exit_code != 0) return -1;
  const auto list = parse_json(r.out)->getArray("destinations");
  return list->size() == 1 ? list->getObject(0)->getValue<long>("dead") : -1;
}

std::vector<std::string> control_ids(const std::vector<std::string>& frames) {
  std::vector<std::string> ids;
  for (const auto& f : frames) ids.push_back(control_id_of(f));
  return ids;
}

// The scenario for a store configured by `store_keys` (empty: the default SQLite store).
void dead_letters_are_listed_retried_and_purged(const std::string& store_keys) {
  TempDir dir;
  DownstreamPeer peer;
  peer.answer_with("AR");  // a permanent refusal: straight to dead-letter
  const std::uint16_t listen_port = free_port();
  const std::string config =
      write_config(dir.str(), dir.str("data"), listen_port, {{"portal", peer.port()}},
                   "retry.initial_ms = 50\nretry.max_ms = 200\n" + store_keys);
  Explainerd daemon(config);
  daemon.start();
  ASSERT_TRUE(wait_for_port(listen_port));
  {
    transport::MllpClientConfig c;
    c.port = listen_port;
    transport::MllpClient client(c);
    for (long seq = 0; seq < 3; ++seq) {
      const auto r = client.send(make_message(0, seq), 10s);
      ASSERT_TRUE(r.ok()) << r.message;
      ASSERT_EQ(parse_ack(r.response).code, "AA");
    }
  }
  for (int i = 0; i < 100 && dead_count(config) != 3; ++i) std::this_thread::sleep_for(100ms);
  ASSERT_EQ(dead_count(config), 3);

  const auto status = queue(config, {"status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("DESTINATION"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("portal"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("peer answered AR"), std::string::npos) << status.out;

  const auto listed = queue(config, {"list", "--dead", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto dead = parse_json(listed.out)->getArray("dead");
  ASSERT_EQ(dead->size(), 3u) << listed.out;
  std::vector<std::string> ids;
  for (unsigned i = 0; i < 3; ++i) {
    const auto row = dead->getObject(i);
    EXPECT_EQ(row->getValue<std::string>("control_id"), "F0-" + std::to_string(i));  // oldest first
    EXPECT_EQ(row->getValue<std::string>("destination"), "portal");
    EXPECT_EQ(row->getValue<int>("attempts"), 1);
    EXPECT_NE(row->getValue<std::string>("reason").find("AR"), std::string::npos);
    ids.push_back(std::to_string(row->getValue<long>("id")));
  }
  const auto table = queue(config, {"list", "--dead"});
  EXPECT_NE(table.out.find("CONTROL ID"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("F0-1"), std::string::npos) << table.out;

  peer.answer_with("AA");
  const auto retried = queue(config, {"retry", ids[0]});
  EXPECT_EQ(retried.exit_code, 0) << retried.err;
  ASSERT_TRUE(peer.wait_for(1, 10s));  // the daemon sees the change at its next idle poll

  const auto purged = queue(config, {"purge", ids[1]});
  EXPECT_EQ(purged.exit_code, 0) << purged.err;
  EXPECT_EQ(queue(config, {"purge", ids[1]}).exit_code, 1);  // gone: not a dead row any more
  EXPECT_EQ(queue(config, {"retry", ids[1]}).exit_code, 1);
  EXPECT_EQ(queue(config, {"retry", ids[0]}).exit_code, 1);  // delivered, not dead

  const auto all = queue(config, {"retry", "--all-dead"});
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_NE(all.out.find("Retrying 1 dead row"), std::string::npos) << all.out;
  ASSERT_TRUE(peer.wait_for(2, 10s));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(control_ids(peer.received()), (std::vector<std::string>{"F0-0", "F0-2"}));
  EXPECT_EQ(dead_count(config), 0);
  EXPECT_EQ(daemon.terminate(10s), 0);
}

TEST(QueueCli, DeadLettersAreListedRetriedAndPurgedWhileExplainerdRuns) {
  dead_letters_are_listed_retried_and_purged("");
}

TEST(QueueCli, TheSameOnPostgresWhileExplainerdRuns) {
  EXPLAINER_SKIP_WITHOUT_PG();
  const PgTestSchema schema;
  dead_letters_are_listed_retried_and_purged(schema.store_keys());
}

TEST(QueueCli, AWrongStorePathIsAnErrorAndCreatesNothing) {
  TempDir dir;
  const std::string config =
      write_config(dir.str(), dir.str("no-such-data"), free_port(), {{"portal", free_port()}});
  const auto r = queue(config, {"status"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot open the store"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.str("no-such-data") + "/explainer.db"));
}

TEST(QueueCli, UsageErrorsExitWith2BeforeTouchingTheStore) {
  TempDir dir;
  const std::string config =
      write_config(dir.str(), dir.str("data"), free_port(), {{"portal", free_port()}});
  const std::string binary = test_support::binary("explainer");
  EXPECT_EQ(run(binary, {"queue"}).exit_code, 2);
  EXPECT_EQ(run(binary, {"queue", "status"}).exit_code, 2);  // no --config
  EXPECT_EQ(queue(config, {"list"}).exit_code, 2);           // only --dead is listable
  EXPECT_EQ(queue(config, {"retry"}).exit_code, 2);
  EXPECT_EQ(queue(config, {"retry", "12", "--all-dead"}).exit_code, 2);
  EXPECT_EQ(queue(config, {"purge", "abc"}).exit_code, 2);
  EXPECT_EQ(queue(config, {"purge", "0"}).exit_code, 2);
  EXPECT_EQ(queue(config, {"frobnicate"}).exit_code, 2);
  EXPECT_EQ(queue(config, {"status", "--verbose"}).exit_code, 2);
  const auto help = run(binary, {"queue", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("retry --all-dead"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace explainer::fault
