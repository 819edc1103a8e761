#include "app/config.h"

#include <Poco/AutoPtr.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "transport/http/fhir_server.h"

namespace explainer::app {
namespace {

Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> properties(const std::string& text) {
  std::istringstream in(text);
  return new Poco::Util::PropertyFileConfiguration(in);
}

const char* kMinimal =
    "listeners = ris\n"
    "listener.ris.port = 2575\n"
    "destinations = portal\n"
    "destination.portal.type = mllp\n"
    "destination.portal.host = 127.0.0.1\n"
    "destination.portal.port = 2576\n";

TEST(Config, MinimalConfigurationLoadsWithDefaults) {
  const auto c = properties(kMinimal);
  EXPECT_TRUE(unknown_keys(*c).empty());
  const EngineConfig cfg = load_engine_config(*c, "/etc/explainer");
  ASSERT_EQ(cfg.mllp_listeners.size(), 1u);
  EXPECT_EQ(cfg.mllp_listeners[0].bind, "127.0.0.1");
  EXPECT_EQ(cfg.store.synchronous, "full");
  EXPECT_EQ(cfg.released_statuses, (std::vector<std::string>{"F", "C"}));
  EXPECT_EQ(cfg.fhir_released_statuses,
            (std::vector<std::string>{"final", "amended", "corrected", "appended"}));
  EXPECT_EQ(cfg.policy_sensitive, "hold");
  EXPECT_EQ(cfg.store.sqlite_path, "/etc/explainer/var/explainer.db");
}

TEST(Config, UnknownAndMisspeltKeysAreNamed) {
  const auto c = properties(std::string(kMinimal) + "listener.ris.max_conections = 8\nstore.sqlite.synchronus = full\n");
  const auto unknown = unknown_keys(*c);
  ASSERT_EQ(unknown.size(), 2u);
  EXPECT_NE(std::find(unknown.begin(), unknown.end(), "listener.ris.max_conections"), unknown.end());
  EXPECT_NE(std::find(unknown.begin(), unknown.end(), "store.sqlite.synchronus"), unknown.end());
}

TEST(Config, InvalidValuesNameTheirKey) {
  auto expect_error = [](const std::string& extra, const std::string& key) {
    const auto c = properties(std::string(kMinimal) + extra);
    try {
      load_engine_config(*c, ".");
      ADD_FAILURE() << "accepted: " << extra;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  };
  expect_error("listener.ris.port = 70000\n", "listener.ris.port");
  expect_error("store.sqlite.synchronous = sometimes\n", "store.sqlite.synchronous");
  expect_error("retry.initial_ms = soon\n", "retry.initial_ms");
  expect_error("listener.ris.destinations = nowhere\n", "listener.ris.destinations");
  expect_error("policy.sensitive = shout\n", "policy.sensitive");
}

const char* kFhir =
    "listeners = ris, hook\n"
    "listener.ris.port = 2575\n"
    "listener.hook.type = fhir\n"
    "listener.hook.port = 8080\n"
    "listener.hook.base_path = /fhir\n"
    "listener.hook.max_body_bytes = 65536\n"
    "destinations = portal, ehr, archive\n"
    "destination.portal.type = mllp\n"
    "destination.portal.host = 127.0.0.1\n"
    "destination.portal.port = 2576\n"
    "destination.ehr.type = fhir\n"
    "destination.ehr.base_url = https://ehr.example.org/fhir\n"
    "destination.ehr.bearer_token = abc\n"
    "destination.ehr.fhir_mode = contained\n"
    "destination.ehr.format = xml\n"
    "destination.ehr.timeout_s = 12\n"
    "destination.archive.type = file\n"
    "destination.archive.path = out\n";

TEST(Config, FhirListenerAndDestinationLoad) {
  const auto c = properties(kFhir);
  EXPECT_TRUE(unknown_keys(*c).empty());
  const EngineConfig cfg = load_engine_config(*c, "/etc/explainer");
  ASSERT_EQ(cfg.mllp_listeners.size(), 1u);
  ASSERT_EQ(cfg.fhir_listeners.size(), 1u);
  EXPECT_EQ(cfg.fhir_listeners[0].name, "hook");
  EXPECT_EQ(cfg.fhir_listeners[0].port, 8080);
  EXPECT_EQ(cfg.fhir_listeners[0].base_path, "/fhir");
  EXPECT_EQ(cfg.fhir_listeners[0].max_body_bytes, 65536u);
  EXPECT_TRUE(cfg.fhir_listeners[0].auth_tokens_file.empty());
  ASSERT_EQ(cfg.destinations.size(), 3u);
  const auto& ehr = cfg.destinations[1];
  EXPECT_EQ(ehr.type, "fhir");
  EXPECT_EQ(ehr.base_url, "https://ehr.example.org/fhir");
  EXPECT_EQ(ehr.bearer_token, "abc");
  EXPECT_EQ(ehr.fhir_mode, FhirMode::kContained);
  EXPECT_EQ(ehr.format, "xml");
  EXPECT_EQ(ehr.timeout_s, 12);
  EXPECT_TRUE(listener_can_feed("fhir", "fhir"));
  EXPECT_TRUE(listener_can_feed("fhir", "file"));
  EXPECT_FALSE(listener_can_feed("fhir", "mllp"));
  EXPECT_FALSE(listener_can_feed("mllp", "fhir"));
}

TEST(Config, ListenersFeedOnlyDestinationsOfTheirKind) {
  auto expect_error = [](const std::string& extra, const std::string& text) {
    const auto c = properties(std::string(kFhir) + extra);
    try {
      load_engine_config(*c, ".");
      ADD_FAILURE() << "accepted: " << extra;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
  };
  expect_error("listener.hook.destinations = portal\n", "can feed only fhir and file destinations");
  expect_error("listener.ris.destinations = ehr\n", "can feed only mllp, file and letter destinations");
  expect_error("listener.ris.base_path = /x\n", "listener.ris.base_path");
  expect_error("listener.hook.wrong_message_type = forward\n", "listener.hook.wrong_message_type");
  expect_error("destination.ehr.user = u\n", "not both");
  expect_error("destination.ehr.fhir_mode = inline\n", "destination.ehr.fhir_mode");
  expect_error("listener.hook.auth_tokens_file = /nonexistent/tokens\n", "listener.hook.auth_tokens_file");
  expect_error("destination.ehr.base_url = ftp://x\n", "destination.ehr.base_url");
}

TEST(Config, SecretsAndTokensComeFromFiles) {
  const auto dir = std::filesystem::temp_directory_path() / ("explainer-config-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "tokens") << "# tokens\n\n  first  \nsecond\n";
    std::ofstream(dir / "password") << "s3cret\n";
  }
  const auto c = properties(
      "listeners = hook\nlistener.hook.type = fhir\nlistener.hook.auth_tokens_file = tokens\n"
      "destinations = ehr\ndestination.ehr.type = fhir\ndestination.ehr.base_url = http://h/fhir\n"
      "destination.ehr.user = explainer\ndestination.ehr.password_file = password\n");
  EXPECT_TRUE(unknown_keys(*c).empty());
  const EngineConfig cfg = load_engine_config(*c, dir.string());
  EXPECT_EQ(cfg.fhir_listeners.at(0).auth_tokens_file, (dir / "tokens").string());
  EXPECT_EQ(transport::load_bearer_tokens(cfg.fhir_listeners[0].auth_tokens_file),
            (std::set<std::string>{"first", "second"}));
  EXPECT_EQ(cfg.destinations.at(0).user, "explainer");
  EXPECT_EQ(cfg.destinations.at(0).password, "s3cret");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace explainer::app

namespace explainer::app {
namespace {

TEST(ConfigReleased, FhirReleasedStatusesAreConfigurable) {
  std::istringstream in(
      "reports.fhir_released_statuses = final, corrected\n"
      "reports.released_statuses = F\n");
  Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> c(new Poco::Util::PropertyFileConfiguration(in));
  EXPECT_TRUE(unknown_keys(*c).empty());
  const EngineConfig cfg = load_engine_config(*c, ".");
  EXPECT_EQ(cfg.fhir_released_statuses, (std::vector<std::string>{"final", "corrected"}));
  EXPECT_EQ(cfg.released_statuses, (std::vector<std::string>{"F"}));
}

TEST(Config, LetterDestinationNeedsAPathTakesChromiumAndIsFedByMllpOnly) {
  const auto c = properties(std::string(kMinimal) +
                            "destinations = portal, letters\n"
                            "destination.letters.type = letter\n"
                            "destination.letters.path = letters\n"
                            "destination.letters.chromium = /usr/bin/chromium\n");
  EXPECT_TRUE(unknown_keys(*c).empty());
  const EngineConfig cfg = load_engine_config(*c, "/etc/explainer");
  ASSERT_EQ(cfg.destinations.size(), 2u);
  const auto& letters = cfg.destinations[1];
  EXPECT_EQ(letters.type, "letter");
  EXPECT_EQ(letters.chromium, "/usr/bin/chromium");
  EXPECT_EQ(letters.pdf_timeout_s, 120);
  EXPECT_FALSE(letters.path.empty());
  EXPECT_TRUE(listener_can_feed("mllp", "letter"));
  EXPECT_FALSE(listener_can_feed("fhir", "letter"));

  const auto no_path = properties(std::string(kMinimal) +
                                  "destinations = letters\ndestination.letters.type = letter\n");
  EXPECT_THROW(load_engine_config(*no_path, "."), ConfigError);
  const auto misplaced = properties(std::string(kMinimal) + "destination.portal.chromium = x\n");
  try {
    load_engine_config(*misplaced, ".");
    ADD_FAILURE() << "chromium accepted on an mllp destination";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("destination.portal.chromium"), std::string::npos);
  }
}

}  // namespace
}  // namespace explainer::app
