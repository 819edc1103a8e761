// explainerd with store.backend = postgres, the real binaries: --check-config connects and checks
// the schema, a newer schema is refused and an older one needs --upgrade, the password never
// appears in what explainerd prints, and a report goes MLLP in -> PostgreSQL -> downstream.
#include <gtest/gtest.h>

#include <fstream>

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

RunResult explainerd(const std::string& config, const std::string& flag) {
  return run(test_support::binary("explainerd"), {"--config=" + config, flag});
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(PostgresDaemon, CheckConfigCreatesTheSchemaAndVersionsAreEnforced) {
  EXPLAINER_SKIP_WITHOUT_PG();
  const PgTestSchema schema;
  TempDir dir;
  const std::string config = write_config(dir.str(), dir.str("data"), free_port(),
                                          {{"portal", free_port()}}, schema.store_keys());
  RunResult r = explainerd(config, "--check-config");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("store are valid"), std::string::npos) << r.out;

  store::postgres::execute_script(pg_connection(),
                                  "UPDATE " + schema.name() + ".schema_version SET version = 99");
  r = explainerd(config, "--check-config");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("newer"), std::string::npos) << r.err;

  // Version 0 with the tables present counts as "older": refused without --upgrade.
  store::postgres::execute_script(pg_connection(),
                                  "UPDATE " + schema.name() + ".schema_version SET version = 0");
  r = explainerd(config, "--check-config");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("upgrade"), std::string::npos) << r.err;
}

TEST(PostgresDaemon, ThePasswordIsNeverPrinted) {
  EXPLAINER_SKIP_WITHOUT_PG();
  const PgTestSchema schema;
  TempDir dir;
  // The right user with a wrong password (the throw-away server trusts local TCP, so use a user
  // that does not exist to make the connection fail for certain).
  std::ofstream(dir.str("pg-password")) << "Sup3rS3cretPw\n";
  std::string connection = pg_connection();
  connection = connection.substr(0, connection.find(" user=")) +
               " user=no_such_user_x dbname=explainer_test";
  const std::string config = write_config(
      dir.str(), dir.str("data"), free_port(), {{"portal", free_port()}},
      "store.backend = postgres\nstore.postgres.connection = " + connection +
          "\nstore.postgres.password_file = pg-password\nstore.postgres.schema = " + schema.name() +
          "\n",
      "debug");
  const RunResult r = explainerd(config, "--check-config");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("cannot open the store"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("Sup3rS3cretPw"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("Sup3rS3cretPw"), std::string::npos) << r.out;
  EXPECT_EQ(read_file(dir.str("explainerd.log")).find("Sup3rS3cretPw"), std::string::npos);
}

TEST(PostgresDaemon, AReportGoesFromMllpThroughPostgresToTheDestination) {
  EXPLAINER_SKIP_WITHOUT_PG();
  const PgTestSchema schema;
  TempDir dir;
  DownstreamPeer portal;
  const std::uint16_t port = free_port();
  const std::string config = write_config(dir.str(), dir.str("data"), port,
                                          {{"portal", portal.port()}}, schema.store_keys(), "info");
  Explainerd daemon(config);
  daemon.start();
  ASSERT_TRUE(wait_for_port(port));
  transport::MllpClientConfig c;
  c.port = port;
  transport::MllpClient client(c);
  for (long seq = 0; seq < 5; ++seq) {
    const auto sent = client.send(make_message(0, seq), 10s);
    ASSERT_TRUE(sent.ok()) << sent.message;
    EXPECT_EQ(parse_ack(sent.response).code, "AA");
  }
  ASSERT_TRUE(portal.wait_for(5, 20s));
  const auto received = portal.received();
  for (long seq = 0; seq < 5; ++seq)
    EXPECT_EQ(received[static_cast<std::size_t>(seq)], make_message(0, seq));
  EXPECT_EQ(daemon.terminate(10s), 0);
  const std::string log = read_file(dir.str("explainerd.log"));
  EXPECT_NE(log.find("store=postgres schema=" + schema.name()), std::string::npos) << log;
  EXPECT_EQ(log.find("password="), std::string::npos) << "the connection string is never logged";
}

}  // namespace
}  // namespace explainer::fault
