// store.backend = postgres and its store.postgres.* keys; errors name the key and never show
// the password.
#include <Poco/AutoPtr.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "app/config.h"
#include "app/store_factory.h"
#include "support/files.h"

namespace explainer::app {
namespace {

Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> properties(const std::string& text) {
  std::istringstream in(text);
  return new Poco::Util::PropertyFileConfiguration(in);
}

const char* kBase =
    "listeners = ris\n"
    "listener.ris.port = 2575\n"
    "destinations = portal\n"
    "destination.portal.type = mllp\n"
    "destination.portal.host = 127.0.0.1\n"
    "destination.portal.port = 2576\n";

std::string config_error(const std::string& text, const std::string& dir = ".") {
  const auto c = properties(std::string(kBase) + text);
  if (!unknown_keys(*c).empty()) return "unknown key " + unknown_keys(*c).front();
  try {
    load_engine_config(*c, dir);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return {};
}

TEST(StoreConfig, PostgresBackendReadsItsKeys) {
  const auto c =
      properties(std::string(kBase) +
                 "store.backend = postgres\n"
                 "store.postgres.connection = host=db port=5432 user=explainer dbname=explainer\n"
                 "store.postgres.schema = explainer_q\n"
                 "store.postgres.pool_size = 4\n"
                 "store.postgres.lease_seconds = 90\n"
                 "store.postgres.instance_id = node-a\n");
  ASSERT_TRUE(unknown_keys(*c).empty());
  const EngineConfig cfg = load_engine_config(*c, ".");
  EXPECT_EQ(cfg.store.backend, "postgres");
  EXPECT_EQ(cfg.store.postgres.connection, "host=db port=5432 user=explainer dbname=explainer");
  EXPECT_EQ(cfg.store.postgres.schema, "explainer_q");
  EXPECT_EQ(cfg.store.postgres.pool_size, 4);
  EXPECT_EQ(cfg.store.postgres.lease_seconds, 90);
  EXPECT_EQ(cfg.store.postgres.instance_id, "node-a");
  const std::string described = describe_store(cfg.store);
  EXPECT_NE(described.find("postgres schema=explainer_q"), std::string::npos) << described;
  EXPECT_EQ(described.find("host=db"), std::string::npos) << "the connection is not described";
}

TEST(StoreConfig, PostgresDefaults) {
  const auto c = properties(std::string(kBase) +
                            "store.backend = postgres\nstore.postgres.connection = host=db\n");
  const EngineConfig cfg = load_engine_config(*c, ".");
  EXPECT_EQ(cfg.store.postgres.schema, "");
  EXPECT_EQ(cfg.store.postgres.pool_size, 8);
  EXPECT_EQ(cfg.store.postgres.lease_seconds, 60);
  EXPECT_EQ(cfg.store.postgres.instance_id, "");
}

TEST(StoreConfig, PostgresErrorsNameTheKey) {
  EXPECT_NE(config_error("store.backend = postgres\n").find("'store.postgres.connection'"),
            std::string::npos);
  EXPECT_NE(config_error("store.backend = mysql\n").find("'store.backend'"), std::string::npos);
  const std::string pg = "store.backend = postgres\nstore.postgres.connection = host=db\n";
  EXPECT_NE(config_error(pg + "store.postgres.pool_size = 0\n").find("'store.postgres.pool_size'"),
            std::string::npos);
  EXPECT_NE(config_error(pg + "store.postgres.schema = a-b\n").find("'store.postgres.schema'"),
            std::string::npos);
  EXPECT_NE(config_error(pg + "store.postgres.lease_seconds = x\n")
                .find("'store.postgres.lease_seconds'"),
            std::string::npos);
  // The default destination timeouts are 10 + 30 s: a 30 s lease could expire mid-attempt.
  const std::string short_lease = config_error(pg + "store.postgres.lease_seconds = 30\n");
  EXPECT_NE(short_lease.find("'store.postgres.lease_seconds'"), std::string::npos) << short_lease;
  EXPECT_NE(short_lease.find("'portal'"), std::string::npos) << short_lease;
  EXPECT_NE(
      config_error(pg + "store.postgres.instance_id = a b\n").find("'store.postgres.instance_id'"),
      std::string::npos);
  EXPECT_NE(config_error("store.postgres.conection = x\n").find("store.postgres.conection"),
            std::string::npos);
}

TEST(StoreConfig, SecretsComeFromFilesAndAreNeverInErrors) {
  test_support::TempDir dir;
  std::ofstream(dir.str("connection")) << "host=db user=explainer password=s3cret-conn dbname=x\n";
  std::ofstream(dir.str("password")) << "s3cret-pw\n";
  std::ofstream(dir.str("bad-password")) << "has space\n";

  auto c = properties(std::string(kBase) +
                      "store.backend = postgres\nstore.postgres.connection_file = connection\n");
  EXPECT_EQ(load_engine_config(*c, dir.str()).store.postgres.connection,
            "host=db user=explainer password=s3cret-conn dbname=x");

  c = properties(std::string(kBase) +
                 "store.backend = postgres\nstore.postgres.connection = host=db user=explainer\n"
                 "store.postgres.password_file = password\n");
  EXPECT_EQ(load_engine_config(*c, dir.str()).store.postgres.connection,
            "host=db user=explainer password=s3cret-pw");

  const std::string both = config_error(
      "store.backend = postgres\nstore.postgres.connection = "
      "host=db\nstore.postgres.connection_file = connection\n",
      dir.str());
  EXPECT_NE(both.find("'store.postgres.connection_file'"), std::string::npos) << both;

  const std::string twice = config_error(
      "store.backend = postgres\nstore.postgres.connection_file = "
      "connection\nstore.postgres.password_file = password\n",
      dir.str());
  EXPECT_NE(twice.find("'store.postgres.password_file'"), std::string::npos) << twice;
  EXPECT_EQ(twice.find("s3cret"), std::string::npos) << twice;

  const std::string bad = config_error(
      "store.backend = postgres\nstore.postgres.connection = host=db\nstore.postgres.password_file "
      "= bad-password\n",
      dir.str());
  EXPECT_NE(bad.find("'store.postgres.password_file'"), std::string::npos) << bad;
  EXPECT_EQ(bad.find("has space"), std::string::npos) << bad;

  const std::string missing = config_error(
      "store.backend = postgres\nstore.postgres.connection = host=db\nstore.postgres.password_file "
      "= nope\n",
      dir.str());
  EXPECT_NE(missing.find("'store.postgres.password_file'"), std::string::npos) << missing;
}

TEST(StoreConfig, DedupeKeysOutliveThePayloads) {
  auto c = properties(kBase);
  EXPECT_EQ(load_engine_config(*c, ".").store.dedupe_retention_days, 90);
  c = properties(std::string(kBase) + "store.retention_days = 120\n");
  EXPECT_EQ(load_engine_config(*c, ".").store.dedupe_retention_days, 120)
      << "never shorter than retention";
  EXPECT_NE(config_error("store.retention_days = 30\nstore.dedupe_retention_days = 10\n")
                .find("'store.dedupe_retention_days'"),
            std::string::npos);
}

TEST(StoreConfig, DestinationParallelism) {
  auto c = properties(std::string(kBase) + "destination.portal.parallelism = 4\n");
  ASSERT_TRUE(unknown_keys(*c).empty());
  EXPECT_EQ(load_engine_config(*c, ".").destinations.at(0).parallelism, 4);
  c = properties(kBase);
  EXPECT_EQ(load_engine_config(*c, ".").destinations.at(0).parallelism, 1)
      << "strict FIFO by default";
  EXPECT_NE(
      config_error("destination.portal.parallelism = 0\n").find("'destination.portal.parallelism'"),
      std::string::npos);
  EXPECT_NE(config_error("destination.portal.parallelism = 65\n")
                .find("'destination.portal.parallelism'"),
            std::string::npos);
}

}  // namespace
}  // namespace explainer::app
