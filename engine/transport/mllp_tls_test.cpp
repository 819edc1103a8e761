// MLLP over TLS: our listener and sender on loopback with certificates made at test time,
// plus Python's ssl module as an external client.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "transport/mllp_client.h"
#include "transport/mllp_listener.h"
#include "transport/mllp_test_peer.h"
#include "transport/tls.h"
#include "transport/tls_test_pki.h"

namespace explainer::transport {
namespace {

using namespace std::chrono_literals;
using test_support::EchoHandler;
using test_support::test_pki;

TlsServerOptions server_tls(ClientVerification verify = ClientVerification::kNone) {
  const auto& pki = test_pki();
  TlsServerOptions tls;
  tls.certificate = pki.server_cert;
  tls.private_key = pki.server_key;
  tls.ca = pki.ca;
  tls.verify_client = verify;
  return tls;
}

TlsClientOptions client_tls(bool with_certificate = false) {
  const auto& pki = test_pki();
  TlsClientOptions tls;
  tls.ca = pki.ca;
  if (with_certificate) {
    tls.certificate = pki.client_cert;
    tls.private_key = pki.client_key;
  }
  return tls;
}

// The listener counts a refused handshake after OpenSSL has sent its alert, so the client
// may see the refusal first: wait (bounded) for the counter instead of reading it once.
bool handshake_failures_reach(const MllpListener& listener, std::uint64_t count) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (listener.stats().tls_handshake_failures < count) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

struct RunResult {
  int exit_code = -1;
  std::string output;
};

// Runs a command; stdout (and stderr, appended) captured.
RunResult run(const std::string& command) {
  RunResult r;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buffer{};
  while (const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) {
    r.output.append(buffer.data(), n);
  }
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string python_client(std::uint16_t port, const std::string& extra, const std::string& ca) {
  return std::string("/usr/bin/python3 '") + EXPLAINER_SOURCE_DIR +
         "/engine/transport/mllp_tls_client.py' 127.0.0.1 " + std::to_string(port) + " '" + ca +
         "' " + extra + " 'MSH|^~\\&|PY'";
}

class MllpTlsTest : public ::testing::Test {
 protected:
  void start(TlsServerOptions tls) {
    MllpListenerConfig config;
    config.name = "tls";
    config.bind_address = "127.0.0.1";
    config.port = 0;
    config.poll_interval = 20ms;
    config.read_timeout = 5s;
    config.tls = std::move(tls);
    listener = std::make_unique<MllpListener>(config, handler);
    listener->start();
    ASSERT_NE(listener->port(), 0);
  }
  MllpSendResult send_once(TlsClientOptions tls, const std::string& host = "127.0.0.1") {
    MllpClientConfig config;
    config.host = host;
    config.port = listener->port();
    config.connect_timeout = 5s;
    config.tls = std::move(tls);
    MllpClient client(config);
    return client.send("MSH|one", 5s);
  }
  std::shared_ptr<EchoHandler> handler = std::make_shared<EchoHandler>();
  std::unique_ptr<MllpListener> listener;
};

TEST_F(MllpTlsTest, SenderAndListenerExchangeMessagesOnOneTlsConnection) {
  start(server_tls());
  MllpClientConfig config;
  config.host = "127.0.0.1";
  config.port = listener->port();
  config.tls = client_tls();
  MllpClient client(config);
  for (const std::string message : {"MSH|a", "MSH|b", "MSH|c"}) {
    const auto result = client.send(message, 5s);
    ASSERT_TRUE(result.ok()) << result.message;
    EXPECT_EQ(result.response, "ACK:" + message);
  }
  EXPECT_EQ(listener->stats().connections_accepted, 1u);  // the TLS connection was reused
  EXPECT_EQ(listener->stats().tls_handshake_failures, 0u);
}

TEST_F(MllpTlsTest, StopClosesOpenTlsConnectionsAndTheSenderReconnects) {
  start(server_tls());
  MllpClientConfig config;
  config.host = "127.0.0.1";
  config.port = listener->port();
  config.tls = client_tls();
  MllpClient client(config);
  ASSERT_TRUE(client.send("MSH|before", 5s).ok());
  const std::uint16_t port = listener->port();
  listener->stop();  // returns although the TLS connection is open and idle
  EXPECT_EQ(listener->stats().connections_active, 0u);
  MllpListenerConfig again;
  again.name = "tls";
  again.bind_address = "127.0.0.1";
  again.port = port;
  again.poll_interval = 20ms;
  again.tls = server_tls();
  listener = std::make_unique<MllpListener>(again, handler);
  listener->start();
  const auto after = client.send("MSH|after", 5s);  // the closed connection is noticed
  EXPECT_TRUE(after.ok()) << after.message;
  EXPECT_EQ(after.response, "ACK:MSH|after");
}

TEST_F(MllpTlsTest, HostNameIsAlsoVerified) {
  start(server_tls());
  const auto by_name = send_once(client_tls(), "localhost");
  EXPECT_TRUE(by_name.ok()) << by_name.message;
  // A certificate for another host is refused unless host name checks are switched off.
  listener.reset();
  auto tls = server_tls();
  tls.certificate = test_pki().wrong_host_cert;
  tls.private_key = test_pki().wrong_host_key;
  start(tls);
  const auto refused = send_once(client_tls());
  EXPECT_EQ(refused.status, MllpSendStatus::kConnectFailed);
  EXPECT_NE(refused.message.find("certificate verification failed: IP address mismatch"),
            std::string::npos)
      << refused.message;
  auto relaxed = client_tls();
  relaxed.verify_hostname = false;
  EXPECT_TRUE(send_once(relaxed).ok());
}

TEST_F(MllpTlsTest, SenderRefusesAServerFromAnotherCa) {
  start(server_tls());
  auto wrong_ca = client_tls();
  wrong_ca.ca = test_pki().other_ca;
  const auto result = send_once(wrong_ca);
  EXPECT_EQ(result.status, MllpSendStatus::kConnectFailed);
  EXPECT_NE(result.message.find("certificate verification failed"), std::string::npos)
      << result.message;
  EXPECT_EQ(result.message.find("MSH"), std::string::npos);  // no payload in the reason
  EXPECT_EQ(handler->calls.load(), 0);
  // Verification explicitly off: connects (the configuration layer warns about it).
  wrong_ca.verify_peer = false;
  EXPECT_TRUE(send_once(wrong_ca).ok());
}

TEST_F(MllpTlsTest, MutualTlsRequiredRefusesClientsWithoutAValidCertificate) {
  start(server_tls(ClientVerification::kRequired));
  const auto with_cert = send_once(client_tls(true));
  ASSERT_TRUE(with_cert.ok()) << with_cert.message;

  const auto without = send_once(client_tls(false));
  EXPECT_FALSE(without.ok());
  auto intruder = client_tls();
  intruder.certificate = test_pki().other_client_cert;
  intruder.private_key = test_pki().other_client_key;
  const auto other_ca = send_once(intruder);
  EXPECT_FALSE(other_ca.ok());
  EXPECT_EQ(handler->calls.load(), 1);  // only the client with a valid certificate got through
  EXPECT_TRUE(handshake_failures_reach(*listener, 2));

  // The same with an external client (Python's ssl module).
  const auto& pki = test_pki();
  const auto py_ok = run(python_client(
      listener->port(), "--cert '" + pki.client_cert + "' --key '" + pki.client_key + "'", pki.ca));
  EXPECT_EQ(py_ok.exit_code, 0) << py_ok.output;
  EXPECT_EQ(py_ok.output, "ACK:MSH|^~\\&|PY");
  const auto py_none = run(python_client(listener->port(), "", pki.ca));
  EXPECT_EQ(py_none.exit_code, 2) << py_none.output;
  const auto py_other = run(python_client(
      listener->port(),
      "--cert '" + pki.other_client_cert + "' --key '" + pki.other_client_key + "'", pki.ca));
  EXPECT_EQ(py_other.exit_code, 2) << py_other.output;
}

TEST_F(MllpTlsTest, AllowedClientCnsRestrictVerifiedCertificates) {
  auto tls = server_tls(ClientVerification::kOptional);
  tls.allowed_client_cns = {"ris-production"};
  start(tls);
  EXPECT_FALSE(send_once(client_tls(true)).ok());   // valid, but CN explainer-test-client
  EXPECT_FALSE(send_once(client_tls(false)).ok());  // no certificate at all
  EXPECT_EQ(handler->calls.load(), 0);
  listener.reset();
  tls.allowed_client_cns = {"ris-production", "explainer-test-client"};
  start(tls);
  EXPECT_TRUE(send_once(client_tls(true)).ok());
}

TEST_F(MllpTlsTest, PythonSslClientGetsTheAck) {
  start(server_tls());
  const auto result = run(python_client(listener->port(), "", test_pki().ca));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output, "ACK:MSH|^~\\&|PY");
}

TEST_F(MllpTlsTest, Tls11ClientIsRefused) {
  start(server_tls());
  const auto result = run(python_client(listener->port(), "--tls1_1", test_pki().ca));
  if (result.exit_code == 3) {
    GTEST_SKIP() << "this machine's OpenSSL cannot offer TLS 1.1 even at security level 0: "
                 << result.output;
  }
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_EQ(handler->calls.load(), 0);
  // The refusal is the listener's: it saw the TLS 1.1 ClientHello and failed the handshake.
  EXPECT_TRUE(handshake_failures_reach(*listener, 1));
  EXPECT_EQ(listener->stats().tls_handshake_failures, 1u);
}

TEST_F(MllpTlsTest, MinimumVersion13RefusesATls12OnlySender) {
  auto tls = server_tls();
  tls.min_version = TlsVersion::k1_3;
  start(tls);
  EXPECT_TRUE(send_once(client_tls()).ok());  // negotiates 1.3
  const auto result =
      run("/usr/bin/python3 -c \"import socket,ssl;"
          "c=ssl.create_default_context(cafile='" +
          test_pki().ca +
          "');c.maximum_version=ssl.TLSVersion.TLSv1_2;"
          "s=c.wrap_socket(socket.create_connection(('127.0.0.1'," +
          std::to_string(listener->port()) + ")),server_hostname='127.0.0.1')\"");
  EXPECT_NE(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("SSL"), std::string::npos) << result.output;
}

TEST(TlsSetup, ErrorsNameTheOptionAtFault) {
  const auto& pki = test_pki();
  auto expect_field = [](const auto& make, const std::string& field) {
    try {
      make();
      ADD_FAILURE() << "no error for " << field;
    } catch (const TlsSetupError& e) {
      EXPECT_EQ(e.field(), field) << e.what();
    }
  };
  auto missing = server_tls();
  missing.certificate = pki.file("nope.pem");
  expect_field([&] { make_server_context(missing); }, "certificate");
  auto mismatched = server_tls();
  mismatched.private_key = pki.client_key;
  expect_field([&] { make_server_context(mismatched); }, "private_key");
  auto not_a_key = server_tls();
  not_a_key.private_key = pki.ca;  // a certificate, not a key
  expect_field([&] { make_server_context(not_a_key); }, "private_key");
  auto no_ca = server_tls(ClientVerification::kRequired);
  no_ca.ca.clear();
  expect_field([&] { make_server_context(no_ca); }, "ca");
  auto bad_ciphers = server_tls();
  bad_ciphers.ciphers = "NOT-A-CIPHER";
  expect_field([&] { make_server_context(bad_ciphers); }, "ciphers");
  auto bad_ca = client_tls();
  bad_ca.ca = pki.file("client.ext");  // readable, but no certificate in it
  expect_field([&] { make_client_context(bad_ca, "127.0.0.1"); }, "ca");
  EXPECT_NO_THROW(make_server_context(server_tls(ClientVerification::kOptional)));
  EXPECT_NO_THROW(make_client_context(client_tls(true), "localhost"));
}

}  // namespace
}  // namespace explainer::transport
