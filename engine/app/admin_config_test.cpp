// Configuration keys of the admin endpoint and of the FHIR listener's request-rate limit.
#include <Poco/AutoPtr.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "app/config.h"

namespace explainer::app {
namespace {

Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> properties(const std::string& text) {
  std::istringstream in(text);
  return new Poco::Util::PropertyFileConfiguration(in);
}

const std::string kBase =
    "listeners = ris, hook\n"
    "listener.hook.type = fhir\n"
    "destinations = drop\n"
    "destination.drop.type = file\n"
    "destination.drop.path = out\n";

TEST(AdminConfig, TheAdminEndpointIsOffUnlessAPortIsGiven) {
  const auto c = properties(kBase);
  const EngineConfig cfg = load_engine_config(*c, "/etc/explainer");
  EXPECT_EQ(cfg.admin.port, 0);
  EXPECT_EQ(cfg.admin.bind, "127.0.0.1");
  EXPECT_TRUE(cfg.admin.auth_tokens_file.empty());
  EXPECT_EQ(cfg.fhir_listeners.at(0).rate_limit_per_second, 0);
}

TEST(AdminConfig, KeysAreKnownReadAndChecked) {
  const auto dir = std::filesystem::temp_directory_path() / ("explainer-admin-config-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "admin-tokens") << "# comment\nt0ken\n";
  const auto c = properties(kBase +
                            "admin.bind = 0.0.0.0\nadmin.port = 9400\nadmin.auth_tokens_file = admin-tokens\n"
                            "listener.hook.rate_limit_per_second = 0.5\nlistener.hook.rate_limit_burst = 4\n");
  EXPECT_TRUE(unknown_keys(*c).empty());
  const EngineConfig cfg = load_engine_config(*c, dir.string());
  EXPECT_EQ(cfg.admin.bind, "0.0.0.0");
  EXPECT_EQ(cfg.admin.port, 9400);
  EXPECT_EQ(cfg.admin.auth_tokens_file, (dir / "admin-tokens").string());
  EXPECT_DOUBLE_EQ(cfg.fhir_listeners.at(0).rate_limit_per_second, 0.5);
  EXPECT_DOUBLE_EQ(cfg.fhir_listeners.at(0).rate_limit_burst, 4);

  auto message = [&](const std::string& extra) {
    try {
      load_engine_config(*properties(kBase + extra), dir.string());
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message("admin.port = 70000\n").find("admin.port"), std::string::npos);
  EXPECT_NE(message("admin.auth_tokens_file = missing\n").find("admin.auth_tokens_file"), std::string::npos);
  EXPECT_NE(message("listener.hook.rate_limit_per_second = -1\n").find("rate_limit_per_second"), std::string::npos);
  EXPECT_NE(message("listener.hook.rate_limit_burst = 0.5\n").find("rate_limit_burst"), std::string::npos);
  EXPECT_NE(message("listener.ris.rate_limit_per_second = 5\n").find("applies only to fhir listeners"),
            std::string::npos);
  EXPECT_EQ(unknown_keys(*properties(kBase + "admin.prot = 1\n")), std::vector<std::string>{"admin.prot"});
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace explainer::app
