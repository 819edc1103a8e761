#include "app/tls_config.h"

#include <Poco/AutoPtr.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <gtest/gtest.h>

#include <sstream>

#include "app/config.h"
#include "transport/tls_test_pki.h"

namespace explainer::app {
namespace {

using transport::test_support::test_pki;

Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> properties(const std::string& text) {
  std::istringstream in(text);
  return new Poco::Util::PropertyFileConfiguration(in);
}

// The PKI's folder is the config dir, so relative file names resolve against it.
std::string config_dir() {
  return test_pki().dir.string();
}

const std::string kTlsConfig =
    "listeners = ris, hook\n"
    "listener.ris.port = 2575\n"
    "listener.ris.tls.enabled = true\n"
    "listener.ris.tls.certificate = server.pem\n"
    "listener.ris.tls.private_key = server.key\n"
    "listener.ris.tls.ca = ca.pem\n"
    "listener.ris.tls.verify_client = required\n"
    "listener.ris.tls.min_version = 1.3\n"
    "listener.ris.tls.allowed_client_cns = ris-a, ris-b\n"
    "listener.hook.type = fhir\n"
    "listener.hook.port = 8443\n"
    "listener.hook.tls.enabled = true\n"
    "listener.hook.tls.certificate = server.pem\n"
    "listener.hook.tls.private_key = server.key\n"
    "destinations = portal, ehr\n"
    "destination.portal.type = mllp\n"
    "destination.portal.host = localhost\n"
    "destination.portal.port = 2576\n"
    "destination.portal.tls.enabled = true\n"
    "destination.portal.tls.ca = ca.pem\n"
    "destination.portal.tls.certificate = client.pem\n"
    "destination.portal.tls.private_key = client.key\n"
    "destination.portal.tls.ciphers = ECDHE-ECDSA-AES256-GCM-SHA384\n"
    "destination.ehr.type = fhir\n"
    "destination.ehr.base_url = https://ehr.example.org/fhir\n";

TEST(TlsConfig, EveryKeyIsReadAndPathsResolveAgainstTheConfigDir) {
  const auto c = properties(kTlsConfig);
  EXPECT_TRUE(unknown_keys(*c).empty());
  const EngineConfig cfg = load_engine_config(*c, config_dir());
  ASSERT_TRUE(cfg.mllp_listeners[0].tls);
  const auto& ris = *cfg.mllp_listeners[0].tls;
  EXPECT_EQ(ris.certificate, test_pki().server_cert);
  EXPECT_EQ(ris.ca, test_pki().ca);
  EXPECT_EQ(ris.verify_client, transport::ClientVerification::kRequired);
  EXPECT_EQ(ris.min_version, transport::TlsVersion::k1_3);
  EXPECT_EQ(ris.allowed_client_cns, (std::set<std::string>{"ris-a", "ris-b"}));
  ASSERT_TRUE(cfg.fhir_listeners[0].tls);
  EXPECT_EQ(cfg.fhir_listeners[0].tls->verify_client, transport::ClientVerification::kNone);
  ASSERT_TRUE(cfg.destinations[0].tls);
  EXPECT_EQ(cfg.destinations[0].tls->certificate, test_pki().client_cert);
  EXPECT_TRUE(cfg.destinations[0].tls->verify_peer);
  EXPECT_EQ(cfg.destinations[0].tls->ciphers, "ECDHE-ECDSA-AES256-GCM-SHA384");
  // https:// alone means TLS with the secure defaults (system CAs, host name checked).
  ASSERT_TRUE(cfg.destinations[1].tls);
  EXPECT_TRUE(cfg.destinations[1].tls->ca.empty());
  EXPECT_TRUE(cfg.destinations[1].tls->verify_peer);
  EXPECT_TRUE(cfg.destinations[1].tls->verify_hostname);
}

std::string error_for(const std::string& text) {
  try {
    load_engine_config(*properties(text), config_dir());
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::logic_error("test text lacks " + from);
  return text.replace(at, from.size(), to);
}

TEST(TlsConfig, StartUpErrorsNameTheKey) {
  auto expect_key = [](const std::string& text, const std::string& key) {
    const std::string error = error_for(text);
    EXPECT_NE(error.find("'" + key + "'"), std::string::npos) << error;
  };
  expect_key(replace(kTlsConfig, "= server.pem\n", "= missing.pem\n"),
             "listener.ris.tls.certificate");
  expect_key(replace(kTlsConfig, "listener.ris.tls.private_key = server.key",
                     "listener.ris.tls.private_key = client.key"),
             "listener.ris.tls.private_key");
  expect_key(replace(kTlsConfig, "listener.ris.tls.ca = ca.pem\n", ""), "listener.ris.tls.ca");
  expect_key(replace(kTlsConfig, "= required", "= sometimes"), "listener.ris.tls.verify_client");
  expect_key(replace(kTlsConfig, "= 1.3", "= 1.1"), "listener.ris.tls.min_version");
  expect_key(replace(kTlsConfig, "listener.hook.tls.private_key = server.key\n", ""),
             "listener.hook.tls.private_key");
  expect_key(replace(kTlsConfig, "destination.portal.tls.ca = ca.pem",
                     "destination.portal.tls.ca = nope.pem"),
             "destination.portal.tls.ca");
  expect_key(replace(kTlsConfig, "= ECDHE-ECDSA-AES256-GCM-SHA384", "= RC4-NONSENSE"),
             "destination.portal.tls.ciphers");
  expect_key(replace(kTlsConfig, "destination.portal.tls.private_key = client.key\n", ""),
             "destination.portal.tls.certificate");
  // Half-configured TLS never falls back to clear text.
  expect_key(
      replace(kTlsConfig, "listener.ris.tls.enabled = true", "listener.ris.tls.enabled = false"),
      "listener.ris.tls.certificate");
  expect_key(replace(kTlsConfig, "destination.portal.tls.enabled = true\n", ""),
             "destination.portal.tls.ca");
  expect_key(kTlsConfig + "destination.ehr.tls.enabled = false\n", "destination.ehr.tls.enabled");
  expect_key(replace(kTlsConfig, "https://ehr", "http://ehr") + "destination.ehr.tls.ca = ca.pem\n",
             "destination.ehr.tls.ca");
  const auto misspelt = properties(kTlsConfig + "listener.ris.tls.verify_clients = none\n");
  EXPECT_EQ(unknown_keys(*misspelt), (std::vector<std::string>{"listener.ris.tls.verify_clients"}));
}

TEST(TlsConfig, VerificationCanBeSwitchedOffOnlyExplicitly) {
  const auto cfg = load_engine_config(
      *properties(kTlsConfig + "destination.ehr.tls.verify_peer = false\n"), config_dir());
  ASSERT_TRUE(cfg.destinations[1].tls);
  EXPECT_FALSE(cfg.destinations[1].tls->verify_peer);
}

}  // namespace
}  // namespace explainer::app
