// One explainerd per SQLite store: a second daemon on the same file refuses to start, naming the
// lock and the holder; --check-config still runs beside it; after kill -9 of the holder the lock
// is gone at once and a new daemon starts.
#include <gtest/gtest.h>

#include <filesystem>

#include "fault/fault_support.h"

namespace explainer::fault {
namespace {

using test_support::free_port;
using test_support::run;
using test_support::TempDir;
using test_support::wait_for_port;

TEST(SingleInstance, ASecondExplainerdOnOneSqliteFileRefusesToStart) {
  TempDir dir;
  const std::string data = dir.str("data");
  const std::uint16_t port_a = free_port();
  const std::uint16_t port_b = free_port();
  std::filesystem::create_directories(dir.str("a"));
  std::filesystem::create_directories(dir.str("b"));
  const std::string config_a = write_config(dir.str("a"), data, port_a, {{"portal", free_port()}});
  const std::string config_b = write_config(dir.str("b"), data, port_b, {{"portal", free_port()}});
  Explainerd a(config_a);
  a.start();
  ASSERT_TRUE(wait_for_port(port_a));

  const auto second = run(test_support::binary("explainerd"), {"--config=" + config_b});
  EXPECT_NE(second.exit_code, 0);
  EXPECT_NE(second.err.find("another explainerd (pid " + std::to_string(a.pid()) + ")"),
            std::string::npos)
      << second.err;
  EXPECT_NE(second.err.find("explainer.db.lock"), std::string::npos) << second.err;
  EXPECT_FALSE(a.has_exited());

  const auto check =
      run(test_support::binary("explainerd"), {"--config=" + config_b, "--check-config"});
  EXPECT_EQ(check.exit_code, 0) << check.err;

  a.kill9();
  Explainerd b(config_b);
  b.start();
  EXPECT_TRUE(wait_for_port(port_b)) << "the lock of a killed daemon must not block a restart";
  EXPECT_EQ(b.terminate(10s), 0);
}

}  // namespace
}  // namespace explainer::fault
