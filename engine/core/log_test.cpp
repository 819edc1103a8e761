#include "core/log.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace explainer::core {
namespace {

TEST(Logging, ParsesLevelsAndRejectsUnknownOnes) {
  EXPECT_EQ(parse_severity("debug"), Severity::debug);
  EXPECT_EQ(parse_severity("warn"), Severity::warning);
  EXPECT_THROW(parse_severity("loud"), std::invalid_argument);
}

TEST(Logging, WritesOneLinePerEventAndFiltersBelowTheLevel) {
  const std::string path = ::testing::TempDir() + "explainer_log_test.log";
  std::remove(path.c_str());
  init_logging({Severity::info, path});
  auto logger = make_logger("test.channel");
  EXPLAINER_LOG(logger, debug) << "hidden-debug-line";
  EXPLAINER_LOG(logger, info) << "visible info line";
  init_logging({Severity::info, ""});  // detach the file sink so it is flushed and closed
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  EXPECT_EQ(text.find("hidden-debug-line"), std::string::npos);
  EXPECT_NE(text.find("info [test.channel] visible info line\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace explainer::core
