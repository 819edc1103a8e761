#include "store/sqlite/migrations.h"

#include <gtest/gtest.h>

#include "store/test_dir.h"

namespace explainer::store::sqlite {
namespace {

const std::vector<Migration> kV1 = {{1, "0001_a.sql", "CREATE TABLE a (x INTEGER);"}};
const std::vector<Migration> kV2 = {{1, "0001_a.sql", "CREATE TABLE a (x INTEGER);"},
                                    {2, "0002_b.sql", "ALTER TABLE a ADD COLUMN y TEXT;"}};

class MigrationsTest : public ::testing::Test {
 protected:
  std::unique_ptr<Connection> connect() { return Connection::open(path_, true, 1000); }
  testing::TempDir dir_;
  const std::string path_ = dir_.file("m.db");
};

TEST_F(MigrationsTest, EmbeddedMigrationsStartAtOneWithoutGaps) {
  const auto& migrations = embedded_migrations();
  ASSERT_FALSE(migrations.empty());
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i].version, static_cast<int>(i) + 1);
  }
  EXPECT_STREQ(migrations[0].name, "0001_initial.sql");
  EXPECT_NE(std::string(migrations[0].sql).find("CREATE TABLE outbox"), std::string::npos);
}

TEST_F(MigrationsTest, EmptyDatabaseIsInitialisedToTheNewestVersion) {
  auto db = connect();
  EXPECT_EQ(schema_version(*db), 0);
  EXPECT_EQ(migrate(*db, kV2, false), 2);
  EXPECT_EQ(schema_version(*db), 2);
  db->exec("INSERT INTO a (x, y) VALUES (1, 'z')");
  EXPECT_EQ(migrate(*db, kV2, false), 2);  // idempotent
}

TEST_F(MigrationsTest, OlderDatabaseIsRefusedWithoutUpgradeAndMigratedWithIt) {
  {
    auto db = connect();
    migrate(*db, kV1, false);
    db->exec("INSERT INTO a (x) VALUES (7)");
  }
  auto db = connect();
  try {
    migrate(*db, kV2, false);
    FAIL() << "older schema accepted without upgrade";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("upgrade"), std::string::npos) << e.what();
  }
  EXPECT_EQ(schema_version(*db), 1);
  EXPECT_EQ(migrate(*db, kV2, true), 2);
  EXPECT_EQ(db->query_text("SELECT x FROM a").value(), "7");  // data kept
}

TEST_F(MigrationsTest, NewerDatabaseIsRefusedEvenWithUpgrade) {
  {
    auto db = connect();
    migrate(*db, kV2, false);
  }
  auto db = connect();
  EXPECT_THROW(migrate(*db, kV1, true), StoreError);
  EXPECT_EQ(schema_version(*db), 2);
}

TEST_F(MigrationsTest, AFailingMigrationLeavesTheVersionUnchanged) {
  {
    auto db = connect();
    migrate(*db, kV1, false);
  }
  const std::vector<Migration> broken = {kV1[0], {2, "0002_bad.sql", "ALTER TABLE nope ADD z;"}};
  auto db = connect();
  try {
    migrate(*db, broken, true);
    FAIL() << "broken migration succeeded";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("0002_bad.sql"), std::string::npos) << e.what();
  }
  EXPECT_EQ(schema_version(*db), 1);
}

TEST_F(MigrationsTest, GapsInTheMigrationListAreRejected) {
  auto db = connect();
  const std::vector<Migration> gap = {kV1[0], {3, "0003_c.sql", "SELECT 1;"}};
  EXPECT_THROW(migrate(*db, gap, true), StoreError);
}

}  // namespace
}  // namespace explainer::store::sqlite
