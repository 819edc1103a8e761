// The FHIR sink over HTTPS against a Poco HTTPS server on loopback that requires and
// verifies a client certificate. Certificates are made at test time (transport/tls_test_pki.h).
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/X509Certificate.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "app/fhir_sink.h"
#include "transport/tls.h"
#include "transport/tls_test_pki.h"

namespace explainer::app {
namespace {

using core::DeliveryStatus;
using transport::test_support::test_pki;

// Answers 201 to every request and records the client certificate's CN.
class HttpsTestServer {
 public:
  HttpsTestServer() {
    const auto& pki = test_pki();
    transport::TlsServerOptions tls;
    tls.certificate = pki.server_cert;
    tls.private_key = pki.server_key;
    tls.ca = pki.ca;
    tls.verify_client = transport::ClientVerification::kRequired;
    Poco::Net::SecureServerSocket socket(transport::make_server_context(tls));
    socket.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true);
    socket.listen();
    port_ = socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(2);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(state_), socket, params);
    server_->start();
  }
  ~HttpsTestServer() { server_->stopAll(true); }
  std::string base_url(const std::string& host = "127.0.0.1") const {
    return "https://" + host + ":" + std::to_string(port_) + "/r4";
  }
  int requests() const { return state_->requests.load(); }
  std::string last_cn() const {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->cn;
  }

 private:
  struct State {
    std::atomic<int> requests{0};
    mutable std::mutex mu;
    std::string cn;
  };
  class Handler : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(std::shared_ptr<State> s) : state_(std::move(s)) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req,
                       Poco::Net::HTTPServerResponse& resp) override {
      std::string body;
      Poco::StreamCopier::copyToString(req.stream(), body);
      auto& impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl&>(req);
      Poco::Net::SecureStreamSocket socket(impl.socket());
      {
        std::lock_guard<std::mutex> lock(state_->mu);
        state_->cn = socket.havePeerCertificate() ? socket.peerCertificate().commonName() : "";
      }
      state_->requests.fetch_add(1);
      resp.setStatus(Poco::Net::HTTPResponse::HTTP_CREATED);
      resp.setContentLength(0);
      resp.send();
    }

   private:
    std::shared_ptr<State> state_;
  };
  class Factory : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(std::shared_ptr<State> s) : state_(std::move(s)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
      return new Handler(state_);
    }

   private:
    std::shared_ptr<State> state_;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::uint16_t port_ = 0;
};

delivery::DeliveryItem report_item() {
  delivery::DeliveryItem item;
  item.payload =
      R"({"resourceType":"DiagnosticReport","id":"r1","status":"final","code":{"text":"CT head"},)"
      R"("subject":{"display":"Jane Roe"},"conclusion":"No acute intracranial abnormality."})";
  return item;
}

FhirSinkOptions https_options(const std::string& base_url) {
  const auto& pki = test_pki();
  FhirSinkOptions options;
  options.base_url = base_url;
  options.timeout = std::chrono::seconds(5);
  options.tls.ca = pki.ca;
  options.tls.certificate = pki.client_cert;
  options.tls.private_key = pki.client_key;
  return options;
}

TEST(FhirSinkTls, DeliversToAnHttpsServerThatVerifiesTheClientCertificate) {
  HttpsTestServer server;
  FhirSink by_ip(https_options(server.base_url()));
  const auto outcome = by_ip.deliver(report_item());
  EXPECT_EQ(outcome.status, DeliveryStatus::kDelivered) << outcome.detail;
  EXPECT_EQ(server.last_cn(), "explainer-test-client");
  FhirSink by_name(https_options(server.base_url("localhost")));
  EXPECT_EQ(by_name.deliver(report_item()).status, DeliveryStatus::kDelivered);
  EXPECT_EQ(server.requests(), 2);
}

TEST(FhirSinkTls, WrongCaIsRetriedAndSaysCertificateVerificationFailed) {
  HttpsTestServer server;
  auto options = https_options(server.base_url());
  options.tls.ca = test_pki().other_ca;
  FhirSink sink(options);
  const auto outcome = sink.deliver(report_item());
  EXPECT_EQ(outcome.status, DeliveryStatus::kRetry);
  EXPECT_EQ(outcome.detail.rfind("certificate verification failed", 0), 0u) << outcome.detail;
  for (const char* patient_data : {"Jane", "Roe", "intracranial", "CT head"}) {
    EXPECT_EQ(outcome.detail.find(patient_data), std::string::npos) << outcome.detail;
  }
  EXPECT_EQ(server.requests(), 0);
}

TEST(FhirSinkTls, NoClientCertificateForAServerThatRequiresOneIsRetried) {
  HttpsTestServer server;
  auto options = https_options(server.base_url());
  options.tls.certificate.clear();
  options.tls.private_key.clear();
  FhirSink sink(options);
  EXPECT_EQ(sink.deliver(report_item()).status, DeliveryStatus::kRetry);
  EXPECT_EQ(server.requests(), 0);
}

}  // namespace
}  // namespace explainer::app
