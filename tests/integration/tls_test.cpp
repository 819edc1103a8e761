// TLS end to end through the Engine, configured from properties with the listener.<n>.tls.*
// and destination.<n>.tls.* keys: MLLP over TLS in (mutual TLS) and out (to a TLS peer that
// requires our client certificate), and the FHIR endpoint over HTTPS with curl as the client
// (bearer token or client certificate). Certificates are made at test time by openssl.
#include <Poco/AutoPtr.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "app/config.h"
#include "app/engine.h"
#include "core/log.h"
#include "hl7v2/message.h"
#include "support/downstream_peer.h"
#include "support/files.h"
#include "transport/mllp_client.h"
#include "transport/tls_test_pki.h"

namespace explainer {
namespace {

using test_support::read_fixture;
using test_support::TempDir;
using transport::test_support::test_pki;

struct RunResult {
  int exit_code = -1;
  std::string output;
};

RunResult run(const std::string& command) {
  RunResult r;
  FILE* pipe = ::popen((command + " 2>/dev/null").c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buffer{};
  while (const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) {
    r.output.append(buffer.data(), n);
  }
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class TlsEndToEndTest : public ::testing::Test {
 protected:
  // Loads `properties` the way explainerd does, with the PKI folder as the config dir (so
  // certificate paths are relative, like in a real deployment).
  void start(const std::string& properties) {
    const std::string common = "paths.data = " + dir_.str() + "\n" +
                               "paths.mappings = " + EXPLAINER_SOURCE_DIR + "/mappings\n" +
                               "paths.content = " + EXPLAINER_SOURCE_DIR + "/content\n" +
                               "retry.initial_ms = 20\nretry.max_ms = 200\n";
    std::istringstream in(common + properties);
    Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> c =
        new Poco::Util::PropertyFileConfiguration(in);
    ASSERT_TRUE(app::unknown_keys(*c).empty());
    auto config = app::load_engine_config(*c, test_pki().dir.string());
    engine_ = std::make_unique<app::Engine>(std::move(config));
    std::string error;
    ASSERT_TRUE(engine_->open(false, &error)) << error;
    ASSERT_TRUE(engine_->start(&error)) << error;
  }

  TempDir dir_;
  std::unique_ptr<app::Engine> engine_;
};

TEST_F(TlsEndToEndTest, MllpOverMutualTlsInAndOut) {
  const auto& pki = test_pki();
  transport::TlsServerOptions peer_tls;
  peer_tls.certificate = pki.server_cert;
  peer_tls.private_key = pki.server_key;
  peer_tls.ca = pki.ca;
  peer_tls.verify_client = transport::ClientVerification::kRequired;
  peer_tls.allowed_client_cns = {"explainer-test-client"};
  test_support::DownstreamPeer peer(0, peer_tls);

  start(
      "listeners = ris\n"
      "listener.ris.port = 0\n"
      "listener.ris.tls.enabled = true\n"
      "listener.ris.tls.certificate = server.pem\n"
      "listener.ris.tls.private_key = server.key\n"
      "listener.ris.tls.ca = ca.pem\n"
      "listener.ris.tls.verify_client = required\n"
      "destinations = portal\n"
      "destination.portal.type = mllp\n"
      "destination.portal.host = localhost\n"
      "destination.portal.port = " +
      std::to_string(peer.port()) +
      "\n"
      "destination.portal.enrich = false\n"
      "destination.portal.tls.enabled = true\n"
      "destination.portal.tls.ca = ca.pem\n"
      "destination.portal.tls.certificate = client.pem\n"
      "destination.portal.tls.private_key = client.key\n");

  transport::MllpClientConfig client;
  client.host = "127.0.0.1";
  client.port = engine_->listener_port("ris");
  client.tls = transport::TlsClientOptions{};
  client.tls->ca = pki.ca;
  client.tls->certificate = pki.client_cert;
  client.tls->private_key = pki.client_key;
  transport::MllpClient sender(client);
  const std::string message = read_fixture("radiology/mri-lumbar-spine.hl7");
  const auto result = sender.send(message, std::chrono::seconds(10));
  ASSERT_TRUE(result.ok()) << result.message;
  const auto ack = hl7v2::parse(result.response);
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack.message->segment(*ack.message->find("MSA")).text(1), "AA");
  ASSERT_TRUE(peer.wait_for(1));
  EXPECT_EQ(peer.received().at(0), message);  // byte for byte over both TLS hops

  // A sender without a client certificate gets nothing stored and no ACK.
  client.tls->certificate.clear();
  client.tls->private_key.clear();
  transport::MllpClient anonymous(client);
  EXPECT_FALSE(anonymous.send(message, std::chrono::seconds(5)).ok());
  EXPECT_EQ(engine_->intake_counters("ris").received, 1u);
}

TEST_F(TlsEndToEndTest, UnverifiedTlsDestinationWorksOnlyWhenConfiguredAndIsLoggedAsAWarning) {
  const auto& pki = test_pki();
  transport::TlsServerOptions peer_tls;
  peer_tls.certificate = pki.other_server_cert;  // from a CA we do not trust
  peer_tls.private_key = pki.other_server_key;
  test_support::DownstreamPeer peer(0, peer_tls);
  const std::string log = dir_.str("explainerd.log");
  core::init_logging({core::Severity::info, log});
  start(
      "listeners = ris\n"
      "listener.ris.port = 0\n"
      "destinations = portal\n"
      "destination.portal.type = mllp\n"
      "destination.portal.host = 127.0.0.1\n"
      "destination.portal.port = " +
      std::to_string(peer.port()) +
      "\n"
      "destination.portal.enrich = false\n"
      "destination.portal.tls.enabled = true\n"
      "destination.portal.tls.verify_peer = false\n");
  transport::MllpClientConfig client;
  client.port = engine_->listener_port("ris");
  transport::MllpClient sender(client);
  const std::string message = read_fixture("radiology/mri-lumbar-spine.hl7");
  ASSERT_TRUE(sender.send(message, std::chrono::seconds(10)).ok());
  ASSERT_TRUE(peer.wait_for(1));
  engine_->stop();
  core::init_logging({core::Severity::info, ""});  // closes the file
  const std::string text = test_support::read_bytes(log);
  EXPECT_NE(text.find("warning [app] tls_verification_disabled destination=portal"),
            std::string::npos)
      << text;
}

TEST_F(TlsEndToEndTest, HttpsFhirEndpointWithBearerTokenOrClientCertificateUsingCurl) {
  const auto& pki = test_pki();
  { std::ofstream(dir_.str("tokens")) << "s3cret-token\n"; }
  start(
      "listeners = hook\n"
      "listener.hook.type = fhir\n"
      "listener.hook.port = 0\n"
      "listener.hook.auth_tokens_file = " +
      dir_.str("tokens") +
      "\n"
      "listener.hook.tls.enabled = true\n"
      "listener.hook.tls.certificate = server.pem\n"
      "listener.hook.tls.private_key = server.key\n"
      "listener.hook.tls.ca = ca.pem\n"
      "listener.hook.tls.verify_client = optional\n"
      "listener.hook.tls.allowed_client_cns = explainer-test-client\n"
      "destinations = archive\n"
      "destination.archive.type = file\n"
      "destination.archive.path = out\n");
  const std::string url = "https://localhost:" + std::to_string(engine_->listener_port("hook")) +
                          "/fhir/DiagnosticReport";
  const std::string body_file = dir_.str("report.json");
  std::ofstream(body_file)
      << R"({"resourceType":"DiagnosticReport","status":"final","code":{"text":"MRI"},"conclusion":"Mild disc bulge."})";
  const std::string post = "curl -sS -o '" + dir_.str("reply") +
                           "' -w '%{http_code}' --max-time 10 -X POST -H "
                           "'Content-Type: application/fhir+json' --data-binary @'" +
                           body_file + "' --cacert '" + pki.ca + "' ";
  const std::string client_cert =
      "--cert '" + pki.client_cert + "' --key '" + pki.client_key + "' ";

  const auto token = run(post + "-H 'Authorization: Bearer s3cret-token' '" + url + "'");
  EXPECT_EQ(token.output, "201");
  const auto certificate = run(post + client_cert + "'" + url + "'");
  EXPECT_EQ(certificate.output, "201");
  const auto neither = run(post + "'" + url + "'");
  EXPECT_EQ(neither.output, "401");
  const std::string reply = test_support::read_bytes(dir_.str("reply"));
  EXPECT_NE(reply.find(R"("resourceType":"OperationOutcome")"), std::string::npos) << reply;
  EXPECT_NE(reply.find(R"("code":"login")"), std::string::npos) << reply;
  // A certificate from another CA fails the handshake; plain HTTP gets no FHIR answer.
  const auto intruder = run(post + "--cert '" + pki.other_client_cert + "' --key '" +
                            pki.other_client_key + "' '" + url + "'");
  EXPECT_NE(intruder.exit_code, 0);
  EXPECT_NE(intruder.output, "201");
  const auto clear_text =
      run("curl -sS -o /dev/null -w '%{http_code}' --max-time 5 'http://" + url.substr(8) + "'");
  EXPECT_NE(clear_text.output, "201");
  EXPECT_EQ(engine_->intake_counters("hook").received, 2u);
}

TEST_F(TlsEndToEndTest, ClientCertificateWithACnNotAllowedGets401) {
  const auto& pki = test_pki();
  start(
      "listeners = hook\n"
      "listener.hook.type = fhir\n"
      "listener.hook.port = 0\n"
      "listener.hook.tls.enabled = true\n"
      "listener.hook.tls.certificate = server.pem\n"
      "listener.hook.tls.private_key = server.key\n"
      "listener.hook.tls.ca = ca.pem\n"
      "listener.hook.tls.verify_client = required\n"
      "listener.hook.tls.allowed_client_cns = epic-subscriptions\n"
      "destinations = archive\n"
      "destination.archive.type = file\n"
      "destination.archive.path = out\n");
  const auto reply =
      run("curl -sS -o /dev/null -w '%{http_code}' --max-time 10 -X POST -H "
          "'Content-Type: application/fhir+json' --data-binary '{}' --cacert '" +
          pki.ca + "' --cert '" + pki.client_cert + "' --key '" + pki.client_key +
          "' 'https://127.0.0.1:" + std::to_string(engine_->listener_port("hook")) +
          "/fhir/DiagnosticReport'");
  EXPECT_EQ(reply.output, "401");
  EXPECT_EQ(engine_->intake_counters("hook").received, 0u);
}

}  // namespace
}  // namespace explainer
