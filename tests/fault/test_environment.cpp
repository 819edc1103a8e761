// The test process's own log lines (the in-process downstream peers log every connection) go to
// standard error at warning and above only: the kill tests open thousands of connections.
#include <gtest/gtest.h>

#include "core/log.h"

namespace {

class QuietLogs : public ::testing::Environment {
 public:
  void SetUp() override { explainer::core::init_logging({explainer::core::Severity::warning, ""}); }
};

[[maybe_unused]] ::testing::Environment* const quiet_logs =
    ::testing::AddGlobalTestEnvironment(new QuietLogs);

}  // namespace
