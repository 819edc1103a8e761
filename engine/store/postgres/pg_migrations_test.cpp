#include "store/postgres/pg_migrations.h"

#include <gtest/gtest.h>

#include "store/message_store.h"
#include "store/postgres/pg_test_database.h"

namespace explainer::store::testing {
namespace {

using postgres::Migration;

class PgMigrations : public ::testing::Test {
 protected:
  void SetUp() override {
    if (pg_connection_string().empty()) skip_without_pg();
  }
  int migrate(const std::vector<Migration>& migrations, bool upgrade) {
    return postgres::migrate(pg_connection_string(), schema_, migrations, upgrade);
  }
  const std::string schema_ = PgSchemas::instance().make();
  const std::vector<Migration> v1_ = {{1, "0001_a.sql", "CREATE TABLE a (x INTEGER);"}};
  const std::vector<Migration> v2_ = {
      {1, "0001_a.sql", "CREATE TABLE a (x INTEGER);"},
      {2, "0002_b.sql", "CREATE TABLE b (y INTEGER); INSERT INTO a (x) VALUES (1);"}};
};

TEST_F(PgMigrations, EmbeddedMigrationsAreNumberedFromOne) {
  const auto& migrations = postgres::embedded_migrations();
  ASSERT_FALSE(migrations.empty());
  EXPECT_EQ(migrations.front().version, 1);
  EXPECT_STREQ(migrations.front().name, "0001_initial.sql");
}

TEST_F(PgMigrations, NewSchemaIsInitialisedWithoutAsking) {
  EXPECT_EQ(migrate(v2_, false), 2);
  EXPECT_EQ(postgres::schema_version(pg_connection_string(), schema_), 2);
}

TEST_F(PgMigrations, OlderSchemaUpgradesStepByStepOnlyWhenAllowed) {
  EXPECT_EQ(migrate(v1_, false), 1);
  EXPECT_THROW(migrate(v2_, false), StoreError);
  EXPECT_EQ(postgres::schema_version(pg_connection_string(), schema_), 1);
  EXPECT_EQ(migrate(v2_, true), 2);
  // Step 2 ran against step 1's table.
  EXPECT_NO_THROW(postgres::execute_script(
      pg_connection_string(),
      "SELECT y FROM " + schema_ + ".b; SELECT 1/x FROM " + schema_ + ".a"));
}

TEST_F(PgMigrations, AFailingStepLeavesThePreviousVersion) {
  migrate(v1_, false);
  const std::vector<Migration> broken = {
      v1_[0], {2, "0002_broken.sql", "CREATE TABLE c (z INTEGER); SELECT no_such_column FROM a;"}};
  try {
    migrate(broken, true);
    FAIL() << "a broken migration succeeded";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("0002_broken.sql"), std::string::npos) << e.what();
  }
  EXPECT_EQ(postgres::schema_version(pg_connection_string(), schema_), 1);
  // Table c was rolled back with the step.
  EXPECT_THROW(postgres::execute_script(pg_connection_string(), "SELECT * FROM " + schema_ + ".c"),
               StoreError);
}

TEST_F(PgMigrations, NewerSchemaIsRefusedEvenWithUpgrade) {
  migrate(v2_, false);
  EXPECT_THROW(migrate(v1_, true), StoreError);
}

TEST_F(PgMigrations, GapsInTheMigrationListAreRejected) {
  const std::vector<Migration> gap = {v1_[0], {3, "0003_c.sql", "SELECT 1;"}};
  EXPECT_THROW(migrate(gap, true), StoreError);
}

}  // namespace
}  // namespace explainer::store::testing
