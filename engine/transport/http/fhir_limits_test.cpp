// The FHIR endpoint's connection limit on a real socket: beyond max_threads + max_queued a
// connection is answered 503 with an OperationOutcome and Retry-After, closed, and counted.
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "transport/http/fhir_handler.h"
#include "transport/http/fhir_server.h"

namespace explainer::transport {
namespace {

using namespace std::chrono_literals;

// Stores nothing: this test never gets as far as a request.
class NoRequestsExpected final : public FhirHandler {
 public:
  FhirSubmitResult submit(const FhirRequest&) override {
    return {FhirSubmitStatus::kFailed, 0, "unexpected"};
  }
};

std::string read_all(Poco::Net::StreamSocket& socket, std::chrono::milliseconds timeout) {
  std::string out;
  char buffer[4096];
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!socket.poll(Poco::Timespan(0, 50'000), Poco::Net::Socket::SELECT_READ)) continue;
    const int n = socket.receiveBytes(buffer, sizeof buffer);
    if (n <= 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  return out;
}

TEST(FhirServerLimits, AConnectionOverTheLimitIsAnswered503AndCounted) {
  FhirServerConfig config;
  config.max_threads = 1;
  config.max_queued = 1;
  config.read_timeout = std::chrono::seconds(10);
  std::atomic<int> refused_503{0};
  config.on_error = [&](int status, std::string_view issue) {
    if (status == 503 && issue == "transient") ++refused_503;
  };
  FhirServer server(config, std::make_shared<NoRequestsExpected>());
  server.start();
  const Poco::Net::SocketAddress address("127.0.0.1", server.port());

  Poco::Net::StreamSocket served(address);  // holds the only request thread (sends nothing)
  for (int i = 0; i < 100 && server.stats().connections_active < 1; ++i)
    std::this_thread::sleep_for(20ms);
  ASSERT_EQ(server.stats().connections_active, 1u);
  Poco::Net::StreamSocket queued(address);  // waits in the queue
  std::this_thread::sleep_for(300ms);
  Poco::Net::StreamSocket over(address);
  const std::string reply = read_all(over, 5s);
  EXPECT_EQ(reply.rfind("HTTP/1.1 503", 0), 0u) << reply;
  EXPECT_NE(reply.find("Retry-After: 5"), std::string::npos) << reply;
  EXPECT_NE(reply.find("\"resourceType\":\"OperationOutcome\""), std::string::npos) << reply;
  EXPECT_NE(reply.find("\"code\":\"transient\""), std::string::npos) << reply;
  EXPECT_EQ(server.stats().connections_refused, 1u);
  EXPECT_EQ(refused_503.load(), 1);
  served.close();
  queued.close();
  server.stop();
}

TEST(FhirServerLimits, ABodyTrickledAByteAtATimeIsCutOffAfterTheReadTimeout) {
  FhirServerConfig config;
  config.read_timeout = std::chrono::seconds(1);
  std::atomic<int> timeouts{0};
  config.on_error = [&](int status, std::string_view issue) {
    if (status == 408 && issue == "timeout") ++timeouts;
  };
  FhirServer server(config, std::make_shared<NoRequestsExpected>());
  server.start();
  Poco::Net::StreamSocket slow(Poco::Net::SocketAddress("127.0.0.1", server.port()));
  const std::string head =
      "POST /fhir/DiagnosticReport HTTP/1.1\r\nHost: x\r\nContent-Type: application/fhir+json\r\n"
      "Content-Length: 1000\r\n\r\n{";
  slow.sendBytes(head.data(), static_cast<int>(head.size()));
  // Each byte comes well within the per-receive timeout; the whole body never does.
  const auto began = std::chrono::steady_clock::now();
  std::string reply;
  for (int i = 0; i < 40 && reply.empty(); ++i) {
    try {
      slow.sendBytes(" ", 1);
    } catch (const Poco::Exception&) {
      break;
    }
    reply = read_all(slow, 250ms);
  }
  EXPECT_EQ(reply.rfind("HTTP/1.1 408", 0), 0u) << reply;
  EXPECT_NE(reply.find("\"code\":\"timeout\""), std::string::npos) << reply;
  EXPECT_LT(std::chrono::steady_clock::now() - began, 5s);
  EXPECT_EQ(timeouts.load(), 1);
  server.stop();
}

}  // namespace
}  // namespace explainer::transport
